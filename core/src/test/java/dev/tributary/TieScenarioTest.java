package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TieScenarioTest {
  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();

  SimulatedSource source() {
    return new SimulatedSource(Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER));
  }

  @Test
  void tieOf25RowsWithPageSize10IsDeliveredOnceEach() {
    SimulatedSource src = source();
    Instant tie = Instant.parse("2024-05-01T10:00:00Z");
    for (long id = 1; id <= 25; id++) {
      src.upsert("orders", id, tie);
    }
    EngineConfig cfg = EngineConfig.builder().clock(clock).pageSize(10).maxRowsPerResponse(7)
        .logSink(log::add).build();
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, cfg), clock, Duration.ofMinutes(1), 6_000_000);
    List<FakeFivetran.Call> calls = ft.sync();

    assertEquals(25, ft.rowsById("orders").size());
    ft.deliveries("orders").values().forEach(n -> assertEquals(1, n));
    // Responses of 7, 7, 7 and 4 rows; each state sits inside the tie at the last row sent.
    assertEquals(List.of(7, 7, 7, 4), calls.stream().map(FakeFivetran.Call::rows).toList());
    long expectedLast = 0;
    for (FakeFivetran.Call c : calls) {
      expectedLast += c.rows();
      var position = c.body().path("state").path("tables").path("orders").path("position");
      assertEquals("2024-05-01T10:00:00Z", position.get(0).asText());
      assertEquals(expectedLast, position.get(1).asLong());
    }
    // Reads asked for pages of 10, each resuming strictly after the previous response's position.
    assertEquals(10, src.readLog().get(0).pageSize());
  }

  @Test
  void tieOf25RowsWithPageSize10TakesThreeReadsInOneResponse() {
    SimulatedSource src = source();
    Instant tie = Instant.parse("2024-05-01T10:00:00Z");
    for (long id = 1; id <= 25; id++) {
      src.upsert("orders", id, tie);
    }
    EngineConfig cfg = EngineConfig.builder().clock(clock).pageSize(10).logSink(log::add).build();
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, cfg), clock, Duration.ofMinutes(1), 6_000_000);

    List<FakeFivetran.Call> calls = ft.sync();

    assertEquals(1, calls.size());
    assertEquals(25, calls.get(0).rows());
    assertEquals(3, src.reads());
    assertEquals(List.of(10L, 20L), src.readLog().subList(1, 3).stream()
        .map(r -> ((java.math.BigDecimal) r.after().orElseThrow().tiebreaker().orElseThrow()).longValue())
        .toList());
  }
}
