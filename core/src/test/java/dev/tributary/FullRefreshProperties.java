package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The no-loss promise for full-refresh tables with a digest, as a property: for any history of
 * inserts, changes and removals (rows that vanish without a tombstone) between syncs, any page
 * size and row budget, any digest bound, with calls that fail and are replayed from the last
 * accepted state or whose state Fivetran loses after writing their rows:
 * <ul>
 *   <li>every source row is in the destination with its current values after each sync;
 *   <li>a delete never removes a row the source still has;
 *   <li>with {@code deleteMissing()} and a bound that holds the table, the destination holds
 *       nothing else: every removed row is deleted;
 *   <li>within the bound a sync sends only what changed since the last accepted sync: a row
 *       version is sent once, plus once per response whose state was lost.
 * </ul>
 */
class FullRefreshProperties {
  /** A step: 0 insert or change, 1 remove, 2 a sync (with a failed read and a lost state). */
  record Step(int kind, int id, int failRead, int loseStateAt) {}

  record Limits(int pageSize, int maxRows, int digestRows, boolean deleteMissing, boolean soft) {}

  @Property(tries = 400)
  void destinationMirrorsTheSourceAndUnchangedRowsAreNotSentAgain(
      @ForAll("histories") List<Step> history, @ForAll("limits") Limits limits) {
    FakeClock clock = FakeClock.at("2024-05-01T00:00:00Z");
    Table items = Table.fullRefresh("items").primaryKey("id").tiebreaker("id", ValueType.NUMBER);
    items = limits.deleteMissing() ? items.deleteMissing() : items;
    items = limits.soft() ? items.softDelete() : items;
    int[] reads = {0};
    int[] failAt = {-1};
    SimulatedSource source = new SimulatedSource(items).failWhen(r -> ++reads[0] == failAt[0]);
    EngineConfig config = EngineConfig.builder().clock(clock).pageSize(limits.pageSize())
        .maxRowsPerResponse(limits.maxRows()).maxDigestRows(limits.digestRows())
        .logSink(line -> {}).build();
    FakeFivetran fivetran = new FakeFivetran(new FunctionHandler(source, config), clock,
        Duration.ofMinutes(5), config.maxResponseBytes());

    Map<Long, Integer> version = new HashMap<>();
    Map<String, Integer> sent = new HashMap<>();
    int maxKeys = 0;
    for (Step step : history) {
      clock.advance(Duration.ofMinutes(1));
      long id = step.id();
      switch (step.kind()) {
        case 0 -> {
          int v = version.merge(id, 1, Integer::sum);
          source.upsert("items", id, Instant.EPOCH, Map.of("v", v));
        }
        case 1 -> source.remove("items", id);
        default -> {
          maxKeys = Math.max(maxKeys, version.size());
          reads[0] = 0;
          failAt[0] = step.failRead();
          Map<Long, Integer> before = snapshot(source);
          int lost = runSync(fivetran, step.loseStateAt(), sent, before);
          check(source, fivetran, limits, limits.digestRows() >= maxKeys);
          if (limits.digestRows() >= maxKeys) {
            sent.forEach((key, n) -> assertTrue(n <= 1 + lost,
                "row version " + key + " sent " + n + " times with " + lost + " lost states"));
          }
          sent.clear();
        }
      }
    }
  }

  private static Map<Long, Integer> snapshot(SimulatedSource source) {
    Map<Long, Integer> out = new TreeMap<>();
    source.snapshot("items").forEach((id, row) -> out.put(id, (Integer) row.get("v")));
    return out;
  }

  private static void check(SimulatedSource source, FakeFivetran fivetran, Limits limits,
      boolean withinBound) {
    Map<Long, Integer> expected = snapshot(source);
    Map<Long, Integer> live = new TreeMap<>();
    fivetran.rowsById("items").forEach((id, row) -> live.put(id, row.path("v").asInt()));
    for (Map.Entry<Long, Integer> e : expected.entrySet()) {
      assertEquals(e.getValue(), live.get(e.getKey()), "row " + e.getKey() + " in the destination");
    }
    if (limits.deleteMissing() && withinBound) {
      assertEquals(expected.keySet(), live.keySet(), "removed rows are deleted");
    }
  }

  /**
   * Runs one sync to the end, counting each row version sent; fails if a delete names a key the
   * source holds. Returns how many responses had their state lost.
   */
  private static int runSync(FakeFivetran fivetran, int loseStateAt, Map<String, Integer> sent,
      Map<Long, Integer> source) {
    int lost = 0;
    int failures = 0;
    for (int call = 1; call <= 2_000; call++) {
      FakeFivetran.Call c = call == loseStateAt ? fivetran.callLosingState() : fivetran.call();
      if (!c.accepted()) {
        assertTrue(++failures <= 1, "more failures than injected: " + c.body());
        continue;
      }
      for (JsonNode row : c.body().path("insert").path("items")) {
        sent.merge(row.path("id").asLong() + "@" + row.path("v").asInt(), 1, Integer::sum);
      }
      for (JsonNode row : c.body().path("delete").path("items")) {
        assertFalse(source.containsKey(row.path("id").asLong()),
            "call " + c.number() + " deletes row " + row.path("id") + ", which the source has");
      }
      if (call == loseStateAt) {
        lost++;
        continue;
      }
      if (!c.hasMore()) {
        return lost;
      }
    }
    throw new AssertionError("sync did not finish in 2000 calls");
  }

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> write = Combinators.combine(Arbitraries.integers().between(0, 1),
        Arbitraries.integers().between(1, 25)).as((k, id) -> new Step(k == 0 ? 0 : 1, id, -1, -1));
    Arbitrary<Step> sync = Combinators.combine(Arbitraries.integers().between(-1, 6),
        Arbitraries.integers().between(-1, 4)).as((f, l) -> new Step(2, 0, f, l));
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, write), net.jqwik.api.Tuple.of(1, sync));
    return step.list().ofMinSize(1).ofMaxSize(60);
  }

  @Provide
  Arbitrary<Limits> limits() {
    return Combinators.combine(Arbitraries.integers().between(1, 8),
        Arbitraries.integers().between(1, 12), Arbitraries.of(0, 5, 10_000),
        Arbitraries.of(true, false), Arbitraries.of(true, false)).as(Limits::new);
  }
}
