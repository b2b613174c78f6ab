package dev.tributary.internal;

import dev.tributary.OrderCheck;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Table;
import java.util.List;

/**
 * Takes one page of a table (or partition) into the response: emits its rows in order, moves the
 * slot past the ones inside the window, reads a parent row's children before moving past the
 * parent, and decides how the page ended. Holds what it has seen of the page so far; one object
 * per page.
 */
final class PageProcessor {
  /** Reads one parent row's partition of a child table. */
  interface ChildReader {
    PageEnd read(Table child, Table parent, Row parentRow);
  }

  private final Call call;
  private final OrderCheck orderCheck;
  private final Table table;
  private final Slot slot;
  private final SlotState state;
  private final Position from;
  private final Page page;
  private final List<Table> children;
  private final Object upTo;
  private final ChildReader childReader;
  private final String cursorColumn;
  private final String tiebreakerColumn;
  private final String[] primaryKey;
  /** The key values of the row {@link #positionOf} last read, and their hash. */
  private final Object[] keyValues;
  private long keyHash;
  /**
   * What the destination holds of a full-refresh or lookback table, or of a child table's
   * forgotten partitions; null for other tables.
   */
  private final Digest digest;

  /** The last row seen in order; the rows after it must sort after it. */
  private Position lastSeen;
  /** Tolerant mode: the smallest row that came after a larger one. */
  private Position outOfOrderMin;
  /** Still among the rows an inclusive source re-sends at or before {@link #from}. */
  private boolean leading = true;
  /** A finite row at or past the window's end: the table's pass ends with this page. */
  private boolean beyond;
  private int delivered;

  /**
   * @param from where the read resumed (strictly after); null for the start
   * @param childReader reads children of a top-level table's rows; a partition has none
   */
  PageProcessor(Call call, OrderCheck orderCheck, Table table, Slot slot, SlotState state,
      Position from, Page page, ChildReader childReader) {
    this.call = call;
    this.orderCheck = orderCheck;
    this.table = table;
    this.slot = slot;
    this.state = state;
    this.from = from;
    this.page = page;
    this.children = slot.isPartition() ? List.of() : call.schema.childrenOf(table.name());
    this.upTo = call.state.upTo(table);
    this.childReader = childReader;
    this.cursorColumn = table.isIncremental() ? table.cursorColumn().orElseThrow() : null;
    this.tiebreakerColumn = table.tiebreakerColumn();
    this.primaryKey = table.primaryKey().toArray(new String[0]);
    this.keyValues = new Object[primaryKey.length];
    this.digest = slot.isPartition() ? call.childDigest(table) : call.digest(table);
  }

  /** Processes the page; the slot has moved past exactly what the response now holds. */
  PageEnd run() {
    List<Row> rows = page.rows();
    for (int i = 0; i < rows.size(); i++) {
      PageEnd stopped = take(rows.get(i));
      if (stopped != null) {
        return cut(rows, i + 1, stopped);
      }
    }
    if (outOfOrderMin != null) {
      state.rollBackBelow(outOfOrderMin, table.name());
      return PageEnd.PAUSED;
    }
    if (beyond || !page.hasMore()) {
      return PageEnd.DONE;
    }
    if (delivered == 0) {
      if (!rows.isEmpty()) {
        return PageEnd.NO_PROGRESS;
      }
      throw new ConnectorFailure("table " + table.name() + " returned an empty page with"
          + " hasMore=true after " + (from == null ? "the start" : from.toString())
          + "; return hasMore=false when there are no more rows");
    }
    return PageEnd.CONTINUE;
  }

  /** Takes one row; null to go on with the page, else how the call stopped inside it. */
  private PageEnd take(Row row) {
    if (row == null) {
      throw new ConnectorFailure("table " + table.name() + ": a page holds a null row");
    }
    Position rp = positionOf(row);
    if (leading && from != null && rp.compareTo(from) <= 0) {
      dropResent(rp);
      return null;
    }
    leading = false;
    checkOrder(rp);
    boolean inWindow = upTo == null || Position.compareValues(rp.cursor(), upTo) < 0;
    // A +infinity cursor is past every horizon, so no later sync would ever deliver the row: a
    // top-level table delivers it in every sync, tracking its place among such rows in
    // tail_after (the position never reaches them). A finite row past the horizon ends the
    // table's pass; it comes in a later sync.
    boolean tailRow = !inWindow && !slot.isPartition() && rp.isCursorPositiveInfinity();
    beyond |= !inWindow && !tailRow;
    boolean parentAlreadySent = !children.isEmpty() && state.isParentAlreadySent(rp);
    if (!parentAlreadySent && !deliver(row, rp)) {
      return PageEnd.STOPPED;
    }
    delivered++;
    PageEnd childrenEnd = readChildren(row, rp);
    if (childrenEnd != null) {
      return childrenEnd;
    }
    if (inWindow && outOfOrderMin == null) {
      state.advance(rp);
    } else if (tailRow && outOfOrderMin == null && !beyond) {
      state.advanceTail(rp);
    }
    return null;
  }

  /**
   * Sends the row — or, for a table with a digest that already holds it as it is, moves past it
   * without sending it. False if the call stops first.
   */
  private boolean deliver(Row row, Position rp) {
    boolean noting = slot.isPartition() && call.notingPartitionRows();
    if (digest == null && !noting) {
      return call.emit(table, slot, row, rp, keyHash);
    }
    String key = call.keyJson(table, row);
    if (row.isDelete()) {
      if (!call.emit(table, slot, row, rp, keyHash)) {
        return false;
      }
      if (digest != null) {
        digest.forget(key); // gone from the destination: a row with this key is new again
      }
      if (noting) {
        call.partitionDelete(key);
      }
      return true;
    }
    long hash = call.rowHash(row);
    if (digest != null && digest.holds(key, hash)) {
      if (!call.passUnchanged(slot, rp)) {
        return false;
      }
    } else if (!call.emit(table, slot, row, rp, keyHash)) {
      return false;
    }
    if (noting) {
      call.partitionRow(key, hash);
    }
    if (!slot.isPartition()) {
      call.remember(table, digest, key, hash);
    } else if (digest != null && digest.contains(key)) {
      call.remember(table, digest, key, hash); // what it remembers stays what was sent last
    }
    return true;
  }

  /**
   * An inclusive source filter (cursor >= x) re-sends the rows at the position's cursor value;
   * rows before that value mean the source ignored read.after().
   */
  private void dropResent(Position rp) {
    boolean beforeCursor = from.cursor() != null
        ? Position.compareValues(rp.cursor(), from.cursor()) < 0
        : rp.compareTo(from) < 0;
    if (orderCheck == OrderCheck.STRICT && beforeCursor) {
      throw new ConnectorFailure("table " + table.name() + " returned " + rp + ", which is before "
          + "read.after() " + from + "; a read must filter on the position (or set"
          + " TRIBUTARY_ORDER_CHECK=TOLERANT to drop such rows)");
    }
    call.budget.countDropped();
  }

  private void checkOrder(Position rp) {
    if (lastSeen != null && rp.compareTo(lastSeen) <= 0) {
      if (orderCheck == OrderCheck.STRICT) {
        throw outOfOrder(rp, lastSeen);
      }
      outOfOrderMin = min(outOfOrderMin, rp);
    } else if (outOfOrderMin == null) {
      lastSeen = rp;
    } else {
      outOfOrderMin = min(outOfOrderMin, rp);
    }
  }

  /** Reads a delivered parent's children; null when they are all in, else how they stopped. */
  private PageEnd readChildren(Row row, Position rp) {
    if (children.isEmpty() || row.isDelete()) {
      return null;
    }
    state.readingChildrenOf(rp);
    call.budget.allow(slot, call.codec.positionBytes(rp));
    for (Table child : children) {
      PageEnd o = childReader.read(child, table, row);
      if (o == PageEnd.STOPPED || o == PageEnd.PAUSED) {
        return o;
      }
    }
    state.childrenRead();
    return null;
  }

  /**
   * The call stops inside the page with rows {@code rest..} of it unsent. The position must not
   * pass any of them: a row of the unsent rest that sorts before the last row seen is a late row
   * (an error in strict mode, where the call would otherwise commit past it unnoticed). In
   * tolerant mode every late row — seen, refused or unsent — proves that positions past it were
   * not verified: move back below the smallest, exactly as at the end of a page.
   */
  private PageEnd cut(List<Row> rows, int rest, PageEnd end) {
    Position late = outOfOrderMin;
    for (int i = rest; lastSeen != null && i < rows.size(); i++) {
      Position up = unsentPosition(rows.get(i));
      if (up == null || up.compareTo(lastSeen) > 0) {
        continue;
      }
      if (orderCheck == OrderCheck.STRICT) {
        throw outOfOrder(up, lastSeen);
      }
      late = min(late, up);
    }
    if (late != null) {
      state.rollBackBelow(late, table.name());
    }
    return end;
  }

  /** A not-yet-processed row's position; null if it has none (the next call reports that row). */
  private Position unsentPosition(Row row) {
    try {
      return row == null ? null : table.positionOf(row);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The row's position, normalised exactly as {@link Table#positionOf} does it (same messages),
   * and its key hash: each of the row's cursor, tiebreaker and key columns is looked up once.
   */
  private Position positionOf(Row row) {
    Object cursorRaw = cursorColumn == null ? null : row.get(cursorColumn);
    Object tiebreakerRaw = row.get(tiebreakerColumn);
    for (int i = 0; i < primaryKey.length; i++) {
      String pk = primaryKey[i];
      Object v = pk.equals(tiebreakerColumn) ? tiebreakerRaw
          : pk.equals(cursorColumn) ? cursorRaw : row.get(pk);
      if (v == null) {
        throw new ConnectorFailure("table " + table.name() + ": a "
            + (row.isDelete() ? "delete" : "row") + " has no value for primary-key column " + pk
            + "; every row and delete must carry the whole primary key " + table.primaryKey());
      }
      keyValues[i] = v;
    }
    keyHash = KeySet.keyHash(table, keyValues);
    Object cursor = null;
    if (cursorColumn != null) {
      try {
        cursor = table.cursorType().normalize(cursorRaw);
      } catch (IllegalArgumentException e) {
        throw rowFailure("table " + table.name() + ": cursor column " + cursorColumn + " "
            + e.getMessage(), row);
      }
    }
    try {
      return Position.of(cursor, table.tiebreakerType().normalize(tiebreakerRaw));
    } catch (IllegalArgumentException e) {
      throw rowFailure("table " + table.name() + ": tiebreaker column " + tiebreakerColumn + " "
          + e.getMessage(), row);
    }
  }

  private ConnectorFailure rowFailure(String message, Row row) {
    return new ConnectorFailure(message + " (row with primary key " + Call.keyOf(table, row) + ")");
  }

  private ConnectorFailure outOfOrder(Position rp, Position after) {
    return new ConnectorFailure("table " + table.name() + " returned rows out of order: "
        + rp + " after " + after + "; read must return rows in ascending (cursor,"
        + " tiebreaker) order, strictly after read.after() (or set"
        + " TRIBUTARY_ORDER_CHECK=TOLERANT to commit only verified positions)");
  }

  private static Position min(Position a, Position b) {
    return a == null || b.compareTo(a) < 0 ? b : a;
  }
}
