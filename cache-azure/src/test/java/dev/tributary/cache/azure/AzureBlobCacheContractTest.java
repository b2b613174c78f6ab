package dev.tributary.cache.azure;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cache contract over Azure Blob (Azurite on loopback). */
@ExtendWith(LoopbackAzurite.class)
class AzureBlobCacheContractTest extends CacheContract {
  @Override
  protected CacheBackend backend() {
    return AzureBlobCacheBackend.of(LoopbackAzurite.CONTAINER, "contract/",
        LoopbackAzurite.shared()::containerClient, clock);
  }
}
