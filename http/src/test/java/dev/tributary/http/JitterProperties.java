package dev.tributary.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class JitterProperties {
  @Property(tries = 2000)
  void everyBackoffWaitIsWithinZeroAndTheCappedCeiling(
      @ForAll @IntRange(min = 1, max = 100) int attempt,
      @ForAll @LongRange(min = 1, max = 10_000) long baseMs,
      @ForAll @LongRange(min = 1, max = 120_000) long capMs,
      @ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) double random) {
    RetryInterceptor r = RetryInterceptor.builder().baseDelay(Duration.ofMillis(baseMs))
        .maxDelay(Duration.ofMillis(capMs)).random(() -> random).build();
    Duration wait = r.backoff(attempt);
    double exp = baseMs * Math.pow(2, attempt - 1);
    long ceilingMs = (long) Math.min(capMs, exp);
    assertTrue(!wait.isNegative(), "negative " + wait);
    assertTrue(wait.compareTo(Duration.ofMillis(ceilingMs)) <= 0,
        wait + " above " + ceilingMs + " ms (attempt " + attempt + ")");
    assertTrue(wait.compareTo(Duration.ofMillis(capMs)) <= 0);
  }

  @Property(tries = 200)
  void fullJitterSpreadsOverTheWholeRange(@ForAll @IntRange(min = 1, max = 8) int attempt) {
    RetryInterceptor r = RetryInterceptor.builder().baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofSeconds(10)).build();
    long ceiling = Math.min(10_000, 100L << (attempt - 1));
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 500; i++) {
      long ms = r.backoff(attempt).toMillis();
      assertTrue(ms >= 0 && ms <= ceiling, ms + " outside [0, " + ceiling + "]");
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertTrue(min < ceiling / 4 && max > ceiling * 3 / 4, "[" + min + ", " + max + "]");
  }
}
