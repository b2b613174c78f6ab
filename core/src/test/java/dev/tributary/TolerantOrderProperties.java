package dev.tributary;

import static dev.tributary.testing.DestinationAssertions.assertMatchesSource;

import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.ScriptedSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Tolerant mode never commits a position past a row it has not delivered, wherever the call
 * stops: for a source whose pages hold the right rows with some of them late (returned after
 * larger ones), any page size, row and byte budget, the destination ends equal to the source and
 * every accepted state covers only delivered rows.
 */
class TolerantOrderProperties {
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);

  @Property(tries = 300)
  void everyStopLeavesThePositionAtWhatWasVerifiedAndDelivered(
      @ForAll long seed,
      @ForAll @IntRange(min = 2, max = 8) int pageSize,
      @ForAll @IntRange(min = 1, max = 12) int maxRows,
      @ForAll @IntRange(min = 4_096, max = 6_000) int maxBytes,
      @ForAll @IntRange(min = 5, max = 60) int rows) {
    Random random = new Random(seed);
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    ScriptedSource src = new ScriptedSource(ORDERS).withPageTransform(page -> late(page, random));
    long id = 0;
    for (; id < rows; id++) {
      put(src, id, Duration.ZERO, random);
    }
    EngineConfig cfg = EngineConfig.builder().clock(clock).logSink(l -> {})
        .orderCheck(OrderCheck.TOLERANT).pageSize(pageSize).maxRowsPerResponse(maxRows)
        .maxResponseBytes(maxBytes).maxStateBytes(1_024).build();
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, cfg), clock,
        Duration.ofMinutes(1), maxBytes);
    ft.sync(5_000, 0);
    for (long more = id + random.nextInt(20); id < more; id++) {
      put(src, id, Duration.ofHours(2), random); // after the first sync's rows
    }
    clock.advance(Duration.ofHours(2));
    ft.sync(5_000, 0);

    CursorScenariosTest.assertPositionsOnlyCoverDeliveredRows(src, ft.calls());
    assertMatchesSource(src.snapshot(), ft.rowsById("orders"));
  }

  /**
   * The case as reported: pages come as 1, 2, 4, 3, 5, 6… and the response's row budget ends
   * exactly at the late row 3. Committing 4 would lose 3 for good.
   */
  @Example
  void budgetEndingAtALateRowDoesNotCommitPastIt() {
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    ScriptedSource src = new ScriptedSource(ORDERS).withPageTransform(page -> {
      List<Row> out = new ArrayList<>(page);
      if (out.size() >= 4) {
        java.util.Collections.swap(out, 2, 3);
      }
      return out;
    });
    for (long id = 1; id <= 12; id++) {
      Instant at = Instant.parse("2024-05-01T11:00:00Z").plusSeconds(id);
      src.put(at, id, Map.of("id", id, "updated_at", at));
    }
    EngineConfig cfg = EngineConfig.builder().clock(clock).logSink(l -> {})
        .orderCheck(OrderCheck.TOLERANT).pageSize(6).maxRowsPerResponse(3).build();
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, cfg), clock,
        Duration.ofMinutes(1), cfg.maxResponseBytes());
    FakeFivetran.Call first = ft.call();
    org.junit.jupiter.api.Assertions.assertEquals("[\"2024-05-01T11:00:02Z\",2]",
        first.body().path("state").path("tables").path("orders").path("position").toString(),
        "rows 1, 2 and 4 were sent; 3 was not, so the position stays at 2");
    ft.sync(100, 0);
    CursorScenariosTest.assertPositionsOnlyCoverDeliveredRows(src, ft.calls());
    assertMatchesSource(src.snapshot(), ft.rowsById("orders"));
  }

  /** Rows dated within an hour before the clock (plus {@code later}), in 10-minute buckets (ties). */
  static void put(ScriptedSource src, long id, Duration later, Random random) {
    Instant at = Instant.parse("2024-05-01T10:50:00Z").plus(later)
        .plus(Duration.ofMinutes(10L * random.nextInt(6)));
    src.put(at, id, Map.of("id", id, "updated_at", at));
  }

  /** Moves a few rows (never the first, the page's smallest) later in the page. */
  static List<Row> late(List<Row> page, Random random) {
    List<Row> out = new ArrayList<>(page);
    if (out.size() < 3) {
      return out;
    }
    int moves = random.nextInt(3);
    for (int k = 0; k < moves; k++) {
      int from = 1 + random.nextInt(out.size() - 2);
      int to = from + 1 + random.nextInt(out.size() - from - 1);
      out.add(to, out.remove(from));
    }
    return out;
  }
}
