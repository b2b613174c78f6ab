package dev.tributary.aws.s3;

import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * A real S3-compatible server (S3Proxy over an in-memory blob store) on a loopback port, and S3
 * clients for it built the way the store builds its own for an S3-compatible endpoint.
 */
final class LoopbackS3 implements AutoCloseable {
  static final String ACCESS_KEY = "AKIATRIBUTARYTEST";
  static final String SECRET_KEY = "tributary-test-secret-key";

  private final S3Proxy proxy;
  private final BlobStoreContext blobs;

  LoopbackS3() throws Exception {
    blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
        .build(BlobStoreContext.class);
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
  }

  int port() {
    return proxy.getPort();
  }

  String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** A client as {@link S3StagingStore#fromEnvironment} builds it for this endpoint. */
  S3Client client() {
    return client(endpoint());
  }

  /** The same client for another endpoint in front of this server (a proxy). */
  static S3Client client(String endpoint) {
    return builder(endpoint).build();
  }

  /** The builder of {@link #client(String)}, to change more before building. */
  static S3ClientBuilder builder(String endpoint) {
    return S3StagingStore.fromEnvironment(Map.of(
            "AWS_REGION", "us-east-1",
            "TRIBUTARY_S3_ENDPOINT", endpoint,
            "TRIBUTARY_S3_PATH_STYLE", "true"))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    blobs.close();
  }
}
