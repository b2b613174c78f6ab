package dev.tributary.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a request must be done by: a request tag the {@link RetryInterceptor} reads so it never
 * waits past the call's deadline. Usually set by {@link Http#request(dev.tributary.TableRead)}
 * from {@code TableRead.deadline()}; by hand:
 *
 * <pre>{@code
 * request.newBuilder().tag(Deadline.class, Deadline.at(read.deadline()))
 * }</pre>
 *
 * <p>Immutable.
 */
public final class Deadline {
  private final Instant at;

  private Deadline(Instant at) {
    this.at = Objects.requireNonNull(at, "at");
  }

  public static Deadline at(Instant at) {
    return new Deadline(at);
  }

  public Instant instant() {
    return at;
  }

  /** Time left according to {@code clock}; negative once past. */
  public Duration remaining(Clock clock) {
    return Duration.between(clock.instant(), at);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Deadline && ((Deadline) o).at.equals(at);
  }

  @Override
  public int hashCode() {
    return at.hashCode();
  }

  @Override
  public String toString() {
    return "Deadline(" + at + ")";
  }
}
