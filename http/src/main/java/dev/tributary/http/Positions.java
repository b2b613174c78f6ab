package dev.tributary.http;

import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Table;
import dev.tributary.internal.Values;
import java.util.Optional;

/**
 * A row's position exactly as the engine computes it (same normalisation and comparison), so
 * the pagers agree with the engine about what "after" means.
 */
final class Positions {
  private Positions() {}

  static Position of(Table t, Row row) {
    Object cursor = t.isIncremental()
        ? Values.normalize(t.cursorType(), row.get(t.cursorColumn().orElseThrow())) : null;
    return Position.of(cursor, Values.normalize(t.tiebreakerType(), row.get(t.tiebreakerColumn())));
  }

  static int compare(Position a, Position b) {
    return Values.compare(a, b);
  }

  /** True if {@code row} is at or before {@code after} (a re-sent row of an inclusive filter). */
  static boolean atOrBefore(Table t, Row row, Optional<Position> after) {
    return after.isPresent() && compare(of(t, row), after.get()) <= 0;
  }

  /** True if the row's cursor is at or past the window's upper bound. */
  static boolean beyond(Table t, Row row, Optional<Object> upTo) {
    return upTo.isPresent() && t.isIncremental()
        && Values.compare(of(t, row).cursor(), upTo.get()) >= 0;
  }
}
