package dev.tributary.cache.s3;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheBackendProvider;
import dev.tributary.cache.ObjectStoreBackend;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Serves {@code s3://bucket/prefix/} URLs ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL}) with an
 * {@link S3CacheBackend}; found by {@link java.util.ServiceLoader}.
 *
 * <p>The client is configured from the {@code env} map the cache was built from (the process
 * environment in production), read when the client is first needed:
 *
 * <ul>
 *   <li>{@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}: the bucket's region. If neither is
 *       set, the SDK's default region chain (system property, profile) decides, or — with
 *       {@code TRIBUTARY_S3_ENDPOINT} — {@code us-east-1}, which S3-compatible stores accept.
 *   <li>{@code TRIBUTARY_S3_ENDPOINT}: the URL of an S3-compatible store (MinIO, R2, S3Proxy…);
 *       then request checksums are sent and validated only when an operation requires them, as
 *       such stores often lack the SDK's newer default checksums.
 *   <li>{@code TRIBUTARY_S3_PATH_STYLE=true}: address buckets as {@code endpoint/bucket/key}.
 *   <li>{@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (and {@code
 *       AWS_SESSION_TOKEN}) when both are in the map: those credentials. Otherwise the SDK's
 *       default chain (system properties, the process environment, profile, container and
 *       instance roles) — on Lambda, the function's role. Reading them from the map is what lets a
 *       test or an embedding application configure a cache without touching the process
 *       environment; in production the map is the environment, so it is the same credentials.
 * </ul>
 *
 * <p>Timeouts are short, since a slow cache should fail open rather than hold a sync: connect
 * {@value #CONNECT_TIMEOUT_MILLIS} ms, read {@value #SOCKET_TIMEOUT_MILLIS} ms, each attempt
 * {@value #ATTEMPT_TIMEOUT_MILLIS} ms, a whole call with the SDK's retries
 * {@value #CALL_TIMEOUT_MILLIS} ms.
 */
public final class S3CacheBackendProvider implements CacheBackendProvider {
  static final String ENV_URL = "TRIBUTARY_CACHE_OBJECT_STORE_URL";
  static final long CONNECT_TIMEOUT_MILLIS = 2_000;
  static final long SOCKET_TIMEOUT_MILLIS = 5_000;
  static final long ATTEMPT_TIMEOUT_MILLIS = 5_000;
  static final long CALL_TIMEOUT_MILLIS = 10_000;

  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  @Override
  public Store store() {
    return Store.OBJECT_STORE;
  }

  @Override
  public String module() {
    return "dev.tributary:tributary-cache-s3";
  }

  /**
   * A backend for {@code s3://bucket/prefix/}; no connection is made until its first call.
   *
   * @throws IllegalArgumentException naming {@code TRIBUTARY_CACHE_OBJECT_STORE_URL} if the URL
   *     has no bucket, carries credentials, a port, a query or a fragment, or {@code
   *     TRIBUTARY_S3_ENDPOINT} is not a URL
   */
  @Override
  public CacheBackend create(URI url, Map<String, String> env) {
    ObjectStoreBackend.Location at = ObjectStoreBackend.Location.parse(url, ENV_URL, "s3",
        "bucket", "the AWS environment variables");
    Map<String, String> settings = Map.copyOf(env);
    String endpoint = settings.get("TRIBUTARY_S3_ENDPOINT");
    if (endpoint != null && !endpoint.isBlank()) {
      try {
        URI e = URI.create(endpoint.trim());
        if (e.getScheme() == null || e.getHost() == null) {
          throw new IllegalArgumentException("no scheme or host");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("TRIBUTARY_S3_ENDPOINT is not a URL, e.g. "
            + "http://127.0.0.1:9000 (needed by " + ENV_URL + ")");
      }
    }
    return S3CacheBackend.of(at.container(), at.prefix(), () -> clientBuilder(settings).build());
  }

  /** The client builder for {@code env}, as described on this class. */
  static S3ClientBuilder clientBuilder(Map<String, String> env) {
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MILLIS))
            .socketTimeout(Duration.ofMillis(SOCKET_TIMEOUT_MILLIS)))
        .overrideConfiguration(c -> c
            .apiCallAttemptTimeout(Duration.ofMillis(ATTEMPT_TIMEOUT_MILLIS))
            .apiCallTimeout(Duration.ofMillis(CALL_TIMEOUT_MILLIS)));
    String endpoint = blankToNull(env.get("TRIBUTARY_S3_ENDPOINT"));
    String region = blankToNull(env.getOrDefault("AWS_REGION", env.get("AWS_DEFAULT_REGION")));
    if (region != null) {
      b.region(Region.of(region.trim()));
    } else if (endpoint != null) {
      b.region(Region.US_EAST_1);
    }
    if (endpoint != null) {
      b.endpointOverride(URI.create(endpoint.trim()))
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    if ("true".equalsIgnoreCase(blankToNull(env.get("TRIBUTARY_S3_PATH_STYLE")))) {
      b.forcePathStyle(true);
    }
    return b.credentialsProvider(credentials(env));
  }

  private static AwsCredentialsProvider credentials(Map<String, String> env) {
    String id = blankToNull(env.get("AWS_ACCESS_KEY_ID"));
    String secret = blankToNull(env.get("AWS_SECRET_ACCESS_KEY"));
    if (id == null || secret == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    String token = blankToNull(env.get("AWS_SESSION_TOKEN"));
    return StaticCredentialsProvider.create(token == null
        ? AwsBasicCredentials.create(id, secret)
        : AwsSessionCredentials.create(id, secret, token));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
