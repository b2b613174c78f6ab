package dev.tributary.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand; optionally ticks forward on every read. Thread-safe. */
public final class FakeClock extends Clock {
  private Instant now;
  private Duration tick = Duration.ZERO;

  public FakeClock(Instant start) {
    this.now = start;
  }

  public static FakeClock at(String iso) {
    return new FakeClock(Instant.parse(iso));
  }

  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  public synchronized void set(Instant instant) {
    now = instant;
  }

  /** Every {@link #instant()} call moves the clock forward by {@code d} after reading it. */
  public synchronized void tickOnRead(Duration d) {
    tick = d;
  }

  @Override
  public synchronized Instant instant() {
    Instant t = now;
    now = now.plus(tick);
    return t;
  }

  public synchronized Instant peek() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
