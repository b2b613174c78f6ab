package dev.tributary;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A table the connector delivers: its name, primary key and how it is synced.
 *
 * <ul>
 *   <li>{@link #incremental(String)}: read in ascending {@code (cursor, tiebreaker)} order after a
 *       stored position, up to the sync's horizon. The tiebreaker must be unique among rows that
 *       share a cursor value (usually the primary key).
 *   <li>{@link #fullRefresh(String)}: read whole on every sync, paged by the tiebreaker (by default
 *       the single primary-key column), so even a large table checkpoints between responses.
 *   <li>{@link #partitionedBy(String)}: a child table read once per parent row the sync delivers,
 *       with a position per parent (capped; see {@link EngineConfig.Builder#maxPartitions}).
 *       Children are read for the parent rows a sync delivers: declare the parent full refresh
 *       (every sync lists every parent) unless a change to a child always changes its parent.
 * </ul>
 *
 * <p>Immutable: every method returns a new table.
 *
 * <pre>{@code
 * Table.incremental("orders").primaryKey("id").cursor("updated_at").tiebreaker("id", ValueType.NUMBER)
 * Table.fullRefresh("currencies").primaryKey("code")
 * }</pre>
 */
public final class Table {
  /** How a table is synced. */
  public enum Strategy {
    INCREMENTAL,
    FULL_REFRESH
  }

  private final String name;
  private final Strategy strategy;
  private final List<String> primaryKey;
  private final String cursor;
  private final ValueType cursorType;
  private final String tiebreaker;
  private final ValueType tiebreakerType;
  private final String parent;
  private final Duration lookback;
  private final long lookbackValues;
  private final boolean softDelete;
  private final boolean deleteMissing;

  private Table(String name, Strategy strategy, List<String> primaryKey, String cursor,
      ValueType cursorType, String tiebreaker, ValueType tiebreakerType, String parent,
      Duration lookback, long lookbackValues, boolean softDelete, boolean deleteMissing) {
    this.name = name;
    this.strategy = strategy;
    this.primaryKey = primaryKey;
    this.cursor = cursor;
    this.cursorType = cursorType;
    this.tiebreaker = tiebreaker;
    this.tiebreakerType = tiebreakerType;
    this.parent = parent;
    this.lookback = lookback;
    this.lookbackValues = lookbackValues;
    this.softDelete = softDelete;
    this.deleteMissing = deleteMissing;
  }

  /** An incremental table; declare {@link #primaryKey}, {@link #cursor} and {@link #tiebreaker}. */
  public static Table incremental(String name) {
    return new Table(checkName(name), Strategy.INCREMENTAL, List.of(), null, ValueType.TIMESTAMP,
        null, ValueType.STRING, null, Duration.ZERO, 0, false, false);
  }

  /** A full-refresh table; declare {@link #primaryKey} (and a {@link #tiebreaker} if it is composite). */
  public static Table fullRefresh(String name) {
    return new Table(checkName(name), Strategy.FULL_REFRESH, List.of(), null, null, null,
        ValueType.STRING, null, Duration.ZERO, 0, false, false);
  }

  /** The primary key, in order; composite keys are allowed. */
  public Table primaryKey(String... columns) {
    if (columns.length == 0) {
      throw new IllegalArgumentException("primaryKey of " + name + " needs at least one column");
    }
    List<String> pk = List.of(columns);
    if (pk.stream().distinct().count() != pk.size()) {
      throw new IllegalArgumentException("primaryKey of " + name + " repeats a column: " + pk);
    }
    return new Table(name, strategy, pk, cursor, cursorType, tiebreaker, tiebreakerType, parent,
        lookback, lookbackValues, softDelete, deleteMissing);
  }

  /** The cursor column, a {@link ValueType#TIMESTAMP}. */
  public Table cursor(String column) {
    return cursor(column, ValueType.TIMESTAMP);
  }

  /** The cursor column and its type. Only incremental tables have a cursor. */
  public Table cursor(String column, ValueType type) {
    if (strategy != Strategy.INCREMENTAL) {
      throw new IllegalArgumentException(name + " is a full-refresh table and has no cursor");
    }
    return new Table(name, strategy, primaryKey, checkName(column), Objects.requireNonNull(type),
        tiebreaker, tiebreakerType, parent, lookback, lookbackValues, softDelete, deleteMissing);
  }

  /** The tiebreaker column, compared as a {@link ValueType#STRING}. */
  public Table tiebreaker(String column) {
    return tiebreaker(column, ValueType.STRING);
  }

  /**
   * The tiebreaker column and its type: unique among rows that share a cursor value, and sorted
   * by the source the same way the engine compares it (declare numeric ids as
   * {@link ValueType#NUMBER}).
   */
  public Table tiebreaker(String column, ValueType type) {
    return new Table(name, strategy, primaryKey, cursor, cursorType, checkName(column),
        Objects.requireNonNull(type), parent, lookback, lookbackValues, softDelete, deleteMissing);
  }

  /** Makes this a child table: read once per row of {@code parentTable} that a sync delivers. */
  public Table partitionedBy(String parentTable) {
    return new Table(name, strategy, primaryKey, cursor, cursorType, tiebreaker, tiebreakerType,
        checkName(parentTable), lookback, lookbackValues, softDelete, deleteMissing);
  }

  /**
   * Re-read this window behind the stored position at the start of every sync, for sources whose
   * writes can become visible later than the settle lag. The position never moves backwards;
   * rows inside the window are delivered again (costing Monthly Active Rows, never correctness).
   * Timestamp and date cursors only.
   */
  public Table lookback(Duration window) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("lookback of " + name + " is negative: " + window);
    }
    return new Table(name, strategy, primaryKey, cursor, cursorType, tiebreaker, tiebreakerType,
        parent, window, lookbackValues, softDelete, deleteMissing);
  }

  /**
   * Re-read the last {@code values} cursor values behind the stored position at the start of
   * every sync — for a {@link ValueType#NUMBER} cursor (a sequence) whose source cannot tell which
   * values are still in flight ({@link Connector#visibilityHorizon}): a row whose id was taken
   * before others but committed after them is found if it lies within the window. The position
   * never moves back; rows inside the window are delivered again.
   */
  public Table lookback(long values) {
    if (values < 0) {
      throw new IllegalArgumentException("lookback of " + name + " is negative: " + values);
    }
    return new Table(name, strategy, primaryKey, cursor, cursorType, tiebreaker, tiebreakerType,
        parent, lookback, values, softDelete, deleteMissing);
  }

  /** The numeric lookback window: how many cursor values each sync re-reads (0: none). */
  public long lookbackValues() {
    return lookbackValues;
  }

  /** Deletes of this table are soft: Fivetran marks rows {@code _fivetran_deleted} instead of removing them. */
  public Table softDelete() {
    return new Table(name, strategy, primaryKey, cursor, cursorType, tiebreaker, tiebreakerType,
        parent, lookback, lookbackValues, true, deleteMissing);
  }

  /**
   * A full-refresh table whose rows that the source stops returning are deleted in the
   * destination (soft-deleted if the table is {@link #softDelete()}): after a complete pass over
   * the table, every key the previous complete pass delivered and this one did not meet is sent
   * as a delete. Only a complete pass deletes — a call that stops part-way, or fails, deletes
   * nothing. Keys the state does not remember ({@link EngineConfig.Builder#maxDigestRows},
   * or a reset state) cannot be found missing: their rows stay.
   */
  public Table deleteMissing() {
    return new Table(name, strategy, primaryKey, cursor, cursorType, tiebreaker, tiebreakerType,
        parent, lookback, lookbackValues, softDelete, true);
  }

  public String name() {
    return name;
  }

  public Strategy strategy() {
    return strategy;
  }

  public boolean isIncremental() {
    return strategy == Strategy.INCREMENTAL;
  }

  public List<String> primaryKey() {
    return primaryKey;
  }

  /** The cursor column; empty for a full-refresh table. */
  public Optional<String> cursorColumn() {
    return Optional.ofNullable(cursor);
  }

  /** The cursor's type; {@code null} for a full-refresh table. */
  public ValueType cursorType() {
    return cursorType;
  }

  /** The tiebreaker column (for full refresh, the single primary-key column unless declared). */
  public String tiebreakerColumn() {
    if (tiebreaker == null && strategy == Strategy.FULL_REFRESH && primaryKey.size() == 1) {
      return primaryKey.get(0);
    }
    return tiebreaker;
  }

  public ValueType tiebreakerType() {
    return tiebreakerType;
  }

  /** The parent table of a child table. */
  public Optional<String> parent() {
    return Optional.ofNullable(parent);
  }

  public Duration lookback() {
    return lookback;
  }

  public boolean isSoftDelete() {
    return softDelete;
  }

  /** True for a full-refresh table that deletes the rows its source no longer returns. */
  public boolean isDeleteMissing() {
    return deleteMissing;
  }

  /**
   * The row's position in this table's read order, normalised exactly as the engine does it:
   * what a pager or source helper compares with {@link TableRead#after()}.
   *
   * @throws IllegalArgumentException naming the column whose value is missing or of the wrong type
   */
  public Position positionOf(Row row) {
    Object cursorValue = null;
    if (isIncremental()) {
      try {
        cursorValue = cursorType.normalize(row.get(cursor));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("table " + name + ": cursor column " + cursor + " "
            + e.getMessage());
      }
    }
    String tb = tiebreakerColumn();
    try {
      return Position.of(cursorValue,
          tiebreakerType.normalize(row.get(tb)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("table " + name + ": tiebreaker column " + tb + " "
          + e.getMessage());
    }
  }

  /** Checks the declaration is complete; the message names what to add. */
  void validate() {
    if (primaryKey.isEmpty()) {
      throw new IllegalArgumentException("table " + name + " has no primary key; call .primaryKey(...)");
    }
    if (strategy == Strategy.INCREMENTAL && cursor == null) {
      throw new IllegalArgumentException("incremental table " + name + " has no cursor; call .cursor(...)");
    }
    if (tiebreakerColumn() == null) {
      throw new IllegalArgumentException("table " + name + " has no tiebreaker; call .tiebreaker(...)"
          + " with a column unique among rows that share a cursor value");
    }
    if (!lookback.isZero()
        && (cursorType != ValueType.TIMESTAMP && cursorType != ValueType.DATE)) {
      throw new IllegalArgumentException("table " + name
          + " declares a lookback but its cursor is not a timestamp or date");
    }
    if (lookbackValues != 0 && cursorType != ValueType.NUMBER) {
      throw new IllegalArgumentException("table " + name
          + " declares a lookback of values but its cursor is not a number; use lookback(Duration)");
    }
    if (deleteMissing && (strategy != Strategy.FULL_REFRESH || parent != null)) {
      throw new IllegalArgumentException("table " + name + " declares deleteMissing() but is not a"
          + " top-level full-refresh table: only a table read whole every sync can tell a row is"
          + " gone; send deletes (Row.delete) from an incremental table instead");
    }
    if ((!lookback.isZero() || lookbackValues != 0) && parent != null) {
      throw new IllegalArgumentException("child table " + name + " cannot declare a lookback");
    }
  }

  private static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name is blank");
    }
    return name;
  }

  @Override
  public String toString() {
    return "Table(" + name + ", " + strategy + ", pk=" + primaryKey
        + (cursor == null ? "" : ", cursor=" + cursor + " " + cursorType)
        + ", tiebreaker=" + tiebreakerColumn() + (parent == null ? "" : ", parent=" + parent)
        + (deleteMissing ? ", deleteMissing" : "") + ")";
  }
}
