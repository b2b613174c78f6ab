package dev.tributary.cache.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheBackendProvider;
import dev.tributary.cache.ObjectStoreBackend;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code gs://bucket/prefix/} URLs ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL}) with a
 * {@link GcsCacheBackend}; found by {@link java.util.ServiceLoader}.
 *
 * <p>The client is made when first needed, from {@code StorageOptions.getDefaultInstance()}:
 * application default credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, the gcloud user, or —
 * on Cloud Run and Cloud Functions — the service account of the metadata server) and the default
 * project, over the JSON API. With {@code STORAGE_EMULATOR_HOST} (e.g.
 * {@code http://127.0.0.1:4443}) in the {@code env} map it talks to that host without
 * credentials instead, for an emulator or a test server.
 *
 * <p>Timeouts are short, since a slow cache should fail open rather than hold a sync: connect
 * {@value #CONNECT_TIMEOUT_MILLIS} ms, read {@value #READ_TIMEOUT_MILLIS} ms, a whole call with
 * the client's retries {@value #CALL_TIMEOUT_MILLIS} ms in at most {@value #MAX_ATTEMPTS} attempts.
 */
public final class GcsCacheBackendProvider implements CacheBackendProvider {
  static final String ENV_URL = "TRIBUTARY_CACHE_OBJECT_STORE_URL";
  static final String ENV_EMULATOR = "STORAGE_EMULATOR_HOST";
  static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  static final int READ_TIMEOUT_MILLIS = 5_000;
  static final long CALL_TIMEOUT_MILLIS = 10_000;
  static final int MAX_ATTEMPTS = 3;

  @Override
  public Set<String> schemes() {
    return Set.of("gs");
  }

  @Override
  public Store store() {
    return Store.OBJECT_STORE;
  }

  @Override
  public String module() {
    return "dev.tributary:tributary-cache-gcs";
  }

  /**
   * A backend for {@code gs://bucket/prefix/}; no client is made until its first call.
   *
   * @throws IllegalArgumentException naming {@code TRIBUTARY_CACHE_OBJECT_STORE_URL} if the URL
   *     has no bucket, carries a user, password or port, a query or a fragment, or {@code
   *     STORAGE_EMULATOR_HOST} is not a URL
   */
  @Override
  public CacheBackend create(URI url, Map<String, String> env) {
    ObjectStoreBackend.Location at = ObjectStoreBackend.Location.parse(url, ENV_URL, "gs",
        "bucket", "application default credentials");
    String emulator = blankToNull(env.get(ENV_EMULATOR));
    if (emulator != null) {
      URI e;
      try {
        e = URI.create(emulator.trim());
      } catch (IllegalArgumentException ex) {
        e = null;
      }
      if (e == null || e.getScheme() == null || e.getHost() == null) {
        throw new IllegalArgumentException(ENV_EMULATOR + " is not a URL, e.g. "
            + "http://127.0.0.1:4443 (needed by " + ENV_URL + ")");
      }
    }
    return GcsCacheBackend.of(at.container(), at.prefix(), () -> client(emulator));
  }

  /** A client as described on this class; {@code emulatorHost} null for Google Cloud itself. */
  static Storage client(String emulatorHost) {
    HttpTransportOptions transport = HttpTransportOptions.newBuilder()
        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
        .setReadTimeout(READ_TIMEOUT_MILLIS)
        .build();
    RetrySettings retries = StorageOptions.getDefaultRetrySettings().toBuilder()
        .setTotalTimeoutDuration(Duration.ofMillis(CALL_TIMEOUT_MILLIS))
        .setMaxAttempts(MAX_ATTEMPTS)
        .build();
    if (emulatorHost != null) {
      return StorageOptions.http()
          .setHost(emulatorHost.trim())
          .setProjectId("tributary-emulator")
          .setCredentials(NoCredentials.getInstance())
          .setTransportOptions(transport)
          .setRetrySettings(retries)
          .build()
          .getService();
    }
    return StorageOptions.getDefaultInstance().toBuilder()
        .setTransportOptions(transport)
        .setRetrySettings(retries)
        .build()
        .getService();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
