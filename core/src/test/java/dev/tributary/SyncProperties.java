package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The engine's central promise, as a property: for any source history (inserts, updates that bump
 * the cursor, ties, deletes, writes that become visible within the settle lag), any page size,
 * any byte and row budget, and any set of failed calls replayed from the last accepted state,
 * the destination built with Fivetran's upsert semantics equals the source, and no row version is
 * delivered more often than the documented bound: once, plus once per response whose state
 * Fivetran lost after writing its rows.
 */
class SyncProperties {
  static final List<String> TABLES = List.of("orders", "refunds");
  static final Duration SETTLE_LAG = Duration.ofSeconds(30);

  /** One step of a source's history, or a sync. */
  record Step(int kind, int table, int id, int advanceSeconds, int visibilityDelay,
      int failRead, int loseStateAt) {}

  /** Budgets and page size of one try. */
  record Limits(int pageSize, int maxRows, int maxBytes, boolean interleaved, boolean inclusiveSource,
      int shape) {}

  /** What the property needs of a source, whichever shape of history it keeps. */
  interface Source {
    Connector connector();

    void upsert(String table, long id, Instant at, Map<String, Object> extra);

    void delete(String table, long id, Instant at);

    boolean exists(String table, long id);

    Map<Long, Map<String, Object>> snapshot(String table);
  }

  /**
   * Shape 0: one version per key, a delete replaces the row by its tombstone. Shape 1: a live
   * table beside a tombstone table that outlives a re-insert. Shape 2: a change log holding every
   * version and delete. Shapes 1 and 2 read one key several times between two positions.
   */
  static Source source(int shape, Predicate<TableRead> failWhen, boolean inclusive) {
    Table orders = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
    Table refunds = Table.incremental("refunds").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
    if (shape == 0) {
      SimulatedSource s = new SimulatedSource(orders, refunds).failWhen(failWhen);
      if (inclusive) {
        s.withInclusiveFilter(); // cursor >= x: the engine drops the rows at the position
      }
      return new Source() {
        public Connector connector() {
          return s;
        }

        public void upsert(String table, long id, Instant at, Map<String, Object> extra) {
          s.upsert(table, id, at, extra);
        }

        public void delete(String table, long id, Instant at) {
          s.delete(table, id, at);
        }

        public boolean exists(String table, long id) {
          return s.snapshot(table).containsKey(id);
        }

        public Map<Long, Map<String, Object>> snapshot(String table) {
          return s.snapshot(table);
        }
      };
    }
    FeedSource f = new FeedSource(shape == 1 ? FeedSource.Mode.TOMBSTONE_TABLE
        : FeedSource.Mode.CHANGE_LOG, orders, refunds).failWhen(failWhen);
    if (inclusive) {
      f.withInclusiveFilter();
    }
    return new Source() {
      public Connector connector() {
        return f;
      }

      public void upsert(String table, long id, Instant at, Map<String, Object> extra) {
        f.upsert(table, id, at, extra);
      }

      public void delete(String table, long id, Instant at) {
        f.delete(table, id, at);
      }

      public boolean exists(String table, long id) {
        return f.exists(table, id);
      }

      public Map<Long, Map<String, Object>> snapshot(String table) {
        return f.snapshot(table);
      }
    };
  }

  @Property(tries = 1000)
  void destinationEqualsSourceAndDeliveriesAreBounded(
      @ForAll("histories") List<Step> history, @ForAll("limits") Limits limits) {
    FakeClock clock = FakeClock.at("2024-05-01T00:00:00Z");
    int[] readsThisSync = {0};
    int[] failAt = {-1};
    Source source = source(limits.shape(), r -> ++readsThisSync[0] == failAt[0],
        limits.inclusiveSource());
    EngineConfig config = EngineConfig.builder()
        .clock(clock)
        .settleLag(SETTLE_LAG)
        .pageSize(limits.pageSize())
        .maxRowsPerResponse(limits.maxRows())
        .maxResponseBytes(limits.maxBytes())
        .maxStateBytes(1024)
        .tableOrder(limits.interleaved() ? TableOrder.INTERLEAVED : TableOrder.SEQUENTIAL)
        .logSink(line -> {})
        .build();
    FakeFivetran fivetran = new FakeFivetran(new FunctionHandler(source.connector(), config), clock,
        Duration.ofMinutes(5), limits.maxBytes());

    Map<String, Map<Long, Instant>> lastCursor = new HashMap<>();
    Map<String, Integer> deliveries = new HashMap<>();
    Map<String, Integer> deletesInHistory = new HashMap<>();
    int lostStates = 0;
    for (Step step : history) {
      clock.advance(Duration.ofSeconds(step.advanceSeconds()));
      String table = TABLES.get(step.table());
      Map<Long, Instant> cursors = lastCursor.computeIfAbsent(table, k -> new HashMap<>());
      switch (step.kind()) {
        case 0: // insert or update: visible now, dated up to 20 s earlier, in 5 s buckets (ties)
        case 1: {
          Instant at = clock.peek().minusSeconds(step.visibilityDelay())
              .truncatedTo(ChronoUnit.SECONDS);
          at = at.minusSeconds(at.getEpochSecond() % 5);
          Instant prev = cursors.get((long) step.id());
          if (prev != null && !at.isAfter(prev)) {
            at = prev.plusMillis(1); // every change bumps the cursor
          }
          cursors.put((long) step.id(), at);
          source.upsert(table, step.id(), at, Map.of("note", "v" + at.toEpochMilli()));
          break;
        }
        case 2: { // delete, if the row exists
          Instant prev = cursors.get((long) step.id());
          if (prev != null && source.exists(table, step.id())) {
            Instant at = clock.peek().truncatedTo(ChronoUnit.SECONDS);
            at = at.isAfter(prev) ? at : prev.plusMillis(1);
            cursors.put((long) step.id(), at);
            source.delete(table, step.id(), at);
            deletesInHistory.merge("delete:" + table + ":" + step.id() + "@", 1, Integer::sum);
          }
          break;
        }
        default: // a sync, with at most one failed read and one lost state
          readsThisSync[0] = 0;
          failAt[0] = step.failRead();
          lostStates += runSync(fivetran, step.loseStateAt(), deliveries);
          break;
      }
    }
    // Quiesce: once every write is older than the settle lag, one more sync catches up fully.
    clock.advance(SETTLE_LAG.plusSeconds(60));
    failAt[0] = -1;
    lostStates += runSync(fivetran, -1, deliveries);

    for (String table : TABLES) {
      Map<Long, String> expected = new TreeMap<>();
      source.snapshot(table).forEach((id, row) -> expected.put(id, row.get("updated_at").toString()));
      Map<Long, String> actual = new TreeMap<>();
      fivetran.rowsById(table).forEach((id, row) -> actual.put(id, row.get("updated_at").asText()));
      assertEquals(expected, actual, "destination table " + table + " differs from the source");
    }
    int bound = 1 + lostStates;
    for (Map.Entry<String, Integer> e : deliveries.entrySet()) {
      // A delete carries only the key, so deletes of one key are counted together.
      int versions = deletesInHistory.getOrDefault(e.getKey(), 1);
      assertTrue(e.getValue() <= bound * versions, "row version " + e.getKey() + " delivered " + e.getValue()
          + " times; bound is " + bound);
    }
  }

  /** Runs one sync to the end; returns how many responses had their state lost. */
  private static int runSync(FakeFivetran fivetran, int loseStateAt, Map<String, Integer> deliveries) {
    int lost = 0;
    int failures = 0;
    for (int call = 1; call <= 5_000; call++) {
      FakeFivetran.Call c = call == loseStateAt ? fivetran.callLosingState() : fivetran.call();
      if (!c.accepted()) {
        assertTrue(++failures <= 1, "more failures than injected: " + c.body());
        continue;
      }
      count(c.body(), deliveries);
      if (call == loseStateAt) {
        lost++;
        continue;
      }
      if (!c.hasMore()) {
        return lost;
      }
    }
    throw new AssertionError("sync did not finish in 5000 calls");
  }

  private static void count(JsonNode body, Map<String, Integer> deliveries) {
    Set<String> seenInThisResponse = new HashSet<>();
    Set<String> keysInThisResponse = new HashSet<>();
    for (String section : List.of("insert", "delete")) {
      Iterator<Map.Entry<String, JsonNode>> it = body.path(section).fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        for (JsonNode row : e.getValue()) {
          String version = section + ":" + e.getKey() + ":" + row.get("id").asLong() + "@"
              + row.path("updated_at").asText();
          assertTrue(seenInThisResponse.add(version), "one response carries " + version + " twice");
          String key = e.getKey() + ":" + row.get("id").asLong();
          assertTrue(keysInThisResponse.add(key), "one response carries key " + key + " twice");
          deliveries.merge(version, 1, Integer::sum);
        }
      }
    }
  }

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.integers().between(0, 9).map(k -> k < 4 ? 0 : k < 6 ? 1 : k < 7 ? 2 : 3),
        Arbitraries.integers().between(0, 1),
        Arbitraries.integers().between(1, 30),
        Arbitraries.integers().between(0, 40),
        Arbitraries.integers().between(0, 20),
        Arbitraries.integers().between(-1, 12),
        Arbitraries.integers().between(-1, 6))
        .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(60);
  }

  @Provide
  Arbitrary<Limits> limits() {
    return Combinators.combine(
        Arbitraries.integers().between(1, 8),
        Arbitraries.integers().between(1, 25),
        Arbitraries.integers().between(4096, 12_000),
        Arbitraries.of(true, false),
        Arbitraries.of(true, false),
        Arbitraries.integers().between(0, 2))
        .as(Limits::new);
  }
}
