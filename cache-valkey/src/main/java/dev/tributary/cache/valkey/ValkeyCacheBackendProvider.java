package dev.tributary.cache.valkey;

import dev.tributary.cache.CacheBackend;
import dev.tributary.cache.CacheBackendProvider;
import dev.tributary.cache.RateBudgetStore;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Serves {@code redis://} and {@code rediss://} URLs ({@code TRIBUTARY_CACHE_VALKEY_URL}) with a
 * {@link ValkeyCacheBackend}; found by {@link java.util.ServiceLoader}.
 */
public final class ValkeyCacheBackendProvider implements CacheBackendProvider {

  @Override
  public Set<String> schemes() {
    return Set.of("redis", "rediss");
  }

  @Override
  public Store store() {
    return Store.VALKEY;
  }

  @Override
  public String module() {
    return "dev.tributary:tributary-cache-valkey";
  }

  /** The password of the URL's user information, as written and URL-decoded. */
  @Override
  public List<String> secretsIn(URI url) {
    String userInfo = url.getRawUserInfo();
    if (userInfo == null) {
      return List.of();
    }
    String password = userInfo.substring(userInfo.indexOf(':') + 1);
    return password.isEmpty() ? List.of()
        : List.of(password, URLDecoder.decode(password, StandardCharsets.UTF_8));
  }

  @Override
  public CacheBackend create(URI url, Map<String, String> env) {
    return new ValkeyCacheBackend(url);
  }

  /** A rate budget shared by every process that reaches this Valkey. */
  @Override
  public Optional<RateBudgetStore> rateBudgetStore(URI url, Map<String, String> env) {
    return Optional.of(new ValkeyRateBudgetStore(url));
  }
}
