package dev.tributary;

/** What the engine does when a source returns rows out of the declared order. */
public enum OrderCheck {
  /** Fail the call with an error that names the table and both positions (default). */
  STRICT,
  /**
   * Deliver the rows, but commit the table's position only up to the last row known to precede
   * everything read after it, then resume from there in the next call; rows before the position's
   * cursor value are dropped rather than failing the call. A source that stays out of order so
   * that no progress is possible still fails, rather than repeating rows for ever.
   *
   * <p>Disorder is seen only among the rows the source returns: a source with a wrong sort and a
   * row limit can leave out a row without any sign in the rows it does return. Fix the source's
   * sort; this mode limits the damage, it cannot see what was never sent.
   */
  TOLERANT
}
