package dev.tributary.cache.valkey;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheContract;
import java.net.URI;

/** The cache contract over the real redis-server on loopback. */
class ValkeyCacheContractTest extends CacheContract {
  @Override
  protected CacheBackend backend() {
    return new ValkeyCacheBackend(URI.create("redis://127.0.0.1:6379"));
  }
}
