package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.Position;
import dev.tributary.Table;
import dev.tributary.ValueType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The rules a slot's positions keep, on the slot alone. */
class SlotStateProperties {
  static final Table SEQUENCE = Table.incremental("events").primaryKey("id")
      .cursor("seq", ValueType.NUMBER).tiebreaker("id", ValueType.NUMBER);

  static Position at(long cursor, long id) {
    return Position.of(BigDecimal.valueOf(cursor), BigDecimal.valueOf(id));
  }

  /**
   * For any accepted position, lookback, run of delivered rows and late row: the position never
   * moves back, and a rollback lands on a position this call delivered, below the late row — or,
   * when there is none, fails rather than pretend to progress.
   */
  @Property(tries = 1000)
  void positionsOnlyMoveForwardAndARollbackLandsOnADeliveredPosition(
      @ForAll @IntRange(min = 0, max = 50) int accepted,
      @ForAll @IntRange(min = 0, max = 20) int lookback,
      @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 4) Integer> gaps,
      @ForAll @IntRange(min = 0, max = 200) int late) {
    Position acceptedAt = at(accepted, 0);
    SlotState s = SlotState.table(acceptedAt, null, null, null);
    s.startSync(SEQUENCE.lookback(lookback));
    s.beginCall();
    Position start = s.readPoint();
    List<Position> delivered = new ArrayList<>();
    long cursor = accepted - lookback;
    long id = 1;
    for (int gap : gaps) {
      cursor += gap;
      Position p = at(cursor, id++);
      s.advance(p);
      delivered.add(p);
      assertTrue(s.position().compareTo(acceptedAt) >= 0, "the position never moves back");
      assertEquals(p, s.readPoint(), "reading resumes after the last delivered row");
    }
    Position min = at(late, 0);
    List<Position> below = delivered.stream().filter(p -> p.compareTo(min) < 0).toList();
    if (below.isEmpty()) {
      assertThrows(ConnectorFailure.class, () -> s.rollBackBelow(min, "events"));
      return;
    }
    Position furthest = delivered.isEmpty() ? acceptedAt : delivered.get(delivered.size() - 1);
    s.rollBackBelow(min, "events");
    assertEquals(below.get(below.size() - 1), s.readPoint(), "the last delivered row below " + min);
    assertTrue(s.readPoint().compareTo(start) > 0, "past where the call began");
    assertTrue(s.position().compareTo(acceptedAt) >= 0, "the accepted position stays");
    assertTrue(s.position().compareTo(furthest) <= 0 || s.position().equals(acceptedAt),
        "never past what was delivered");
  }

  @Test
  void advancingToOrBehindTheReadPointIsRefusedAndChangesNothing() {
    SlotState s = SlotState.table(at(10, 5), null, null, null);
    s.beginCall();
    assertThrows(IllegalStateException.class, () -> s.advance(at(10, 5)));
    assertThrows(IllegalStateException.class, () -> s.advance(at(9, 99)));
    assertEquals(at(10, 5), s.position());
    s.advance(at(10, 6));
    assertEquals(at(10, 6), s.position());
  }

  @Test
  void aLookbackPassMovesTheRereadPointAndLeavesThePositionUntilItPassesIt() {
    SlotState s = SlotState.table(at(100, 1), null, null, null);
    s.startSync(SEQUENCE.lookback(10));
    assertEquals(Position.of(BigDecimal.valueOf(90), null), s.readPoint(),
        "before every row with cursor 90");
    s.beginCall();
    s.advance(at(95, 3));
    assertEquals(at(100, 1), s.position());
    assertEquals(at(95, 3), s.readPoint());
    s.advance(at(101, 1));
    assertEquals(at(101, 1), s.position());
    assertNull(s.reread(), "the pass caught up with the position");
  }

  @Test
  void aRollbackBehindTheAcceptedPositionRereadsInsteadOfMovingItBack() {
    SlotState s = SlotState.table(at(100, 1), null, null, null);
    s.startSync(SEQUENCE.lookback(10));
    s.beginCall();
    s.advance(at(92, 1));
    s.advance(at(96, 1));
    s.advance(at(104, 1));
    s.rollBackBelow(at(97, 0), "events");
    assertEquals(at(100, 1), s.position(), "accepted before this call: stays");
    assertEquals(at(96, 1), s.readPoint(), "re-reads from the last verified row");
  }

  @Test
  void tailRowsAreDeliveredOncePerSyncAndTheirPlaceGoesWithTheSync() {
    Table t = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
    Position finite = Position.of(Instant.parse("2024-05-01T00:00:00Z"), BigDecimal.ONE);
    SlotState s = SlotState.table(finite, null, null, null);
    s.startSync(t.lookback(Duration.ZERO));
    s.beginCall();
    Position inf1 = Position.of(Instant.MAX, BigDecimal.ONE);
    Position inf2 = Position.of(Instant.MAX, BigDecimal.valueOf(2));
    s.advanceTail(inf2);
    s.advanceTail(inf1);
    assertEquals(inf2, s.tail(), "a tail never moves back");
    assertEquals(finite, s.position(), "the position never reaches +infinity rows");
    s.endSync();
    assertNull(s.tail());
    assertEquals(finite, s.readPoint());
  }

  @Test
  void aPartitionRolledBackToItsStartHasNoPositionAndSaysSo() {
    SlotState p = SlotState.partition(null);
    p.beginCall();
    p.advance(at(5, 1));
    ConnectorFailure e = assertThrows(ConnectorFailure.class,
        () -> p.rollBackBelow(at(3, 0), "order_lines"));
    assertTrue(e.getMessage().contains("order_lines") && e.getMessage().contains("ORDER BY"),
        e.getMessage());
    assertNull(p.position());
  }
}
