package dev.tributary.cache.valkey;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheBackendProvider;
import java.net.URI;
import java.util.Map;

/**
 * Serves {@code redis://} and {@code rediss://} URLs ({@code TRIBUTARY_CACHE_VALKEY_URL}) with a
 * {@link ValkeyCacheBackend}; found by {@link java.util.ServiceLoader}.
 */
public final class ValkeyCacheBackendProvider implements CacheBackendProvider {

  @Override
  public boolean supports(String scheme) {
    return "redis".equalsIgnoreCase(scheme) || "rediss".equalsIgnoreCase(scheme);
  }

  @Override
  public CacheBackend create(URI url, Map<String, String> env) {
    return new ValkeyCacheBackend(url);
  }

  /** A rate budget shared by every process that reaches this Valkey. */
  @Override
  public java.util.Optional<dev.tributary.cache.RateBudgetStore> rateBudgetStore(java.net.URI url,
      java.util.Map<String, String> env) {
    return java.util.Optional.of(new ValkeyRateBudgetStore(url));
  }
}
