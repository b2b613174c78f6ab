package dev.tributary.cache.s3;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheContract;

/** The cache contract over S3 (a real S3-compatible server on loopback). */
class S3CacheContractTest extends CacheContract {
  @Override
  protected CacheBackend backend() throws Exception {
    return S3CacheBackend.of(LoopbackS3.BUCKET, "contract/", LoopbackS3.shared()::client, clock);
  }
}
