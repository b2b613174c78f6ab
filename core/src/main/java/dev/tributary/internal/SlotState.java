package dev.tributary.internal;

import dev.tributary.Position;
import dev.tributary.Table;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one slot's reading stands — a top-level table or one partition of a child table — and
 * the rules its positions keep: the committed position only moves forward, and a tolerant
 * rollback never goes behind where this call began nor behind the position accepted before it.
 *
 * <p>Besides the position a top-level slot may hold, for the sync in progress, a re-read point
 * (a lookback pass behind the position), a tail (its place among the +infinity rows, which no
 * horizon covers and which are delivered once per sync) and a children marker (a parent row
 * already delivered whose children are still being read). A partition holds only its position.
 *
 * <p>One call's working copy; not thread-safe.
 */
final class SlotState {
  private final boolean topLevel;
  private Position position;
  private Position reread;
  private Position tail;
  private Position childrenOf;

  // This call's view: where reading stood when it began, what was accepted then, and — in
  // tolerant mode only, the one that rolls back — every position this call moved the slot to (a
  // rollback returns to one of them). Strict mode keeps nothing per row.
  private Position startRead;
  private Position accepted;
  private List<Position> history;
  private boolean paused;
  private boolean beingRead;

  private SlotState(boolean topLevel, Position position, Position reread, Position tail,
      Position childrenOf) {
    this.topLevel = topLevel;
    this.position = position;
    this.reread = reread;
    this.tail = tail;
    this.childrenOf = childrenOf;
  }

  /** A top-level table's slot as state left it. */
  static SlotState table(Position position, Position reread, Position tail, Position childrenOf) {
    return new SlotState(true, position, reread, tail, childrenOf);
  }

  /** A child partition's slot; {@code position} null for a parent not read before. */
  static SlotState partition(Position position) {
    return new SlotState(false, position, null, null, null);
  }

  /** The committed position: everything at or before it has been delivered. */
  Position position() {
    return position;
  }

  Position reread() {
    return reread;
  }

  Position tail() {
    return tail;
  }

  Position childrenOf() {
    return childrenOf;
  }

  /** Where the next read resumes (strictly after it); null for the start. */
  Position readPoint() {
    return tail != null ? tail : reread != null ? reread : position;
  }

  boolean isEmpty() {
    return position == null && reread == null && tail == null && childrenOf == null;
  }

  /**
   * A sync begins: last sync's markers go, and a lookback (a window of time or a number of
   * values behind the position) becomes the point this sync's pass re-reads from.
   */
  void startSync(Table t) {
    childrenOf = null;
    tail = null;
    reread = null;
    if (position == null) {
      return;
    }
    if (!t.lookback().isZero()) {
      reread = Position.of(minus(position.cursor(), t.lookback()), null);
    }
    if (t.lookbackValues() != 0) {
      reread = Position.of(((BigDecimal) position.cursor())
          .subtract(BigDecimal.valueOf(t.lookbackValues())), null);
    }
  }

  /** This sync's pass over the table reached its end: a lookback pass is over too. */
  void passDone() {
    reread = null;
  }

  /** The sync ended: only the position stays. */
  void endSync() {
    reread = null;
    tail = null;
    childrenOf = null;
  }

  /** A call begins, keeping the positions it passes (what {@link #rollBackBelow} needs). */
  void beginCall() {
    beginCall(true);
  }

  /**
   * A call begins: remembers where reading and the accepted position stand.
   *
   * @param keepHistory keep every position this call passes, for {@link #rollBackBelow}
   *     (tolerant mode); without it a rollback can only return to where the call began
   */
  void beginCall(boolean keepHistory) {
    startRead = readPoint();
    accepted = position;
    history = keepHistory ? new ArrayList<>() : null;
    paused = false;
  }

  /**
   * Moves past a delivered row. The position never moves back: a row before it (inside a
   * lookback pass) moves only the re-read point.
   *
   * @throws IllegalStateException if {@code rp} is not after the read point (an engine bug)
   */
  void advance(Position rp) {
    Position at = readPoint();
    if (at != null && rp.compareTo(at) <= 0) {
      throw new IllegalStateException("internal: " + rp + " is not after the read point " + at);
    }
    if (history != null) {
      history.add(rp);
    }
    if (reread != null) {
      reread = position == null || rp.compareTo(position) >= 0 ? null : rp;
    }
    if (position == null || rp.compareTo(position) > 0) {
      position = rp;
    }
    if (childrenOf != null && position.compareTo(childrenOf) >= 0) {
      childrenOf = null;
    }
  }

  /**
   * Moves the tail past a delivered +infinity row; rows at or before the tail were delivered in
   * this sync already. The position stays below them.
   */
  void advanceTail(Position rp) {
    if (!topLevel || (tail != null && rp.compareTo(tail) <= 0)) {
      return;
    }
    if (history != null) {
      history.add(rp);
    }
    tail = rp;
    if (rp.equals(childrenOf)) {
      childrenOf = null;
    }
  }

  /** The parent row {@code rp} is delivered; its children are read before moving past it. */
  void readingChildrenOf(Position rp) {
    childrenOf = rp;
  }

  void childrenRead() {
    childrenOf = null;
  }

  /** True if {@code rp} is the parent row already delivered whose children were being read. */
  boolean isParentAlreadySent(Position rp) {
    return rp.equals(childrenOf);
  }

  /**
   * Tolerant mode: rows arrived out of order, so only positions below the smallest of them,
   * {@code min}, are known to have nothing unread before them. Moves back to the last such
   * position this call reached (or where it began); the position accepted before this call
   * stays, and behind it the slot re-reads instead.
   *
   * @throws ConnectorFailure if that leaves the slot where this call began: the source keeps
   *     returning rows out of order and the slot can never advance
   */
  void rollBackBelow(Position min, String table) {
    Position target = startRead;
    for (int i = history == null ? -1 : history.size() - 1; i >= 0; i--) {
      if (history.get(i).compareTo(min) < 0) {
        target = history.get(i);
        break;
      }
    }
    if (topLevel && target != null && target.isCursorPositiveInfinity()) {
      tail = target; // still among the +infinity rows; the position stays below them
    } else {
      tail = null;
      if (target == null || accepted == null || target.compareTo(accepted) > 0) {
        position = target;
        reread = null;
      } else {
        position = accepted;
        reread = target.compareTo(accepted) < 0 ? target : null;
      }
    }
    Position now = readPoint();
    if (now == null || (startRead != null && now.compareTo(startRead) <= 0)) {
      throw new ConnectorFailure("table " + table + " keeps returning rows out of order ("
          + min + " after later rows) and tolerant mode cannot advance past "
          + (startRead == null ? "the start" : startRead.toString())
          + "; fix the source query's ORDER BY (cursor, tiebreaker)");
    }
  }

  /** Out of order this call: the table waits for the next call. */
  void pause() {
    paused = true;
  }

  boolean isPaused() {
    return paused;
  }

  /** A partition being read right now is never forgotten to make room in the state. */
  void beingRead(boolean reading) {
    beingRead = reading;
  }

  boolean isBeingRead() {
    return beingRead;
  }

  /** The cursor moved back by the window, stopping at the type's -infinity instead of overflowing. */
  static Object minus(Object cursor, Duration window) {
    if (cursor instanceof LocalDate d) {
      long days = (window.toSeconds() + 86_399) / 86_400;
      if (d.equals(LocalDate.MAX)) {
        return d; // +infinity minus a window is still +infinity
      }
      return d.toEpochDay() - LocalDate.MIN.toEpochDay() <= days ? LocalDate.MIN : d.minusDays(days);
    }
    Instant i = (Instant) cursor;
    if (i.equals(Instant.MAX)) {
      return i;
    }
    return i.getEpochSecond() - Instant.MIN.getEpochSecond() <= window.getSeconds() + 1
        ? Instant.MIN : i.minus(window);
  }
}
