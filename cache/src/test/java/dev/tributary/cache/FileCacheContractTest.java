package dev.tributary.cache;

import dev.tributary.cache.testing.CacheContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileCacheContractTest extends CacheContract {
  @TempDir Path root;

  @Override
  protected CacheBackend backend() {
    return FileCacheBackend.at(root, clock);
  }
}
