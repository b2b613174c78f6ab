package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A source that is briefly unavailable mid-call: the rows already read are not thrown away. */
class TransientFailureTest {
  static final class RateLimited extends IOException implements TransientFailure {
    RateLimited() {
      super("HTTP 429: retry after 120 s, past the call's deadline");
    }
  }

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");

  FakeFivetran fivetran(SimulatedSource src) {
    EngineConfig cfg = EngineConfig.builder().clock(clock).pageSize(5).logSink(l -> {}).build();
    return new FakeFivetran(new FunctionHandler(src, cfg), clock, Duration.ofMinutes(1), 6_000_000);
  }

  SimulatedSource source(int rows) {
    SimulatedSource src = new SimulatedSource(Table.incremental("orders").primaryKey("id")
        .cursor("updated_at").tiebreaker("id", ValueType.NUMBER));
    for (long id = 1; id <= rows; id++) {
      src.upsert("orders", id, Instant.parse("2024-05-01T10:00:00Z"));
    }
    return src;
  }

  @Test
  void aTransientFailureAfterRowsAnswersWithThemAndResumesAfterThem() {
    SimulatedSource src = source(12);
    int[] reads = {0};
    SimulatedSource failing = src.failWhen(r -> ++reads[0] == 2); // the second page of call 1
    FakeFivetran ft = fivetran(failing);
    // SimulatedSource throws a plain IOException; wrap it as transient for this test.
    FakeFivetran.Call first = ft.call();
    assertFalse(first.accepted(), "a plain IOException still fails the call");

    SimulatedSource src2 = source(12);
    int[] reads2 = {0};
    Connector transientOnce = new Connector() {
      @Override
      public Schema schema() {
        return src2.schema();
      }

      @Override
      public Page read(TableRead read) throws IOException {
        if (++reads2[0] == 2) {
          throw new RateLimited();
        }
        return src2.read(read);
      }
    };
    FakeFivetran ft2 = new FakeFivetran(new FunctionHandler(transientOnce, EngineConfig.builder()
        .clock(clock).pageSize(5).logSink(l -> {}).build()), clock, Duration.ofMinutes(1), 6_000_000);
    List<FakeFivetran.Call> calls = ft2.sync();
    assertEquals(5, calls.get(0).rows(), "the first page is answered, not discarded");
    assertTrue(calls.get(0).hasMore());
    assertEquals(12, ft2.rowsById("orders").size());
    ft2.deliveries("orders").values().forEach(n -> assertEquals(1, n));
  }

  @Test
  void aTransientFailureBeforeAnyRowFailsTheCall() {
    SimulatedSource src = source(3);
    Connector down = new Connector() {
      @Override
      public Schema schema() {
        return src.schema();
      }

      @Override
      public Page read(TableRead read) throws IOException {
        throw new RateLimited();
      }
    };
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(down, EngineConfig.builder()
        .clock(clock).logSink(l -> {}).build()), clock, Duration.ofMinutes(1), 6_000_000);
    FakeFivetran.Call c = ft.call();
    assertFalse(c.accepted());
    assertEquals("SourceError", c.body().path("errorType").asText());
  }
}
