package dev.tributary.cache;

import java.io.IOException;
import java.util.Optional;

/** A backend whose store is unreachable: every read and write throws. */
final class ThrowingBackend implements CacheBackend {
  private final String message;

  ThrowingBackend(String message) {
    this.message = message;
  }

  @Override
  public String name() {
    return "valkey";
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    throw new IOException(message);
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds) {
    throw new IllegalStateException(message);
  }
}
