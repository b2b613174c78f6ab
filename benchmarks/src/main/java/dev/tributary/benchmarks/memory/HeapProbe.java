package dev.tributary.benchmarks.memory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.StagingStore;
import dev.tributary.TableRead;
import dev.tributary.aws.LocalContext;
import dev.tributary.aws.TributaryLambdaHandler;
import dev.tributary.benchmarks.BenchRows;
import dev.tributary.benchmarks.ResponsePathBenchmark;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One process answering one full response, for {@code benchmarks/memory.sh}, which runs it under
 * ever smaller {@code -Xmx} to find the smallest heap that still answers. Exits 0 when the
 * response is complete and of the expected size, non-zero otherwise (an OutOfMemoryError
 * included).
 *
 * <pre>java -Xmx… -cp … dev.tributary.benchmarks.memory.HeapProbe VARIANT [ROWS]</pre>
 *
 * <ul>
 *   <li>{@code generator} — reference (a): one Jackson generator writing the rows held in memory;
 *   <li>{@code handler} — {@link FunctionHandler} answering the same rows into a counting stream;
 *   <li>{@code lambda} — the same through {@link TributaryLambdaHandler};
 *   <li>{@code direct-paged} — {@link FunctionHandler}, rows made page by page (as a database
 *       cursor hands them over), a full 5.5 MB direct response;
 *   <li>{@code staged-paged} — the same rows page by page into a 50 MB staged object (the
 *       object's bytes go to a counting stream, as an S3 upload streams them).
 * </ul>
 */
public final class HeapProbe {
  /** Rows of a full 5.5 MB direct response (about 115 bytes each, ISO-8601 cursors). */
  static final int DIRECT_ROWS = 47_500;

  private HeapProbe() {}

  public static void main(String[] args) throws Exception {
    String variant = args[0];
    long written = switch (variant) {
      case "generator" -> generator(BenchRows.rows(rows(args, DIRECT_ROWS), true));
      case "handler" -> handler(inMemory(BenchRows.rows(rows(args, DIRECT_ROWS), true)), null, false);
      case "lambda" -> lambda(inMemory(BenchRows.rows(rows(args, DIRECT_ROWS), true)));
      case "direct-paged" -> handler(paged(rows(args, 2_000_000)), null, false);
      case "staged-paged" -> handler(paged(rows(args, 2_000_000)), new CountingStore(), true);
      default -> throw new IllegalArgumentException("variant: generator, handler, lambda,"
          + " direct-paged or staged-paged: " + variant);
    };
    System.out.println(variant + " bytes=" + written);
  }

  /** Whether the sizes are checked: only a full-size run (a smoke run passes a row count). */
  private static boolean full = true;

  /** Runs one variant at a small size (for the smoke test); returns the bytes written. */
  public static long smoke(String variant, int rows) throws Exception {
    full = false;
    return switch (variant) {
      case "generator" -> generator(BenchRows.rows(rows, true));
      case "handler" -> handler(inMemory(BenchRows.rows(rows, true)), null, false);
      case "lambda" -> lambda(inMemory(BenchRows.rows(rows, true)));
      case "direct-paged" -> handler(paged(rows), null, false);
      case "staged-paged" -> handler(paged(rows), new CountingStore(), true);
      default -> throw new IllegalArgumentException(variant);
    };
  }

  private static int rows(String[] args, int dflt) {
    return args.length > 1 ? Integer.parseInt(args[1]) : dflt;
  }

  static long generator(List<Map<String, Object>> data) throws IOException {
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    try (JsonGenerator g = new JsonFactory().createGenerator(sink)) {
      g.writeStartObject();
      g.writeObjectFieldStart("insert");
      g.writeArrayFieldStart("orders");
      for (Map<String, Object> m : data) {
        BenchRows.writeRow(g, m);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("state");
      g.writeStringField("cursor", String.valueOf(data.get(data.size() - 1).get("updated_at")));
      g.writeEndObject();
      g.writeBooleanField("hasMore", false);
      g.writeEndObject();
    }
    return check(sink.count, data.size() * 90L);
  }

  /** A connector serving rows already in memory, in one page. */
  static Connector inMemory(List<Map<String, Object>> data) {
    List<Row> page = new ArrayList<>(data.size());
    for (Map<String, Object> m : data) {
      page.add(Row.of(m));
    }
    data.clear();
    return new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ResponsePathBenchmark.ORDERS);
      }

      @Override
      public Page read(TableRead read) {
        return read.after().isPresent() ? Page.empty() : new Page(page, false);
      }
    };
  }

  /** A connector making {@code total} rows page by page, as a database cursor hands them over. */
  static Connector paged(int total) {
    Instant base = Instant.parse("2024-05-01T09:00:00.123456Z");
    return new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ResponsePathBenchmark.ORDERS);
      }

      @Override
      public Page read(TableRead read) {
        long after = read.afterTiebreakerNumber().map(BigDecimal::longValue).orElse(999_999L);
        int from = (int) (after - 999_999L);
        int to = Math.min(total, from + read.pageSize());
        List<Row> rows = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          rows.add(Row.builder().set("id", 1_000_000L + i).set("customer", "cus_" + (100_000 + i % 7919))
              .set("status", i % 3 == 0 ? "paid" : "pending")
              .set("amount", BigDecimal.valueOf(1234 + i % 5000, 2))
              .set("updated_at", base.plusMillis(i * 7L).toString()).build());
        }
        return new Page(rows, to < total);
      }
    };
  }

  static EngineConfig config() {
    return EngineConfig.builder().settleLag(Duration.ZERO).logSink(l -> {}).build();
  }

  static long handler(Connector connector, StagingStore store, boolean staged) throws IOException {
    FunctionHandler handler = new FunctionHandler(connector, config(), store);
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    String request = staged ? "{\"state\":{},\"bucket\":\"b\",\"file\":\"f.json\"}" : "{\"state\":{}}";
    FunctionHandler.Outcome o = handler.handle(
        new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)), sink,
        Instant.now().plusSeconds(600));
    if (o != FunctionHandler.Outcome.OK) {
      throw new IllegalStateException("the call failed: " + o);
    }
    if (staged) {
      return check(CountingStore.written, 49_000_000);
    }
    return check(sink.count, 5_300_000);
  }

  static long lambda(Connector connector) throws IOException {
    TributaryLambdaHandler handler = new TributaryLambdaHandler(connector, config()) {};
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    handler.handleRequest(new ByteArrayInputStream("{\"state\":{}}".getBytes(StandardCharsets.UTF_8)),
        sink, new LocalContext(Duration.ofMinutes(10)));
    return check(sink.count, 5_300_000);
  }

  private static long check(long written, long atLeast) {
    if (full && written < atLeast) {
      throw new IllegalStateException("only " + written + " bytes written; expected at least " + atLeast);
    }
    return written;
  }

  /** Counts a staged object's bytes as an upload streams them, keeping none. */
  static final class CountingStore implements StagingStore {
    static long written;

    @Override
    public Upload begin(String bucket, String key) {
      BenchRows.CountingSink sink = new BenchRows.CountingSink();
      return new Upload() {
        @Override
        public OutputStream stream() {
          return sink;
        }

        @Override
        public void commit() {
          written = sink.count;
        }

        @Override
        public void abort() {}
      };
    }
  }
}
