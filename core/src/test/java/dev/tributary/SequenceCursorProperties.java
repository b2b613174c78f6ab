package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Sequence cursors with concurrent writers: ids are taken in order, but the transactions holding
 * them commit in any order. With the source's visibility horizon (the smallest id an open
 * transaction holds) nothing is lost and nothing is sent twice but for lost states; without it,
 * the same histories lose rows.
 */
class SequenceCursorProperties {
  static final Table EVENTS = Table.incremental("events").primaryKey("id")
      .cursor("id", ValueType.NUMBER).tiebreaker("id", ValueType.NUMBER);

  /** An append-only table whose rows become visible when their transaction commits. */
  static final class SequenceSource implements Connector {
    final TreeMap<Long, Boolean> rows = new TreeMap<>(); // id → committed
    final boolean horizon;
    final Table table;
    long next = 1;

    SequenceSource(boolean horizon) {
      this(horizon, EVENTS);
    }

    SequenceSource(boolean horizon, Table table) {
      this.horizon = horizon;
      this.table = table;
    }

    long begin() {
      rows.put(next, false);
      return next++;
    }

    void commit(long id) {
      rows.put(id, true);
    }

    @Override
    public Schema schema() {
      return Schema.of(table);
    }

    @Override
    public Optional<Object> visibilityHorizon(Table table, Optional<Position> position,
        Secrets secrets) {
      if (!horizon) {
        return Optional.empty();
      }
      for (Map.Entry<Long, Boolean> e : rows.entrySet()) {
        if (!e.getValue()) {
          return Optional.of(e.getKey()); // the smallest id still in flight
        }
      }
      return Optional.of(next);
    }

    @Override
    public Page read(TableRead read) {
      List<Row> out = new ArrayList<>();
      boolean more = false;
      for (Map.Entry<Long, Boolean> e : rows.entrySet()) {
        long id = e.getKey();
        if (!e.getValue()
            || read.after().isPresent()
                && BigDecimal.valueOf(id).compareTo((BigDecimal) read.after().get().cursor()) <= 0
            || read.upTo().isPresent()
                && BigDecimal.valueOf(id).compareTo((BigDecimal) read.upTo().get()) >= 0) {
          continue;
        }
        if (out.size() == read.pageSize()) {
          more = true;
          break;
        }
        out.add(Row.of(Map.of("id", id)));
      }
      return new Page(out, more);
    }

    TreeSet<Long> committed() {
      TreeSet<Long> out = new TreeSet<>();
      rows.forEach((id, c) -> {
        if (c) {
          out.add(id);
        }
      });
      return out;
    }
  }

  /** A writer taking an id and committing {@code holdFor} steps later; or a sync. */
  record Step(boolean sync, int holdFor, boolean loseState) {}

  @Property(tries = 400)
  void concurrentWritersCommittingOutOfIdOrderLoseNothing(@ForAll("histories") List<Step> history,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 5) int pageSize) {
    Outcome o = run(history, true, pageSize);
    assertEquals(o.source, o.destination, "destination differs from the source");
    o.deliveries.forEach((id, n) -> assertTrue(n <= 1 + o.lostStates,
        "row " + id + " delivered " + n + " times with " + o.lostStates + " lost states"));
  }

  /** The same kind of history without the horizon: the row held open is lost for ever. */
  @Example
  void withoutTheHorizonARowCommittedAfterALaterOneIsLost() {
    List<Step> history = List.of(
        new Step(false, 3, false),   // T1 takes id 1 and stays open
        new Step(false, 0, false),   // T2 takes id 2 and commits at once
        new Step(true, 0, false),    // a sync: id 2 is visible, id 1 is not
        new Step(false, 0, false),
        new Step(false, 0, false));  // T1 commits during these steps
    Outcome with = run(history, true, 10);
    assertEquals(with.source, with.destination);
    Outcome without = run(history, false, 10);
    assertTrue(!without.destination.contains(1L) && without.source.contains(1L),
        "without a horizon, id 1 is lost: " + without.destination);
  }

  /**
   * Where the source cannot tell what is in flight, a numeric lookback re-reads the last values
   * behind the position each sync: the late row is found if it lies within the window.
   */
  @Example
  void aNumericLookbackFindsALateIdWithinItsWindow() {
    SequenceSource src = new SequenceSource(false, EVENTS.lookback(5));
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, EngineConfig.builder()
        .clock(clock).logSink(l -> {}).build()), clock, Duration.ofMinutes(1), 6_000_000);
    long late = src.begin();
    for (int i = 0; i < 3; i++) {
      src.commit(src.begin());
    }
    ft.sync();
    src.commit(late);
    ft.sync();
    assertEquals(src.committed(), new TreeSet<>(ft.rowsById("events").keySet()));
    assertEquals("[4,4]", ft.state().path("tables").path("events").path("position").toString(),
        "the position never moved back");
  }

  record Outcome(TreeSet<Long> source, TreeSet<Long> destination, Map<Long, Integer> deliveries,
      int lostStates) {}

  static Outcome run(List<Step> history, boolean horizon, int pageSize) {
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    SequenceSource src = new SequenceSource(horizon);
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, EngineConfig.builder()
        .clock(clock).logSink(l -> {}).pageSize(pageSize).maxRowsPerResponse(pageSize + 1)
        .build()), clock, Duration.ofMinutes(1), 6_000_000);
    Map<Long, Integer> deliveries = new TreeMap<>();
    List<long[]> open = new ArrayList<>(); // {id, commit at step}
    int lostStates = 0;
    int step = 0;
    for (Step s : history) {
      step++;
      for (int i = open.size() - 1; i >= 0; i--) {
        if (open.get(i)[1] <= step) {
          src.commit(open.remove(i)[0]);
        }
      }
      if (!s.sync()) {
        long id = src.begin();
        if (s.holdFor() == 0) {
          src.commit(id);
        } else {
          open.add(new long[] {id, step + s.holdFor()});
        }
        continue;
      }
      lostStates += sync(ft, s.loseState(), deliveries);
    }
    open.forEach(o -> src.commit(o[0]));
    lostStates += sync(ft, false, deliveries);
    return new Outcome(src.committed(), new TreeSet<>(ft.rowsById("events").keySet()), deliveries,
        lostStates);
  }

  private static int sync(FakeFivetran ft, boolean loseFirstState, Map<Long, Integer> delivered) {
    int lost = 0;
    for (int call = 1; call <= 1_000; call++) {
      FakeFivetran.Call c = call == 1 && loseFirstState ? ft.callLosingState() : ft.call();
      if (!c.accepted()) {
        throw new AssertionError("call failed: " + c.body());
      }
      c.body().path("insert").path("events")
          .forEach(r -> delivered.merge(r.path("id").asLong(), 1, Integer::sum));
      if (call == 1 && loseFirstState) {
        lost++;
        continue;
      }
      if (!c.hasMore()) {
        return lost;
      }
    }
    throw new AssertionError("sync did not finish");
  }

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> write = Arbitraries.integers().between(0, 6)
        .map(h -> new Step(false, h < 3 ? 0 : h - 2, false));
    Arbitrary<Step> sync = Arbitraries.integers().between(0, 9).map(l -> new Step(true, 0, l == 0));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, write), net.jqwik.api.Tuple.of(1, sync)).list().ofMaxSize(50);
  }
}
