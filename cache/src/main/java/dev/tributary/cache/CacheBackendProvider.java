package dev.tributary.cache;

import java.net.URI;
import java.util.Map;

/**
 * Makes a {@link CacheBackend} for a URL scheme — {@code s3}, {@code gs}, {@code az} for
 * {@code TRIBUTARY_CACHE_OBJECT_STORE_URL}, {@code redis}/{@code rediss} for
 * {@code TRIBUTARY_CACHE_VALKEY_URL}. Found with {@link java.util.ServiceLoader}, so a function
 * carries only the backend module it uses; {@code file://} is built in.
 */
public interface CacheBackendProvider {

  /** True if this provider serves URLs with this scheme. */
  boolean supports(String scheme);

  /**
   * A backend for {@code url}.
   *
   * @param env the process environment, for settings a backend may read
   * @throws IllegalArgumentException naming the environment variable when the URL cannot be used
   */
  CacheBackend create(URI url, Map<String, String> env);

  /**
   * A shared rate-limit budget on the same kind of store (Valkey shares it across machines);
   * empty if this store cannot hold one.
   */
  default java.util.Optional<RateBudgetStore> rateBudgetStore(URI url, Map<String, String> env) {
    return java.util.Optional.empty();
  }
}
