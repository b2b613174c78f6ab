package dev.tributary.scheduled;

import java.util.Locale;

/** Why a tick of a scheduled sync ended. */
public enum StopReason {
  /** The connector said {@code hasMore: false}: the destination holds everything up to the sync's horizon. */
  CAUGHT_UP,
  /** Too little time was left for another call; the next tick resumes from the committed state. */
  DEADLINE,
  /** Another run holds the connection's lease and is doing the work; this tick did nothing. */
  LEASE_HELD,
  /** A call or a write failed; nothing after the last committed response was kept. */
  FAILED;

  /** The name in the summary line: {@code caught_up}, {@code deadline}, … */
  public String logName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
