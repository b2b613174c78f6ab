package dev.tributary.benchmarks;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rows every benchmark uses, and the sink they write to. */
public final class BenchRows {
  static final Instant BASE = Instant.parse("2024-05-01T09:00:00.123456Z");

  private BenchRows() {}

  /**
   * {@code n} rows of about 104 bytes as JSON, in cursor order, all in the past: an id, a
   * customer, a status, an amount and an {@code updated_at} cursor as an {@link Instant} or an
   * ISO-8601 string.
   */
  public static List<Map<String, Object>> rows(int n, boolean isoCursors) {
    List<Map<String, Object>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", 1_000_000L + i);
      m.put("customer", "cus_" + (100_000 + i % 7919));
      m.put("status", i % 3 == 0 ? "paid" : "pending");
      m.put("amount", BigDecimal.valueOf(1234 + i % 5000, 2));
      Instant at = BASE.plusMillis(i * 7L);
      m.put("updated_at", isoCursors ? DateTimeFormatter.ISO_INSTANT.format(at) : at);
      out.add(m);
    }
    return out;
  }

  /** Writes one row as a JSON object, the way a hand-written function would. */
  public static void writeRow(JsonGenerator g, Map<String, Object> row) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, Object> e : row.entrySet()) {
      g.writeFieldName(e.getKey());
      Object v = e.getValue();
      if (v instanceof Long) {
        g.writeNumber((Long) v);
      } else if (v instanceof BigDecimal) {
        g.writeNumber((BigDecimal) v);
      } else if (v instanceof Instant) {
        g.writeString(DateTimeFormatter.ISO_INSTANT.format((Instant) v));
      } else {
        g.writeString(String.valueOf(v));
      }
    }
    g.writeEndObject();
  }

  /**
   * The response a hand-written function writes with one Jackson generator: the rows of table
   * {@code orders}, its schema, a plain cursor state and {@code hasMore: false}.
   */
  public static void writeResponse(JsonGenerator g, List<Map<String, Object>> rows)
      throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("insert");
    g.writeArrayFieldStart("orders");
    for (Map<String, Object> m : rows) {
      writeRow(g, m);
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeObjectFieldStart("schema");
    g.writeObjectFieldStart("orders");
    g.writeArrayFieldStart("primary_key");
    g.writeString("id");
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
    g.writeObjectFieldStart("state");
    g.writeStringField("cursor", String.valueOf(rows.get(rows.size() - 1).get("updated_at")));
    g.writeEndObject();
    g.writeBooleanField("hasMore", false);
    g.writeEndObject();
  }

  /** One call through {@code handler} into a counting sink; the bytes it answered. */
  public static long call(dev.tributary.FunctionHandler handler, byte[] request) throws IOException {
    CountingSink sink = new CountingSink();
    dev.tributary.FunctionHandler.Outcome o = handler.handle(
        new java.io.ByteArrayInputStream(request), sink, Instant.now().plusSeconds(600));
    if (o != dev.tributary.FunctionHandler.Outcome.OK) {
      throw new IllegalStateException("the call failed: " + o);
    }
    return sink.count;
  }

  /** Counts bytes and keeps none, so every variant pays the same for its output. */
  public static final class CountingSink extends OutputStream {
    public long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
