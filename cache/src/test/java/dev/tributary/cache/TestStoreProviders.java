package dev.tributary.cache;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Two providers the cache module's own tests register through {@code META-INF/services}, as a
 * backend module would: {@code folder:///abs/path/} is an object store on disk, and
 * {@code unreachable://user:password@host} is a Valkey-kind store that cannot be reached, whose
 * password is in every error it gives.
 */
final class TestStoreProviders {
  private TestStoreProviders() {}

  /** {@code folder:///abs/path/}: a {@link FileCacheBackend} under the URL's path. */
  public static final class Folder implements CacheBackendProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("folder");
    }

    @Override
    public Store store() {
      return Store.OBJECT_STORE;
    }

    @Override
    public String module() {
      return "test:folder-store";
    }

    @Override
    public CacheBackend create(URI url, Map<String, String> env) {
      return FileCacheBackend.at(Path.of(url.getPath()));
    }
  }

  /** {@code unreachable://user:password@host}: fails every call, quoting its URL. */
  public static final class Unreachable implements CacheBackendProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("unreachable");
    }

    @Override
    public Store store() {
      return Store.VALKEY;
    }

    @Override
    public String module() {
      return "test:unreachable-store";
    }

    @Override
    public List<String> secretsIn(URI url) {
      String info = url.getUserInfo();
      return info == null ? List.of() : List.of(info.substring(info.indexOf(':') + 1));
    }

    @Override
    public CacheBackend create(URI url, Map<String, String> env) {
      return new ThrowingBackend("cannot connect to " + url);
    }
  }
}
