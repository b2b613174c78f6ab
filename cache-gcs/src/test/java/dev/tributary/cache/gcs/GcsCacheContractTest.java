package dev.tributary.cache.gcs;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheContract;

/** The cache contract over GCS — an in-process fake (LocalStorageHelper); no GCS emulator runs here. */
class GcsCacheContractTest extends CacheContract {
  @Override
  protected CacheBackend backend() {
    Storage fake = LocalStorageHelper.getOptions().getService();
    return GcsCacheBackend.of("tributary-test", "contract/", () -> fake, clock);
  }
}
