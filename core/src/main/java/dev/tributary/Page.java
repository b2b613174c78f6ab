package dev.tributary;

import java.util.List;
import java.util.Objects;

/**
 * What one {@link Connector#read(TableRead)} returns: rows in ascending
 * {@code (cursor, tiebreaker)} order, and whether the source has more rows in the window after
 * the last of them.
 *
 * @param rows the rows, upserts and deletes interleaved, in read order; may be empty only when
 *     {@code hasMore} is false
 * @param hasMore true if another read after the last row would return more rows below the
 *     window's upper bound
 */
public record Page(List<Row> rows, boolean hasMore) {
  public Page {
    rows = List.copyOf(Objects.requireNonNull(rows, "rows"));
  }

  /** A page with more to come after it. */
  public static Page more(List<Row> rows) {
    return new Page(rows, true);
  }

  /** The last page of the window. */
  public static Page last(List<Row> rows) {
    return new Page(rows, false);
  }

  /** No rows: the window is exhausted. */
  public static Page empty() {
    return new Page(List.of(), false);
  }
}
