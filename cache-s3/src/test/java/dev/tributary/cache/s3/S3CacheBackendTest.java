package dev.tributary.cache.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.CacheBackend.WriteResult;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.testing.CacheBackendContract;
import dev.tributary.testing.FakeClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The backend contract, and S3's own behaviour, against a real S3-compatible server. */
class S3CacheBackendTest extends CacheBackendContract {
  static final String PREFIX = "cache/";

  @Override
  protected CacheBackend create() throws Exception {
    LoopbackS3 s3 = LoopbackS3.shared();
    return S3CacheBackend.of(LoopbackS3.BUCKET, PREFIX, s3::client);
  }

  @Override
  protected Object storedVersion(String key) throws Exception {
    HeadObjectResponse head = head(((S3CacheBackend) backend).objectName(key));
    return head.eTag() + " " + head.lastModified();
  }

  static HeadObjectResponse head(String objectKey) throws Exception {
    try (S3Client s3 = LoopbackS3.shared().client()) {
      return s3.headObject(b -> b.bucket(LoopbackS3.BUCKET).key(objectKey));
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void entriesLiveUnderThePrefixAsJsonWithTheHashInMetadata() throws Exception {
    backend.write(ns + "/acct/accounts", utf8("{}"), "h1", 600);
    String expected = PREFIX + ns + "/acct/accounts.json";
    assertEquals(expected, ((S3CacheBackend) backend).objectName(ns + "/acct/accounts"));
    List<String> keys;
    try (S3Client s3 = LoopbackS3.shared().client()) {
      keys = s3.listObjectsV2(b -> b.bucket(LoopbackS3.BUCKET).prefix(PREFIX + ns + "/"))
          .contents().stream().map(S3Object::key).toList();
    }
    assertEquals(List.of(expected), keys);
    HeadObjectResponse head = head(expected);
    assertEquals("application/json", head.contentType());
    assertEquals("h1", head.metadata().get("tributary-hash"));
  }

  @Test
  void keysCannotLeaveThePrefix() {
    S3CacheBackend s3 = (S3CacheBackend) backend;
    assertEquals(PREFIX + "%2E%2E/%2E.json", s3.objectName("../."));
    assertEquals(PREFIX + "a/%/b.json", s3.objectName("a//b"));
    assertEquals(PREFIX + "acct/x%3Ay%20%C3%A9.json", s3.objectName("acct/x:y é"));
    assertTrue(S3CacheBackend.of("b", "/p", () -> null).objectName("a/b").startsWith("p/"));
    assertEquals("a/b.json", S3CacheBackend.of("b", "", () -> null).objectName("a/b"));
  }

  @Test
  void anUnchangedEntryIsRewrittenOnceHalfItsTtlHasPassedSoItsFreshnessMovesOn()
      throws Exception {
    FakeClock clock = FakeClock.at("2025-01-01T00:00:00Z");
    S3CacheBackend s3 = S3CacheBackend.of(LoopbackS3.BUCKET, PREFIX, LoopbackS3.shared()::client,
        clock);
    try {
      assertEquals(WriteResult.WRITTEN, s3.write(ns + "/k", utf8("{\"v\":1}"), "same", 600));
      clock.advance(Duration.ofSeconds(299));
      assertEquals(WriteResult.SKIPPED_SAME_HASH, s3.write(ns + "/k", utf8("{\"v\":2}"), "same", 600));
      assertEquals("{\"v\":1}", new String(s3.read(ns + "/k").orElseThrow().envelope(),
          StandardCharsets.UTF_8));
      clock.advance(Duration.ofSeconds(2));
      assertEquals(WriteResult.WRITTEN, s3.write(ns + "/k", utf8("{\"v\":3}"), "same", 600));
      assertEquals("{\"v\":3}", new String(s3.read(ns + "/k").orElseThrow().envelope(),
          StandardCharsets.UTF_8));
    } finally {
      s3.close();
    }
  }

  @Test
  void anObjectWithoutTheHashMetadataIsAnIOException() throws Exception {
    String objectKey = ((S3CacheBackend) backend).objectName(ns + "/foreign");
    try (S3Client s3 = LoopbackS3.shared().client()) {
      s3.putObject(b -> b.bucket(LoopbackS3.BUCKET).key(objectKey), RequestBody.fromString("{}"));
    }
    IOException e = assertThrows(IOException.class, () -> backend.read(ns + "/foreign"));
    assertTrue(e.getMessage().contains("tributary-hash"), e.getMessage());
    assertEquals(WriteResult.WRITTEN, backend.write(ns + "/foreign", utf8("{}"), "h", 600));
    assertEquals("h", backend.read(ns + "/foreign").orElseThrow().contentHash());
  }

  @Test
  void aMissingBucketIsAnIOExceptionNamingBucketAndKeyButNoCredential() throws Exception {
    try (S3CacheBackend missing = S3CacheBackend.of("no-such-bucket", PREFIX,
        LoopbackS3.shared()::client)) {
      IOException read = assertThrows(IOException.class, () -> missing.read(ns + "/k"));
      IOException write = assertThrows(IOException.class,
          () -> missing.write(ns + "/k", utf8("{}"), "h", 600));
      for (IOException e : List.of(read, write)) {
        assertTrue(e.getMessage().contains("s3://no-such-bucket/" + PREFIX + ns + "/k.json"),
            e.getMessage());
        assertFalse(e.getMessage().contains(LoopbackS3.SECRET_KEY), e.getMessage());
        assertFalse(e.getMessage().contains(LoopbackS3.ACCESS_KEY), e.getMessage());
      }
    }
  }

  @Test
  void anUnreachableStoreIsAnIOExceptionQuickly() throws Exception {
    Map<String, String> env = LoopbackS3.shared().env();
    env.put("TRIBUTARY_S3_ENDPOINT", "http://127.0.0.1:1");
    long start = System.nanoTime();
    try (S3CacheBackend down = S3CacheBackend.of(LoopbackS3.BUCKET, PREFIX,
        () -> S3CacheBackendProvider.clientBuilder(env).build())) {
      IOException e = assertThrows(IOException.class, () -> down.read(ns + "/k"));
      assertTrue(e.getMessage().startsWith("GetObject s3://" + LoopbackS3.BUCKET + "/"),
          e.getMessage());
    }
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
  }

  @Test
  void theClientIsMadeOnFirstUseAndAgainAfterClose() throws Exception {
    AtomicInteger made = new AtomicInteger();
    LoopbackS3 server = LoopbackS3.shared();
    S3CacheBackend lazy = S3CacheBackend.of(LoopbackS3.BUCKET, PREFIX, () -> {
      made.incrementAndGet();
      return server.client();
    });
    assertEquals(0, made.get(), "nothing to capture in a snapshot before the first call");
    assertTrue(lazy.read(ns + "/k").isEmpty());
    lazy.write(ns + "/k", utf8("{}"), "h", 600);
    assertEquals(1, made.get());
    lazy.close();
    assertEquals("h", lazy.read(ns + "/k").orElseThrow().contentHash());
    assertEquals(2, made.get());
    lazy.close();
  }
}
