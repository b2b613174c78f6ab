package dev.tributary;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * One request from the engine to the connector: "give me rows of {@code table} after
 * {@code after}, below {@code upTo}, about {@code pageSize} of them".
 *
 * @param table the table to read
 * @param after the position to resume strictly after; empty on a table's first sync (read from the
 *     beginning). See {@link Position#isInclusiveOfCursor()}.
 * <p>The typed accessors — {@code afterCursor…}, {@code afterTiebreaker…} and {@code upTo…}, each
 * in {@code Instant}, {@code Date}, {@code Number} and {@code String} — hand over the values as
 * the table declares them, so a connector needs no casts. Asking for a type the table does not
 * declare is a bug in the connector and fails at once, naming the table and its declared type.
 *
 * @param upTo the window's exclusive upper bound on the cursor (an {@link Instant} for timestamp
 *     cursors, a {@link LocalDate} for date cursors, a {@link BigDecimal} or {@link String} for
 *     number and string cursors whose connector gives a {@link Connector#visibilityHorizon});
 *     empty when unbounded (full refresh, no visibility horizon). Rows at or past it belong to the
 *     next sync — except rows whose
 *     cursor is +infinity (PostgreSQL's {@code 'infinity'}), which no sync's bound ever covers:
 *     return them too, after the others ({@code cursor < upTo OR cursor = 'infinity'}), and the
 *     engine delivers them once per sync without moving the position onto them.
 * @param pageSize how many rows to return, a hint: fewer or more are fine
 * @param parent for a child table, the parent row whose children to read
 * @param secrets the connection's secrets
 * @param deadline when the engine must stop reading; long source calls should give up by then
 * @param syncId the {@code sync_id} Fivetran sent with the call (any format, redacted); empty when
 *     it sent none. Put it on your own log lines so they join the engine's; the HTTP toolkit's and
 *     the cache's lines carry it already.
 */
public record TableRead(
    Table table,
    Optional<Position> after,
    Optional<Object> upTo,
    int pageSize,
    Optional<Row> parent,
    Secrets secrets,
    Instant deadline,
    Optional<String> syncId) {

  /** A read without a {@code sync_id} (as in a connector's own tests). */
  public TableRead(Table table, Optional<Position> after, Optional<Object> upTo, int pageSize,
      Optional<Row> parent, Secrets secrets, Instant deadline) {
    this(table, after, upTo, pageSize, parent, secrets, deadline, Optional.empty());
  }

  /**
   * This read resumed strictly after {@code position}: what a pager hands on when it reads one
   * request's rows in several source pages.
   */
  public TableRead resumedAfter(Position position) {
    return new TableRead(table, Optional.of(position), upTo, pageSize, parent, secrets, deadline);
  }

  /** {@link #after()}'s cursor, for a {@link ValueType#TIMESTAMP} cursor. */
  public Optional<Instant> afterCursorInstant() {
    return cursor(after.map(Position::cursor), ValueType.TIMESTAMP, Instant.class, "afterCursor");
  }

  /** {@link #after()}'s cursor, for a {@link ValueType#DATE} cursor. */
  public Optional<LocalDate> afterCursorDate() {
    return cursor(after.map(Position::cursor), ValueType.DATE, LocalDate.class, "afterCursor");
  }

  /** {@link #after()}'s cursor, for a {@link ValueType#NUMBER} cursor. */
  public Optional<BigDecimal> afterCursorNumber() {
    return cursor(after.map(Position::cursor), ValueType.NUMBER, BigDecimal.class, "afterCursor");
  }

  /** {@link #after()}'s cursor, for a {@link ValueType#STRING} cursor. */
  public Optional<String> afterCursorString() {
    return cursor(after.map(Position::cursor), ValueType.STRING, String.class, "afterCursor");
  }

  /**
   * {@link #after()}'s tiebreaker, for a {@link ValueType#TIMESTAMP} tiebreaker; empty also when
   * the position sits before every row of its cursor value ({@link Position#isInclusiveOfCursor}).
   */
  public Optional<Instant> afterTiebreakerInstant() {
    return tiebreaker(ValueType.TIMESTAMP, Instant.class);
  }

  /** {@link #after()}'s tiebreaker, for a {@link ValueType#DATE} tiebreaker (see {@link #afterTiebreakerInstant}). */
  public Optional<LocalDate> afterTiebreakerDate() {
    return tiebreaker(ValueType.DATE, LocalDate.class);
  }

  /** {@link #after()}'s tiebreaker, for a {@link ValueType#NUMBER} tiebreaker (see {@link #afterTiebreakerInstant}). */
  public Optional<BigDecimal> afterTiebreakerNumber() {
    return tiebreaker(ValueType.NUMBER, BigDecimal.class);
  }

  /** {@link #after()}'s tiebreaker, for a {@link ValueType#STRING} tiebreaker (see {@link #afterTiebreakerInstant}). */
  public Optional<String> afterTiebreakerString() {
    return tiebreaker(ValueType.STRING, String.class);
  }

  /** The window's upper bound, for a {@link ValueType#TIMESTAMP} cursor. */
  public Optional<Instant> upToInstant() {
    return cursor(upTo, ValueType.TIMESTAMP, Instant.class, "upTo");
  }

  /** The window's upper bound, for a {@link ValueType#DATE} cursor: rows of that day wait. */
  public Optional<LocalDate> upToDate() {
    return cursor(upTo, ValueType.DATE, LocalDate.class, "upTo");
  }

  /** The visibility horizon, for a {@link ValueType#NUMBER} cursor. */
  public Optional<BigDecimal> upToNumber() {
    return cursor(upTo, ValueType.NUMBER, BigDecimal.class, "upTo");
  }

  /** The visibility horizon, for a {@link ValueType#STRING} cursor. */
  public Optional<String> upToString() {
    return cursor(upTo, ValueType.STRING, String.class, "upTo");
  }

  /** A cursor value as {@code wanted}; a full-refresh table has none. */
  private <T> Optional<T> cursor(Optional<Object> value, ValueType wanted, Class<T> type,
      String accessor) {
    if (table.isIncremental()) {
      requireDeclared("cursor", table.cursorType(), wanted, accessor);
    }
    return value.map(type::cast);
  }

  private <T> Optional<T> tiebreaker(ValueType wanted, Class<T> type) {
    requireDeclared("tiebreaker", table.tiebreakerType(), wanted, "afterTiebreaker");
    return after.flatMap(Position::tiebreaker).map(type::cast);
  }

  private void requireDeclared(String column, ValueType declared, ValueType wanted,
      String accessor) {
    if (declared != wanted) {
      throw new IllegalStateException("table " + table.name() + " declares its " + column + " "
          + (column.equals("cursor") ? table.cursorColumn().orElse("") : table.tiebreakerColumn())
          + " as " + declared + ", not " + wanted + ": call " + accessor + suffix(declared)
          + "() instead of " + accessor + suffix(wanted) + "()");
    }
  }

  private static String suffix(ValueType type) {
    return switch (type) {
      case TIMESTAMP -> "Instant";
      case DATE -> "Date";
      case NUMBER -> "Number";
      case STRING -> "String";
    };
  }

  /** Column names only; never secrets or row values. */
  @Override
  public String toString() {
    return "TableRead(" + table.name() + ", after=" + after.map(Position::toString).orElse("start")
        + ", upTo=" + upTo.map(Object::toString).orElse("none") + ", pageSize=" + pageSize
        + (parent.isPresent() ? ", parent=" + parent.get() : "") + ")";
  }
}
