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
    ft.sync();
    assertEquals(25, ft.rowsById("orders").size());
    ft.deliveries("orders").values().forEach(n -> assertEquals(1, n));
    System.out.println(ft.allBodies());
    log.forEach(System.out::println);
  }
}
