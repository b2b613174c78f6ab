package dev.tributary.benchmarks;

import dev.tributary.cache.FileCacheBackend;
import dev.tributary.cache.SourceCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upstream discovery calls in one simulated hour of cold starts, with and without the shared
 * cache: each cold start is a new process (its own {@link SourceCache}) asking for the source's
 * account list, as a connector does on start-up. Cold starts arrive at random times through the
 * hour; simulated time, so the figures are exact and repeatable (seed 1).
 *
 * <pre>benchmarks/run.sh</pre>
 */
public final class ColdStartSimulation {
  private ColdStartSimulation() {}

  /** A clock the simulation moves. */
  static final class SimClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  public static void main(String[] args) throws Exception {
    Duration ttl = Duration.ofMinutes(10);
    System.out.printf("upstream discovery calls in one hour (cache TTL %d min, file backend)%n",
        ttl.toMinutes());
    System.out.printf("%-22s %-16s %-16s %s%n", "cold starts / hour", "without cache", "with cache",
        "ratio");
    for (int starts : new int[] {10, 100, 1_000, 10_000}) {
      int without = run(starts, null, ttl);
      int with = run(starts, Files.createTempDirectory("tributary-sim-"), ttl);
      System.out.printf("%-22d %-16d %-16d %.0f×%n", starts, without, with, (double) without / with);
    }
  }

  /** Upstream calls for {@code starts} cold starts in an hour; {@code root} null = no cache. */
  static int run(int starts, Path root, Duration ttl) throws IOException {
    Random random = new Random(1);
    List<Long> at = new ArrayList<>();
    for (int i = 0; i < starts; i++) {
      at.add((long) (random.nextDouble() * 3_600_000));
    }
    at.sort(Long::compare);
    SimClock clock = new SimClock();
    Instant start = clock.now;
    AtomicInteger upstream = new AtomicInteger();
    for (long offset : at) {
      clock.now = start.plusMillis(offset);
      SourceCache cache = root == null ? SourceCache.none()
          : SourceCache.builder().backend(FileCacheBackend.at(root, clock)).clock(clock).ttl(ttl)
              .logSink(line -> {}).build();
      cache.forAccount("account-credential").getOrFetch("accounts", ttl, () -> {
        upstream.incrementAndGet();
        return List.of("a1", "a2", "a3");
      }, List.class);
      cache.close();
    }
    return upstream.get();
  }
}
