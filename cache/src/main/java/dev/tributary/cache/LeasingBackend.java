package dev.tributary.cache;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A backend that can hand out short exclusive leases (Valkey: {@code SET key token NX PX ttl}),
 * so that in a herd of cold starts one process fetches and the others wait on the cache.
 *
 * <p>{@link SourceCache} leases the entry's own key ({@code <account_hash>/<key>}); the backend keeps
 * leases apart from entries (Valkey: a separate key such as {@code tributary:<account_hash>:<key>:lease}).
 * The holder fetches, writes and releases, renewing the lease while it fetches; the others poll
 * the entry and, each time the lease's {@code ttl} has passed without an entry, try the lease
 * again. A failing {@code tryLease} makes the cache fetch without a lease (fail-open).
 */
public interface LeasingBackend extends CacheBackend {

  /** Takes the lease on {@code key} for {@code ttl}; the token proves ownership, empty if taken. */
  Optional<String> tryLease(String key, Duration ttl) throws IOException;

  /** Releases the lease only if {@code token} still owns it (an expired lease is not stolen back). */
  void release(String key, String token) throws IOException;

  /**
   * Extends the lease on {@code key} to {@code ttl} from now, only if {@code token} still owns
   * it (Valkey: {@code PEXPIRE} in a script that checks the token). Returns false when it does
   * not — the lease lapsed and may be another's — and then nothing changes. The cache calls this
   * every third of the lease while its holder fetches, so a slow fetch keeps the lease and a
   * holder that died stops renewing it.
   *
   * <p>The default cannot renew and returns false: a holder slower than its lease then lets
   * the others fetch too.
   */
  default boolean renew(String key, String token, Duration ttl) throws IOException {
    return false;
  }
}
