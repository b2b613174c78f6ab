package dev.tributary;

import java.time.Instant;
import java.util.Optional;

/**
 * One request from the engine to the connector: "give me rows of {@code table} after
 * {@code after}, below {@code upTo}, about {@code pageSize} of them".
 *
 * @param table the table to read
 * @param after the position to resume strictly after; empty on a table's first sync (read from the
 *     beginning). See {@link Position#isInclusiveOfCursor()}.
 * @param upTo the window's exclusive upper bound on the cursor (an {@link Instant} for timestamp
 *     cursors, a {@link java.time.LocalDate} for date cursors); empty when unbounded (full refresh,
 *     number and string cursors). Rows at or past it belong to the next sync — except rows whose
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

  /** The upper bound as an instant, for timestamp cursors. */
  public Optional<Instant> upToInstant() {
    return upTo.filter(Instant.class::isInstance).map(Instant.class::cast);
  }

  /** Column names only; never secrets or row values. */
  @Override
  public String toString() {
    return "TableRead(" + table.name() + ", after=" + after.map(Position::toString).orElse("start")
        + ", upTo=" + upTo.map(Object::toString).orElse("none") + ", pageSize=" + pageSize
        + (parent.isPresent() ? ", parent=" + parent.get() : "") + ")";
  }
}
