package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * Child tables read per parent: for any history of parents and their children, any budget, any
 * partition cap (collapsing per-parent positions into a floor) and any failed read, every child
 * row reaches the destination and the state stays within its partition cap.
 */
class ChildTableProperties {
  record Step(int kind, int parent, int child, int advanceSeconds, int failRead) {}

  record Limits(int pageSize, int maxRows, int maxPartitions) {}

  @Property(tries = 1000)
  void everyChildRowArrivesWhateverTheCapAndFailures(
      @ForAll("histories") List<Step> history, @ForAll("limits") Limits limits) {
    FakeClock clock = FakeClock.at("2024-05-01T00:00:00Z");
    SimulatedSource source = new SimulatedSource(
        Table.fullRefresh("customers").primaryKey("id").tiebreaker("id", ValueType.NUMBER),
        Table.incremental("orders").primaryKey("id").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER).partitionedBy("customers"));
    int[] reads = {0};
    int[] failAt = {-1};
    source.failWhen(r -> ++reads[0] == failAt[0]);
    EngineConfig config = EngineConfig.builder().clock(clock).pageSize(limits.pageSize())
        .maxRowsPerResponse(limits.maxRows()).maxPartitions(limits.maxPartitions())
        .logSink(line -> {}).build();
    FakeFivetran fivetran = new FakeFivetran(new FunctionHandler(source, config), clock,
        Duration.ofMinutes(5), config.maxResponseBytes());
    Map<Long, Instant> cursors = new HashMap<>();
    Map<Long, Long> parentOf = new HashMap<>();
    for (Step s : history) {
      clock.advance(Duration.ofSeconds(s.advanceSeconds()));
      Instant now = clock.peek().truncatedTo(ChronoUnit.SECONDS);
      switch (s.kind()) {
        case 0:
          source.upsert("customers", s.parent(), now);
          break;
        case 1: {
          long child = s.child();
          if (!source.snapshot("customers").containsKey((long) s.parent())) {
            break;
          }
          long parent = parentOf.computeIfAbsent(child, c -> (long) s.parent());
          Instant prev = cursors.get(child);
          Instant at = prev != null && !now.isAfter(prev) ? prev.plusMillis(1) : now;
          cursors.put(child, at);
          source.upsert("orders", child, at, Map.of("parent_id", parent));
          break;
        }
        case 2: {
          long child = s.child();
          Instant prev = cursors.get(child);
          if (prev != null && source.snapshot("orders").containsKey(child)) {
            Instant at = now.isAfter(prev) ? now : prev.plusMillis(1);
            cursors.put(child, at);
            source.delete("orders", child, at);
          }
          break;
        }
        default:
          reads[0] = 0;
          failAt[0] = s.failRead();
          fivetran.sync(5_000, 1);
          assertPartitionsCapped(fivetran, limits.maxPartitions());
          break;
      }
    }
    clock.advance(Duration.ofMinutes(2));
    failAt[0] = -1;
    fivetran.sync();
    Map<Long, String> expected = new TreeMap<>();
    source.snapshot("orders").forEach((id, row) -> expected.put(id, row.get("updated_at").toString()));
    Map<Long, String> actual = new TreeMap<>();
    fivetran.rowsById("orders").forEach((id, row) -> actual.put(id, row.get("updated_at").asText()));
    assertEquals(expected, actual, "child table differs from the source");
    assertEquals(source.snapshot("customers").keySet(), fivetran.rowsById("customers").keySet());
  }

  private static void assertPartitionsCapped(FakeFivetran fivetran, int cap) {
    int partitions = StateBlocks.keys(
        fivetran.state().path("tables").path("orders").path("partitions")).size();
    assertTrue(partitions <= cap, "state keeps " + partitions + " partitions; cap is " + cap);
  }

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.integers().between(0, 9).map(k -> k < 2 ? 0 : k < 6 ? 1 : k < 7 ? 2 : 3),
        Arbitraries.integers().between(1, 6),
        Arbitraries.integers().between(1, 25),
        Arbitraries.integers().between(0, 40),
        Arbitraries.integers().between(-1, 15))
        .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(50);
  }

  @Provide
  Arbitrary<Limits> limits() {
    return Combinators.combine(
        Arbitraries.integers().between(1, 6),
        Arbitraries.integers().between(1, 15),
        Arbitraries.integers().between(1, 5))
        .as(Limits::new);
  }
}
