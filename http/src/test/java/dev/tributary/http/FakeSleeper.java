package dev.tributary.http;

import dev.tributary.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records every wait and advances the fake clock by it, so tests never really sleep. */
final class FakeSleeper implements RetryInterceptor.Sleeper {
  final FakeClock clock;
  final List<Duration> waits = new ArrayList<>();

  FakeSleeper(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void sleep(Duration d) {
    waits.add(d);
    clock.advance(d);
  }

  Duration total() {
    return waits.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
