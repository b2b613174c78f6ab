package dev.tributary.cache;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** The {@link CacheBackendProvider}s on the classpath, and the messages that say what is there. */
final class Providers {
  private Providers() {}

  static List<CacheBackendProvider> all() {
    List<CacheBackendProvider> found = new ArrayList<>();
    ServiceLoader.load(CacheBackendProvider.class, SourceCache.class.getClassLoader())
        .forEach(found::add);
    return found;
  }

  /**
   * The provider for {@code url}'s scheme that serves {@code store}.
   *
   * @param variable the environment variable the URL came from, named in every error
   * @throws IllegalArgumentException when no provider serves the scheme, or one serves it for the
   *     other setting
   */
  static CacheBackendProvider forUrl(URI url, String variable, CacheBackendProvider.Store store) {
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    List<CacheBackendProvider> all = all();
    for (CacheBackendProvider p : all) {
      if (p.supports(scheme)) {
        if (p.store() != store) {
          throw new IllegalArgumentException(variable + " is a " + scheme + ":// URL, which "
              + p.module() + " serves as " + describe(p.store()) + "; put it in "
              + variableOf(p.store()) + " instead");
        }
        return p;
      }
    }
    throw new IllegalArgumentException(variable + " is a " + scheme + ":// URL, but no cache"
        + " backend for " + scheme + ":// is on the classpath; add the dev.tributary:tributary-cache-*"
        + " module that serves it (on the classpath now: " + onClasspath(all, store) + ")");
  }

  /** What serves {@code store} here, e.g. {@code file:// (built in), s3:// (dev.tributary:tributary-cache-s3)}. */
  static String onClasspath(List<CacheBackendProvider> all, CacheBackendProvider.Store store) {
    List<String> parts = new ArrayList<>();
    if (store == CacheBackendProvider.Store.OBJECT_STORE) {
      parts.add("file:// (built in)");
    }
    for (CacheBackendProvider p : all) {
      if (p.store() == store) {
        parts.add(String.join(", ", new TreeSet<>(p.schemes()).stream().map(s -> s + "://")
            .toList()) + " (" + p.module() + ")");
      }
    }
    return parts.isEmpty() ? "none" : String.join("; ", parts);
  }

  private static String describe(CacheBackendProvider.Store store) {
    return store == CacheBackendProvider.Store.VALKEY ? "a Valkey store" : "an object store";
  }

  static String variableOf(CacheBackendProvider.Store store) {
    return store == CacheBackendProvider.Store.VALKEY ? SourceCache.ENV_VALKEY_URL
        : SourceCache.ENV_OBJECT_STORE_URL;
  }
}
