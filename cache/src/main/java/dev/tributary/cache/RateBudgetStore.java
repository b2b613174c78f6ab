package dev.tributary.cache;

import java.io.IOException;
import java.time.Instant;

/**
 * "Not before" times per source host, shared by every process that calls that host: when one
 * is told to back off (a 429 with {@code Retry-After}), all of them wait. A file for processes on
 * one machine, Valkey for many.
 *
 * <p>Thread-safe; merges by maximum, so a shorter wait never shortens a longer one.
 */
public interface RateBudgetStore extends AutoCloseable {

  /** Raises the host's not-before time to at least {@code notBefore}; returns the value now stored. */
  Instant raise(String host, Instant notBefore) throws IOException;

  /** The host's not-before time; {@link Instant#EPOCH} if none. */
  Instant notBefore(String host) throws IOException;

  @Override
  default void close() {}

  /** The environment variable naming where the budget lives. */
  String ENV_URL = "TRIBUTARY_RATE_BUDGET_URL";

  /**
   * The store {@value #ENV_URL} names: {@code file:///abs/path/} (processes on one machine) or
   * {@code redis://…}/{@code rediss://…} (many machines; needs {@code tributary-cache-valkey});
   * empty when the variable is unset (each process keeps its own waits).
   *
   * @throws IllegalArgumentException naming the variable when the URL cannot be used
   */
  static java.util.Optional<RateBudgetStore> fromEnvironment(java.util.Map<String, String> env) {
    String raw = env.get(ENV_URL);
    if (raw == null || raw.isBlank()) {
      return java.util.Optional.empty();
    }
    java.net.URI url;
    try {
      url = java.net.URI.create(raw.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV_URL + " is not a URL");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (scheme.equals("file")) {
      return java.util.Optional.of(FileRateBudgetStore.at(java.nio.file.Path.of(url)));
    }
    java.util.List<CacheBackendProvider> all = Providers.all();
    for (CacheBackendProvider p : all) {
      if (p.supports(scheme)) {
        return java.util.Optional.of(p.rateBudgetStore(url, env).orElseThrow(() ->
            new IllegalArgumentException(ENV_URL + ": a " + scheme + ":// store cannot hold a"
                + " rate budget; use file:// or a Valkey URL")));
      }
    }
    throw new IllegalArgumentException(ENV_URL + ": no store for " + scheme + ":// is on the"
        + " classpath; use file:///path/ or a Valkey URL such as redis://host:6379 (on the classpath"
        + " now: "
        + Providers.onClasspath(all, CacheBackendProvider.Store.VALKEY) + ")");
  }
}
