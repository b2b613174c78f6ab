package dev.tributary.cache;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Where cache entries live: a folder, an object store, Valkey. Stores and returns opaque
 * envelope bytes under a key that already carries the account namespace
 * ({@code <account_hash>/<key>}); freshness, hashing and events are the {@link SourceCache}'s.
 *
 * <p>Implementations are thread-safe. Any failure is an {@link IOException}: the cache turns it
 * into a {@code *_failed} event and a fetch, never a failed sync.
 */
public interface CacheBackend extends AutoCloseable {

  /** A stored entry: the envelope bytes and the content hash recorded when it was written. */
  record Stored(byte[] envelope, String contentHash) {}

  /** The backend's name in events: {@code file}, {@code object_store}, {@code valkey}. */
  String name();

  /** The entry under {@code key}, or empty if there is none. */
  Optional<Stored> read(String key) throws IOException;

  /**
   * Stores {@code envelope} under {@code key}, unless the stored entry already has
   * {@code contentHash} (the hash of the envelope without its {@code fetched_at}): then nothing is
   * rewritten — except what the backend needs to extend the entry's freshness — and the result is
   * {@link WriteResult#SKIPPED_SAME_HASH}.
   *
   * @param ttlSeconds how long the entry is fresh; backends with expiry (Valkey) may use it
   */
  WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException;

  /**
   * {@link #write}, unless the stored entry was fetched later than {@code fetchedAt} (its
   * envelope's {@code fetched_at}): then nothing is written and the result is
   * {@link WriteResult#KEPT_NEWER}, so a slow fetch that began earlier never replaces a newer
   * entry. An entry with the same {@code fetched_at}, or one that cannot be read, is written over.
   * This is what the {@link SourceCache} calls.
   *
   * <p>The default compares before writing: it reads the stored envelope and then writes, so two
   * writers racing between the two steps can still leave the older. Backends that can compare
   * and write in one step override it (Valkey: one script).
   */
  default WriteResult writeIfNewer(String key, byte[] envelope, String contentHash,
      long ttlSeconds, Instant fetchedAt) throws IOException {
    Optional<Stored> stored;
    try {
      stored = read(key);
    } catch (IOException e) {
      stored = Optional.empty(); // unreadable: replaced, as write would
    }
    if (stored.isPresent()) {
      Optional<Instant> storedAt = Envelopes.fetchedAt(stored.get().envelope());
      if (storedAt.isPresent() && storedAt.get().isAfter(fetchedAt)) {
        return WriteResult.KEPT_NEWER;
      }
    }
    return write(key, envelope, contentHash, ttlSeconds);
  }

  /** What {@link #write} or {@link #writeIfNewer} did. */
  enum WriteResult {
    WRITTEN,
    SKIPPED_SAME_HASH,
    /** Nothing written: the stored entry was fetched later. */
    KEPT_NEWER
  }

  @Override
  default void close() {}
}
