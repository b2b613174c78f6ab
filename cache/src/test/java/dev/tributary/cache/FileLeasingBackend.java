package dev.tributary.cache;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LeasingBackend} for tests: entries in a {@link FileCacheBackend}, leases in memory
 * with Valkey's semantics (set if absent or expired, released only by the owner's token).
 */
final class FileLeasingBackend implements LeasingBackend {
  private record Lease(String token, Instant expires) {}

  private final FileCacheBackend files;
  private final Clock clock;
  private final Map<String, Lease> leases = new ConcurrentHashMap<>();
  final AtomicInteger leasesGranted = new AtomicInteger();
  final AtomicInteger renewals = new AtomicInteger();

  FileLeasingBackend(FileCacheBackend files, Clock clock) {
    this.files = files;
    this.clock = clock;
  }

  /** Makes {@code key} look leased by a process that died without releasing. */
  void leaseHeldByTheDead(String key, Duration ttl) {
    leases.put(key, new Lease("dead", clock.instant().plus(ttl)));
  }

  @Override
  public String name() {
    return "file";
  }

  private volatile boolean failReads;

  /** Makes every read fail from now on, as a backend that went away. */
  void failReads(boolean fail) {
    failReads = fail;
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    if (failReads) {
      throw new IOException("backend unreachable");
    }
    return files.read(key);
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    return files.write(key, envelope, contentHash, ttlSeconds);
  }

  @Override
  public Optional<String> tryLease(String key, Duration ttl) {
    String token = UUID.randomUUID().toString();
    Instant now = clock.instant();
    Lease mine = new Lease(token, now.plus(ttl));
    Lease result = leases.compute(key,
        (k, old) -> old == null || !old.expires().isAfter(now) ? mine : old);
    if (result == mine) {
      leasesGranted.incrementAndGet();
      return Optional.of(token);
    }
    return Optional.empty();
  }

  @Override
  public boolean renew(String key, String token, Duration ttl) {
    Instant now = clock.instant();
    Lease renewed = leases.computeIfPresent(key, (k, old) ->
        old.token().equals(token) && old.expires().isAfter(now)
            ? new Lease(token, now.plus(ttl)) : old);
    boolean ok = renewed != null && renewed.token().equals(token) && renewed.expires().isAfter(now);
    if (ok) {
      renewals.incrementAndGet();
    }
    return ok;
  }

  @Override
  public void release(String key, String token) {
    leases.computeIfPresent(key, (k, old) -> old.token().equals(token) ? null : old);
  }
}
