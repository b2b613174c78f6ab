package dev.tributary.cache;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Makes a {@link CacheBackend} for the URL schemes it owns — {@code s3}, {@code gs}, {@code az}
 * for {@code TRIBUTARY_CACHE_OBJECT_STORE_URL}, {@code redis}/{@code rediss} for
 * {@code TRIBUTARY_CACHE_VALKEY_URL}. Found with {@link java.util.ServiceLoader}, so a function
 * carries only the backend module it uses; {@code file://} is built in.
 *
 * <p>The cache knows no scheme but {@code file}: which schemes exist, which setting takes them,
 * which module brings them and what part of a URL is a secret is each provider's to say.
 */
public interface CacheBackendProvider {

  /** The setting a provider's URLs belong in. */
  enum Store {
    /** {@code TRIBUTARY_CACHE_OBJECT_STORE_URL}: a durable store of objects (the tier behind Valkey). */
    OBJECT_STORE,
    /** {@code TRIBUTARY_CACHE_VALKEY_URL}: a fast shared store that can hold leases. */
    VALKEY
  }

  /** The URL schemes this provider serves, in lower case, e.g. {@code s3}. */
  Set<String> schemes();

  /** Which setting takes this provider's URLs. */
  Store store();

  /** The module that carries this provider, as a user adds it: {@code dev.tributary:tributary-cache-s3}. */
  String module();

  /** True if this provider serves URLs with {@code scheme} (any case). */
  default boolean supports(String scheme) {
    return scheme != null && schemes().contains(scheme.toLowerCase(Locale.ROOT));
  }

  /**
   * A backend for {@code url}.
   *
   * @param env the process environment, for settings a backend may read
   * @throws IllegalArgumentException naming the environment variable when the URL cannot be used
   */
  CacheBackend create(URI url, Map<String, String> env);

  /**
   * The parts of {@code url} that are secrets (a password in its user information, say), as
   * they may appear in a message: the cache masks each in every log line and listener message.
   * Default: none.
   */
  default List<String> secretsIn(URI url) {
    return List.of();
  }

  /**
   * A shared rate-limit budget on the same kind of store (Valkey shares it across machines);
   * empty if this store cannot hold one.
   */
  default Optional<RateBudgetStore> rateBudgetStore(URI url, Map<String, String> env) {
    return Optional.empty();
  }
}
