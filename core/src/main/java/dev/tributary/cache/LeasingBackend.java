package dev.tributary.cache;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A backend that can hand out short exclusive leases (Valkey: {@code SET key token NX PX ttl}),
 * so that in a herd of cold starts one process fetches and the others wait on the cache.
 *
 * <p>{@link Cache} leases the entry's own key ({@code <account_hash>/<key>}); the backend keeps
 * leases apart from entries (Valkey: a separate key such as {@code tributary:<account_hash>:<key>:lease}).
 * The holder fetches, writes and releases; the others poll the entry and, once the lease's
 * {@code ttl} has passed without an entry, try the lease again or fetch themselves. A failing
 * {@code tryLease} makes the cache fetch without a lease (fail-open).
 */
public interface LeasingBackend extends CacheBackend {

  /** Takes the lease on {@code key} for {@code ttl}; the token proves ownership, empty if taken. */
  Optional<String> tryLease(String key, Duration ttl) throws IOException;

  /** Releases the lease only if {@code token} still owns it (an expired lease is not stolen back). */
  void release(String key, String token) throws IOException;
}
