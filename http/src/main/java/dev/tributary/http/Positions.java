package dev.tributary.http;

import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Table;
import java.util.Optional;

/**
 * A row's position exactly as the engine computes it (same normalisation and comparison), so
 * the pagers agree with the engine about what "after" means.
 */
final class Positions {
  private Positions() {}

  static Position of(Table t, Row row) {
    return t.positionOf(row);
  }

  static int compare(Position a, Position b) {
    return a.compareTo(b);
  }

  /** True if {@code row} is at or before {@code after} (a re-sent row of an inclusive filter). */
  static boolean atOrBefore(Table t, Row row, Optional<Position> after) {
    return after.isPresent() && compare(of(t, row), after.get()) <= 0;
  }

  /** True if the row's cursor is at or past the window's upper bound. */
  static boolean beyond(Table t, Row row, Optional<Object> upTo) {
    // (upTo, no tiebreaker) sorts before every row whose cursor is upTo.
    return upTo.isPresent() && t.isIncremental()
        && of(t, row).compareTo(Position.of(upTo.get(), null)) >= 0;
  }
}
