package dev.tributary.scheduled;

import java.util.Objects;

/**
 * A tick of a scheduled sync failed. Thrown by the cloud entry points so that the platform counts
 * the invocation as failed and its alerting sees it; the message is the summary's error, with
 * secrets and the destination's password masked.
 */
public final class ScheduledSyncException extends RuntimeException {
  private final transient TickSummary summary;

  public ScheduledSyncException(TickSummary summary) {
    super(Objects.requireNonNull(summary, "summary").error().orElse("scheduled sync failed"));
    this.summary = summary;
  }

  /** What the failed tick did before it failed. */
  public TickSummary summary() {
    return summary;
  }
}
