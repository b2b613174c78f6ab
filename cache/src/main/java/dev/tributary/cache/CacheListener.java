package dev.tributary.cache;

/**
 * Receives the cache's events in process (they are also written as structured log lines). Every
 * method has a no-op default, so new events do not break implementations.
 *
 * <p>{@code key} is the entry's key without the account namespace; {@code backend} is
 * {@link CacheBackend#name()}; messages carry no secret. A failed lease renewal is reported from
 * the cache's renewal thread, so an implementation must be thread-safe.
 */
public interface CacheListener {
  /** A listener that ignores everything. */
  CacheListener NONE = new CacheListener() {};

  /** Why a read did not return a fresh entry. */
  enum MissReason {
    NO_ENTRY,
    EXPIRED,
    REFRESH_FORCED;

    /** The form in log lines: {@code no-entry}, {@code expired}, {@code refresh-forced}. */
    public String logName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  default void hit(String backend, String key, long ageSeconds) {}

  default void miss(String backend, String key, MissReason reason) {}

  default void write(String backend, String key, long bytes) {}

  default void writeSkipped(String backend, String key) {}

  default void writeFailed(String backend, String key, String error) {}

  default void readFailed(String backend, String key, String error) {}
}
