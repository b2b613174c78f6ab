package dev.tributary;

/** What the engine does when a source returns rows out of the declared order. */
public enum OrderCheck {
  /** Fail the call with an error that names the table and both positions (default). */
  STRICT,
  /**
   * Deliver the rows, but commit the table's position only up to the last row known to precede
   * everything read after it, then resume from there in the next call. A source that stays out of
   * order so that no progress is possible still fails, rather than repeating rows for ever.
   */
  TOLERANT
}
