package dev.tributary.cache;

import java.io.IOException;
import java.time.Instant;

/**
 * "Not before" times per source host, shared by every process that calls that host: when one
 * is told to back off (a 429 with {@code Retry-After}), all of them wait. A file for processes on
 * one machine, Valkey for many.
 *
 * <p>Thread-safe; merges by maximum, so a shorter wait never shortens a longer one.
 */
public interface RateBudgetStore extends AutoCloseable {

  /** Raises the host's not-before time to at least {@code notBefore}; returns the value now stored. */
  Instant raise(String host, Instant notBefore) throws IOException;

  /** The host's not-before time; {@link Instant#EPOCH} if none. */
  Instant notBefore(String host) throws IOException;

  @Override
  default void close() {}
}
