package dev.tributary.internal;

import java.util.Locale;

/** Why a call stopped adding rows; logged with every call. */
public enum StopReason {
  /** Every table is caught up to the sync's horizon ({@code hasMore: false}). */
  CAUGHT_UP,
  /** The next row would have taken the response over maxResponseBytes. */
  BYTE_BUDGET,
  /** The response holds maxRowsPerResponse rows. */
  ROW_BUDGET,
  /** The call's deadline, minus the safety margin, was reached. */
  DEADLINE,
  /** A table's source returned rows out of order (tolerant mode); it resumes next call. */
  OUT_OF_ORDER,
  /** The source was temporarily unavailable after rows were read: they are sent, the rest next call. */
  SOURCE_UNAVAILABLE,
  /**
   * The next row's primary key is already in this response (a delete and a re-insert, or two
   * updates of one key): it goes in the next response, since Fivetran does not order a
   * response's inserts and deletes.
   */
  REPEATED_KEY,
  /** The next row would have taken the state over maxStateBytes, even after forgetting finished child positions. */
  STATE_BUDGET,
  /** Too many consecutive empty responses: the sync pauses until the next scheduled one. */
  EMPTY_LIMIT;

  public String logName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
