package dev.tributary.cache.s3;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (S3Proxy over an in-memory blob store) on a loopback port, started
 * once for the test run, with one bucket; and the environment that points the provider at it.
 */
final class LoopbackS3 {
  static final String ACCESS_KEY = "AKIATRIBUTARYTEST";
  static final String SECRET_KEY = "tributary-test-secret-key";
  static final String BUCKET = "tributary-cache";

  private static LoopbackS3 shared;

  private final S3Proxy proxy;

  private LoopbackS3() throws Exception {
    BlobStoreContext blobs = ContextBuilder.newBuilder("transient")
        .credentials("identity", "credential").build(BlobStoreContext.class);
    proxy = S3Proxy.builder()
        .blobStore(blobs.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    long until = System.currentTimeMillis() + 10_000;
    while (!"STARTED".equals(proxy.getState()) && System.currentTimeMillis() < until) {
      Thread.sleep(20);
    }
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket(BUCKET));
    }
  }

  /** The server for this test run (it stops with the JVM). */
  static synchronized LoopbackS3 shared() throws Exception {
    if (shared == null) {
      shared = new LoopbackS3();
    }
    return shared;
  }

  String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** The settings the provider reads, for this server; add the cache's own variables. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "us-east-1");
    env.put("TRIBUTARY_S3_ENDPOINT", endpoint());
    env.put("TRIBUTARY_S3_PATH_STYLE", "true");
    env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    return env;
  }

  /** A client built exactly as the provider builds its own. */
  S3Client client() {
    return S3CacheBackendProvider.clientBuilder(env()).build();
  }
}
