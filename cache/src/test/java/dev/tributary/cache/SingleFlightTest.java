package dev.tributary.cache;

import dev.tributary.cache.testing.RecordingListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.testing.FakeClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SingleFlightTest {
  static final Duration TTL = Duration.ofMinutes(10);

  @TempDir Path root;
  final RecordingListener listener = new RecordingListener();
  final AtomicInteger fetches = new AtomicInteger();

  @Test
  void tenConcurrentColdStartsFetchOnce() throws Exception {
    FileLeasingBackend backend =
        new FileLeasingBackend(FileCacheBackend.at(root), Clock.systemUTC());
    int herd = 10;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(herd);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < herd; i++) {
        // A separate SourceCache per thread, as in separate processes sharing the backend.
        SourceCache cache = SourceCache.builder().backend(backend).listener(listener).logSink(l -> {})
            .leaseTtl(Duration.ofSeconds(10)).leasePollInterval(Duration.ofMillis(20)).build();
        results.add(pool.submit(() -> {
          start.await();
          return cache.forAccount("shared-key").getOrFetch("accounts", TTL, () -> {
            fetches.incrementAndGet();
            sleep(300); // a slow discovery call
            return "accounts-v1";
          }, String.class);
        }));
      }
      start.countDown();
      for (Future<String> r : results) {
        assertEquals("accounts-v1", r.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, fetches.get(), "exactly one upstream fetch");
    assertEquals(1, listener.count("write "));
    assertEquals(herd - 1, listener.count("hit "));
  }

  @Test
  void whenTheLeaderDiesTheOthersFetchAfterTheLeaseNotForever() throws Exception {
    FakeClock clock = FakeClock.at("2026-03-01T12:00:00Z");
    FileLeasingBackend backend = new FileLeasingBackend(FileCacheBackend.at(root, clock), clock);
    List<Duration> waits = new ArrayList<>();
    SourceCache cache = SourceCache.builder().backend(backend).clock(clock).listener(listener)
        .logSink(l -> {}).leaseTtl(Duration.ofSeconds(5)).leasePollInterval(Duration.ofSeconds(1))
        .random(() -> 0.5)
        .sleeper(d -> {
          waits.add(d);
          clock.advance(d);
        }).build();
    SourceCache.Account a = cache.forAccount("shared-key");
    backend.leaseHeldByTheDead(a.hash() + "/accounts", Duration.ofSeconds(5));
    String got = a.getOrFetch("accounts", TTL, () -> {
      fetches.incrementAndGet();
      return "v";
    }, String.class);
    assertEquals("v", got);
    assertEquals(1, fetches.get());
    Duration waited = waits.stream().reduce(Duration.ZERO, Duration::plus);
    assertTrue(waited.compareTo(Duration.ofSeconds(5)) >= 0, "waited out the lease: " + waited);
    assertTrue(waited.compareTo(Duration.ofSeconds(7)) <= 0, "and not much longer: " + waited);
    assertEquals(1, backend.leasesGranted.get(), "took over the expired lease");
    assertEquals(1, listener.count("write "));
  }

  @Test
  void followersThatSeeTheLeadersEntryDoNotFetch() throws Exception {
    FakeClock clock = FakeClock.at("2026-03-01T12:00:00Z");
    FileLeasingBackend backend = new FileLeasingBackend(FileCacheBackend.at(root, clock), clock);
    SourceCache.Account leader = SourceCache.builder().backend(backend).clock(clock).logSink(l -> {}).build()
        .forAccount("k");
    String nsKey = leader.hash() + "/accounts";
    backend.leaseHeldByTheDead(nsKey, Duration.ofSeconds(30));
    AtomicInteger polls = new AtomicInteger();
    SourceCache follower = SourceCache.builder().backend(backend).clock(clock).listener(listener)
        .logSink(l -> {}).sleeper(d -> {
          clock.advance(d);
          if (polls.incrementAndGet() == 3) {
            // The leader finishes while we wait.
            try {
              leader.refresh("accounts", TTL, () -> "from-leader", String.class);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        }).build();
    String got = follower.forAccount("k").getOrFetch("accounts", TTL, () -> {
      fetches.incrementAndGet();
      return "mine";
    }, String.class);
    assertEquals("from-leader", got);
    assertEquals(0, fetches.get());
    assertEquals(List.of("miss file accounts no-entry"), listener.events().subList(0, 1));
    assertTrue(listener.events().get(1).startsWith("hit file accounts"));
  }

  @Test
  void aLeaderSlowerThanItsLeaseRenewsItSoTheOthersWaitInsteadOfFetching() throws Exception {
    FileLeasingBackend backend =
        new FileLeasingBackend(FileCacheBackend.at(root), Clock.systemUTC());
    Duration lease = Duration.ofMillis(300);
    CountDownLatch leading = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      SourceCache leaderCache = SourceCache.builder().backend(backend).listener(listener).logSink(l -> {})
          .leaseTtl(lease).leasePollInterval(Duration.ofMillis(20)).build();
      Future<String> leader = pool.submit(() -> leaderCache.forAccount("shared-key")
          .getOrFetch("accounts", TTL, () -> {
            fetches.incrementAndGet();
            leading.countDown();
            sleep(1_500); // five leases long
            return "from-leader";
          }, String.class));
      leading.await();
      List<Future<String>> followers = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        SourceCache cache = SourceCache.builder().backend(backend).listener(listener).logSink(l -> {})
            .leaseTtl(lease).leasePollInterval(Duration.ofMillis(20)).build();
        followers.add(pool.submit(() -> cache.forAccount("shared-key").getOrFetch("accounts",
            TTL, () -> {
              fetches.incrementAndGet();
              return "from-follower";
            }, String.class)));
      }
      assertEquals("from-leader", leader.get());
      for (Future<String> f : followers) {
        assertEquals("from-leader", f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, fetches.get(), "the leader's renewed lease kept the followers waiting");
    assertTrue(backend.renewals.get() >= 3, "renewed while fetching: " + backend.renewals.get());
    assertEquals(1, backend.leasesGranted.get());
  }

  @Test
  void aLeaseIsNoLongerRenewedOnceTheFetchEnds() throws Exception {
    FileLeasingBackend backend =
        new FileLeasingBackend(FileCacheBackend.at(root), Clock.systemUTC());
    SourceCache cache = SourceCache.builder().backend(backend).logSink(l -> {})
        .leaseTtl(Duration.ofMillis(90)).build();
    cache.forAccount("k").getOrFetch("accounts", TTL, () -> {
      sleep(200);
      return "v";
    }, String.class);
    int renewed = backend.renewals.get();
    assertTrue(renewed >= 1, "renewed during the fetch");
    sleep(200);
    assertEquals(renewed, backend.renewals.get(), "and not after it");
  }

  @Test
  void followersStopWaitingAndFetchAtOnceWhenTheBackendFails() throws Exception {
    FakeClock clock = FakeClock.at("2026-03-01T12:00:00Z");
    FileLeasingBackend backend = new FileLeasingBackend(FileCacheBackend.at(root, clock), clock);
    SourceCache.Account a = SourceCache.builder().backend(backend).clock(clock).logSink(l -> {}).build()
        .forAccount("k");
    backend.leaseHeldByTheDead(a.hash() + "/accounts", Duration.ofSeconds(30));
    List<Duration> waits = new ArrayList<>();
    SourceCache follower = SourceCache.builder().backend(backend).clock(clock).listener(listener)
        .logSink(l -> {}).leasePollInterval(Duration.ofSeconds(1)).random(() -> 0.5)
        .sleeper(d -> {
          waits.add(d);
          clock.advance(d);
          backend.failReads(true); // the backend goes away while we wait
        }).build();
    String got = follower.forAccount("k").getOrFetch("accounts", TTL, () -> {
      fetches.incrementAndGet();
      return "mine";
    }, String.class);
    assertEquals("mine", got);
    assertEquals(1, fetches.get());
    assertEquals(List.of(Duration.ofSeconds(1)), waits, "one poll, not the lease's 30 s");
    assertTrue(listener.has("read_failed file accounts"), listener.events().toString());
  }

  @Test
  void followersWaitNoLongerThanTheCallsDeadline() throws Exception {
    FakeClock clock = FakeClock.at("2026-03-01T12:00:00Z");
    FileLeasingBackend backend = new FileLeasingBackend(FileCacheBackend.at(root, clock), clock);
    List<Duration> waits = new ArrayList<>();
    SourceCache cache = SourceCache.builder().backend(backend).clock(clock).logSink(l -> {})
        .leasePollInterval(Duration.ofSeconds(1)).random(() -> 0.5)
        .sleeper(d -> {
          waits.add(d);
          clock.advance(d);
          // A live leader keeps renewing its lease the whole time.
          backend.leaseHeldByTheDead(SourceCache.accountHash("k") + "/accounts", Duration.ofSeconds(30));
        }).build();
    SourceCache.Account a = cache.forAccount("k");
    backend.leaseHeldByTheDead(a.hash() + "/accounts", Duration.ofSeconds(30));
    java.time.Instant deadline = clock.instant().plusMillis(4_500);
    String got = a.until(deadline).getOrFetch("accounts", TTL, () -> "mine", String.class);
    assertEquals("mine", got);
    Duration waited = waits.stream().reduce(Duration.ZERO, Duration::plus);
    assertTrue(waited.compareTo(Duration.ofMillis(4_500)) >= 0
        && waited.compareTo(Duration.ofMillis(5_000)) <= 0, "waited until the deadline: " + waited);
  }

  @Test
  void followersOfALeaseRenewedForeverFetchAfterMaxLeaseWait() throws Exception {
    FakeClock clock = FakeClock.at("2026-03-01T12:00:00Z");
    FileLeasingBackend backend = new FileLeasingBackend(FileCacheBackend.at(root, clock), clock);
    String hash = SourceCache.accountHash("k");
    List<Duration> waits = new ArrayList<>();
    SourceCache cache = SourceCache.builder().backend(backend).clock(clock).logSink(l -> {})
        .leaseTtl(Duration.ofSeconds(5)).maxLeaseWait(Duration.ofSeconds(20))
        .leasePollInterval(Duration.ofSeconds(1)).random(() -> 0.5)
        .sleeper(d -> {
          waits.add(d);
          clock.advance(d);
          backend.leaseHeldByTheDead(hash + "/accounts", Duration.ofSeconds(5)); // renewed
        }).build();
    backend.leaseHeldByTheDead(hash + "/accounts", Duration.ofSeconds(5));
    String got = cache.forAccount("k").getOrFetch("accounts", TTL, () -> "mine", String.class);
    assertEquals("mine", got);
    Duration waited = waits.stream().reduce(Duration.ZERO, Duration::plus);
    assertTrue(waited.compareTo(Duration.ofSeconds(20)) >= 0
        && waited.compareTo(Duration.ofSeconds(21)) <= 0,
        "waited past several leases, up to maxLeaseWait: " + waited);
    assertEquals(0, backend.leasesGranted.get(), "the lease was never free");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
