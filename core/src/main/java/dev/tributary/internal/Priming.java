package dev.tributary.internal;

import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs representative calls through the whole engine — request decoding, state, reading,
 * response writing, error bodies — on a built-in connector, so the classes and JIT paths of a
 * real call are loaded before a snapshot (AWS SnapStart) or a first request. Touches no source,
 * no secret and no connection: nothing of it is worth keeping, nor dangerous to keep.
 */
public final class Priming {
  private static final Instant CLOCK = Instant.parse("2024-01-01T00:00:00Z");

  private Priming() {}

  public static void run(EngineConfig config) {
    FunctionHandler handler = new FunctionHandler(new PrimingConnector(),
        config.newBuilder().logSink(line -> {}).build());
    String state = "{}";
    for (int call = 0; call < 3; call++) {
      String body = call(handler, "{\"state\":" + state + ",\"secrets\":{\"token\":\"priming\"},"
          + "\"sync_id\":\"priming\"}");
      int at = body.indexOf("\"state\":");
      int end = body.lastIndexOf(",\"hasMore\"");
      if (at < 0 || end < at) {
        break;
      }
      state = body.substring(at + "\"state\":".length(), end);
    }
    call(handler, "{\"state\":{},\"setup_test\":true}");
    call(handler, "{\"state\":");
  }

  private static String call(FunctionHandler handler, String request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      handler.handle(new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)), out,
          Instant.now().plusSeconds(60));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Two pages of a small table with deletes, and a source clock, for the priming calls. */
  private static final class PrimingConnector implements Connector {
    @Override
    public Schema schema() {
      return Schema.of(Table.incremental("priming").primaryKey("id").cursor("updated_at")
          .tiebreaker("id", ValueType.NUMBER).softDelete());
    }

    @Override
    public Optional<Instant> sourceClock(Secrets secrets) {
      return Optional.of(CLOCK);
    }

    @Override
    public Page read(TableRead read) {
      long after = read.afterTiebreakerNumber().map(BigDecimal::longValue).orElse(0L);
      List<Row> rows = new ArrayList<>();
      for (long id = after + 1; id <= Math.min(after + 50, 100); id++) {
        Map<String, Object> values = Map.of("id", id, "updated_at", CLOCK.minusSeconds(3600),
            "name", "row " + id, "amount", new BigDecimal("12.50"));
        rows.add(id % 10 == 0 ? Row.delete(values) : Row.of(values));
      }
      return new Page(rows, after + 50 < 100);
    }
  }
}
