package dev.tributary.cache.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheBackendProvider;
import dev.tributary.cache.ObjectStoreBackend;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Serves {@code az://container/prefix/} URLs ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL}) with an
 * {@link AzureBlobCacheBackend}; found by {@link java.util.ServiceLoader}.
 *
 * <p>The storage account and its credential come from the {@code env} map the cache was built
 * from (the process environment in production), checked when the backend is made and used when
 * the client is first needed:
 *
 * <ul>
 *   <li>{@code AZURE_STORAGE_CONNECTION_STRING}: a storage connection string — account name and
 *       key, or a SAS, with optional {@code BlobEndpoint}. {@code UseDevelopmentStorage=true}, or
 *       the {@code devstoreaccount1} string with {@code BlobEndpoint=http://127.0.0.1:<port>/
 *       devstoreaccount1}, reaches Azurite.
 *   <li>Otherwise {@code AZURE_STORAGE_ACCOUNT} and {@code AZURE_STORAGE_KEY}: shared-key
 *       access to {@code https://<account>.blob.core.windows.net}, or to
 *       {@code TRIBUTARY_AZURE_BLOB_ENDPOINT} when set (another cloud, or an emulator).
 * </ul>
 *
 * <p>Neither set is a misconfiguration, reported at start-up naming the variables. Neither the
 * connection string nor the key is ever put into a message.
 *
 * <p>Timeouts are short, since a slow cache should fail open rather than hold a sync: the JDK
 * HTTP client connects within {@value #CONNECT_TIMEOUT_MILLIS} ms and waits
 * {@value #RESPONSE_TIMEOUT_MILLIS} ms for a response; each try is bounded by
 * {@value #TRY_TIMEOUT_SECONDS} s, at most {@value #MAX_TRIES} tries, and a whole call by
 * {@link AzureBlobCacheBackend#CALL_TIMEOUT}.
 */
public final class AzureBlobCacheBackendProvider implements CacheBackendProvider {
  static final String ENV_URL = "TRIBUTARY_CACHE_OBJECT_STORE_URL";
  static final String ENV_CONNECTION_STRING = "AZURE_STORAGE_CONNECTION_STRING";
  static final String ENV_ACCOUNT = "AZURE_STORAGE_ACCOUNT";
  static final String ENV_KEY = "AZURE_STORAGE_KEY";
  static final String ENV_ENDPOINT = "TRIBUTARY_AZURE_BLOB_ENDPOINT";
  static final long CONNECT_TIMEOUT_MILLIS = 2_000;
  static final long RESPONSE_TIMEOUT_MILLIS = 5_000;
  static final int TRY_TIMEOUT_SECONDS = 5;
  static final int MAX_TRIES = 2;

  /** Azure's rule: 3–63 lowercase letters, digits and single dashes, not at either end. */
  private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:-?[a-z0-9]){2,62}");
  private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");

  @Override
  public Set<String> schemes() {
    return Set.of("az");
  }

  @Override
  public Store store() {
    return Store.OBJECT_STORE;
  }

  @Override
  public String module() {
    return "dev.tributary:tributary-cache-azure";
  }

  /**
   * A backend for {@code az://container/prefix/}; no client is made until its first call.
   *
   * @throws IllegalArgumentException naming {@code TRIBUTARY_CACHE_OBJECT_STORE_URL} if the URL
   *     has no valid container name, carries credentials, a port, a query or a fragment; naming
   *     the Azure variables if no credential is set or it cannot be read
   */
  @Override
  public CacheBackend create(URI url, Map<String, String> env) {
    ObjectStoreBackend.Location parsed = parse(url);
    Map<String, String> settings = Map.copyOf(env);
    BlobContainerClientBuilder check = clientBuilder(parsed.container(), settings);
    if (check == null) {
      throw new IllegalArgumentException(ENV_URL + " is an az:// URL but neither "
          + ENV_CONNECTION_STRING + " nor " + ENV_ACCOUNT + " and " + ENV_KEY + " is set");
    }
    return AzureBlobCacheBackend.of(parsed.container(), parsed.prefix(),
        () -> clientBuilder(parsed.container(), settings).buildClient());
  }

  /** Parses {@code az://container/prefix/}, or fails naming the variable and never echoing it. */
  static ObjectStoreBackend.Location parse(URI url) {
    ObjectStoreBackend.Location at = ObjectStoreBackend.Location.parse(url, ENV_URL, "az",
        "container", ENV_CONNECTION_STRING + " (a SAS too) or " + ENV_ACCOUNT + " and " + ENV_KEY);
    if (!CONTAINER.matcher(at.container()).matches()) {
      throw new IllegalArgumentException(ENV_URL + " has the container name '" + at.container()
          + "'; Azure container names are 3-63 lowercase letters, digits and single dashes");
    }
    return at;
  }

  /**
   * A client builder for {@code container} configured from {@code env} as described on this
   * class, or null if {@code env} names no account.
   *
   * @throws IllegalArgumentException naming the variable if its value cannot be used
   */
  static BlobContainerClientBuilder clientBuilder(String container, Map<String, String> env) {
    BlobContainerClientBuilder b = new BlobContainerClientBuilder()
        .containerName(container)
        .httpClient(httpClient())
        .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, MAX_TRIES,
            TRY_TIMEOUT_SECONDS, 200L, 1_000L, null));
    String connectionString = blankToNull(env.get(ENV_CONNECTION_STRING));
    if (connectionString != null) {
      try {
        return b.connectionString(connectionString.trim());
      } catch (RuntimeException e) {
        // The SDK's message may quote the string, which holds the key: do not pass it on.
        throw new IllegalArgumentException(ENV_CONNECTION_STRING
            + " is not a storage connection string (needed by " + ENV_URL + ")");
      }
    }
    String account = blankToNull(env.get(ENV_ACCOUNT));
    String key = blankToNull(env.get(ENV_KEY));
    if (account == null && key == null) {
      return null;
    }
    if (account == null || key == null) {
      throw new IllegalArgumentException(ENV_URL + " needs both " + ENV_ACCOUNT + " and "
          + ENV_KEY + " (or " + ENV_CONNECTION_STRING + ")");
    }
    account = account.trim();
    if (!ACCOUNT.matcher(account).matches()) {
      throw new IllegalArgumentException(ENV_ACCOUNT + " is '" + account
          + "'; Azure storage account names are 3-24 lowercase letters and digits");
    }
    return b.endpoint(endpoint(account, env)).credential(
        new StorageSharedKeyCredential(account, key.trim()));
  }

  /** {@code TRIBUTARY_AZURE_BLOB_ENDPOINT}, else the public cloud's endpoint for the account. */
  static String endpoint(String account, Map<String, String> env) {
    String endpoint = blankToNull(env.get(ENV_ENDPOINT));
    if (endpoint == null) {
      return "https://" + account + ".blob.core.windows.net";
    }
    try {
      URI e = URI.create(endpoint.trim());
      if (e.getScheme() == null || e.getHost() == null || e.getRawQuery() != null) {
        throw new IllegalArgumentException("no scheme or host, or a query");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV_ENDPOINT + " is not a URL without a query, e.g. "
          + "http://127.0.0.1:10000/devstoreaccount1 (needed by " + ENV_URL + ")");
    }
    return endpoint.trim();
  }

  /** The JDK HTTP client with short timeouts; no Netty. */
  static HttpClient httpClient() {
    return new JdkHttpClientBuilder()
        .connectionTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MILLIS))
        .responseTimeout(Duration.ofMillis(RESPONSE_TIMEOUT_MILLIS))
        .readTimeout(Duration.ofMillis(RESPONSE_TIMEOUT_MILLIS))
        .writeTimeout(Duration.ofMillis(RESPONSE_TIMEOUT_MILLIS))
        .build();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
