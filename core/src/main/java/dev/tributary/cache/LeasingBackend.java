package dev.tributary.cache;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A backend that can hand out short exclusive leases (Valkey: {@code SET key token NX PX ttl}),
 * so that in a herd of cold starts one process fetches and the others wait on the cache.
 */
public interface LeasingBackend extends CacheBackend {

  /** Takes the lease on {@code key} for {@code ttl}; the token proves ownership, empty if taken. */
  Optional<String> tryLease(String key, Duration ttl) throws IOException;

  /** Releases the lease only if {@code token} still owns it (an expired lease is not stolen back). */
  void release(String key, String token) throws IOException;
}
