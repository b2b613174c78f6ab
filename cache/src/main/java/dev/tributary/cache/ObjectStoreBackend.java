package dev.tributary.cache;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What every object-store backend (S3, Cloud Storage, Azure Blob) does the same way, so that each
 * one only says how to get, inspect and put one object with its store's client.
 *
 * <p><b>Layout.</b> The key {@code <account_hash>/<key>} is stored as the object
 * {@link ObjectLayout#name} gives: {@code <prefix><account_hash>/<key>.json}, content type
 * {@code application/json}, holding the envelope bytes unchanged — the same names the
 * {@link FileCacheBackend} uses, so no key can reach outside the prefix and one store can be
 * copied to another and still be read.
 *
 * <p><b>Metadata.</b> Each object carries the envelope's content hash (without
 * {@code fetched_at}) and its write time (epoch millis by this process's clock) under the names
 * the subclass passes (a store's rules for metadata names differ). The hash is kept in metadata
 * because no store's ETag is a digest of the content one can rely on, and the envelope's bytes
 * change with every {@code fetched_at} anyway. An object without the hash was not written by this
 * cache: reading it is an {@link IOException}.
 *
 * <p><b>Writes.</b> The stored metadata is read first. When the hash is the same and the entry was
 * written less than half its TTL ago, nothing is sent and the result is
 * {@link WriteResult#SKIPPED_SAME_HASH}. Past half the TTL the unchanged entry is rewritten: the
 * cache judges freshness by the envelope's {@code fetched_at}, so an entry never rewritten would
 * stay expired and be fetched on every call ({@link ObjectLayout#skipRewrite}). Each store's put
 * replaces content and metadata in one step, so a reader never sees one writer's envelope with
 * another's hash; concurrent writers leave the last one's whole entry.
 *
 * <p><b>Errors.</b> A missing object is an empty read. Every other failure is an
 * {@link IOException} naming {@code <scheme>://<container>/<object>}, never a credential; the
 * cache turns it into a {@code cache_*_failed} event and fetches. So is a {@link LinkageError}
 * from a client (a class left out of a trimmed class path), so it cannot fail a sync either.
 *
 * <p><b>Client.</b> Made on first use from the supplier, not when the backend is built, so a
 * backend created in a function's static initialiser puts no connection or credential into a
 * snapshot (SnapStart) unless the cache is used during priming. {@link #close()} releases it; a
 * later call makes a new one.
 *
 * <p>Thread-safe when the client is.
 *
 * @param <C> the store's client
 */
public abstract class ObjectStoreBackend<C> implements CacheBackend {
  private final String scheme;
  private final String hashMetadata;
  private final String writtenAtMetadata;
  private final String container;
  private final String prefix;
  private final Supplier<C> clients;
  private final Clock clock;
  private C client;

  /**
   * @param scheme the URL scheme named in messages ({@code s3})
   * @param hashMetadata the metadata name the content hash is stored under
   * @param writtenAtMetadata the metadata name the write time is stored under
   * @param container the bucket or container
   * @param prefix a trailing {@code /} is added if missing, leading ones dropped; empty for the root
   * @param clients called on first use and after {@link #close()}
   * @param clock judges "half the TTL" for rewrites of unchanged entries
   */
  protected ObjectStoreBackend(String scheme, String hashMetadata, String writtenAtMetadata,
      String container, String prefix, Supplier<C> clients, Clock clock) {
    this.scheme = Objects.requireNonNull(scheme, "scheme");
    this.hashMetadata = Objects.requireNonNull(hashMetadata, "hashMetadata");
    this.writtenAtMetadata = Objects.requireNonNull(writtenAtMetadata, "writtenAtMetadata");
    if (container == null || container.isEmpty()) {
      throw new IllegalArgumentException("container is empty");
    }
    this.container = container;
    this.prefix = ObjectLayout.prefix(prefix);
    this.clients = Objects.requireNonNull(clients, "clients");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One stored object: its bytes and its metadata (empty if it has none). */
  public record StoredObject(byte[] bytes, Map<String, String> metadata) {}

  /** The stored object {@code name}, or empty if there is none. */
  protected abstract Optional<StoredObject> get(C client, String name) throws IOException;

  /** The stored object's metadata (empty if it has none), or null if there is no object. */
  protected abstract Map<String, String> metadata(C client, String name) throws IOException;

  /** Stores {@code bytes} as {@code name} with content type {@code application/json} and {@code metadata}. */
  protected abstract void put(C client, String name, byte[] bytes, Map<String, String> metadata)
      throws IOException;

  /** Releases a client this backend made; default nothing (the client has nothing to close). */
  protected void closeClient(C client) throws Exception {}

  /**
   * What to say about a client that could not be made: by default its class and message; a store
   * whose client messages may quote a credential overrides it.
   */
  protected String describeClientFailure(RuntimeException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  @Override
  public final String name() {
    return "object_store";
  }

  /** The bucket or container entries live in. */
  public final String container() {
    return container;
  }

  /** The prefix every object name starts with: empty, or ending in {@code /}. */
  public final String prefix() {
    return prefix;
  }

  /** The object name the entry for {@code key} is stored under. */
  public final String objectName(String key) {
    return ObjectLayout.name(prefix, key);
  }

  /** {@code <scheme>://<container>/<name>}, for messages. */
  protected final String where(String name) {
    return scheme + "://" + container + "/" + name;
  }

  @Override
  public final Optional<Stored> read(String key) throws IOException {
    String name = objectName(key);
    Optional<StoredObject> got;
    try {
      got = get(client(), name);
    } catch (LinkageError e) {
      throw missingClass(name, e);
    }
    if (got.isEmpty()) {
      return Optional.empty();
    }
    String hash = got.get().metadata().get(hashMetadata);
    if (hash == null || hash.isEmpty()) {
      throw new IOException(where(name) + " has no " + hashMetadata
          + " metadata; it was not written by this cache");
    }
    return Optional.of(new Stored(got.get().bytes(), hash));
  }

  @Override
  public final WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    if (contentHash.isEmpty() || contentHash.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("contentHash must be printable ASCII: " + contentHash);
    }
    String name = objectName(key);
    try {
      C c = client();
      long now = clock.millis();
      Map<String, String> stored = metadata(c, name);
      if (stored != null && ObjectLayout.skipRewrite(stored.get(hashMetadata),
          writtenAt(stored), contentHash, now, ttlSeconds)) {
        return WriteResult.SKIPPED_SAME_HASH;
      }
      put(c, name, envelope, Map.of(hashMetadata, contentHash,
          writtenAtMetadata, Long.toString(now)));
      return WriteResult.WRITTEN;
    } catch (LinkageError e) {
      throw missingClass(name, e);
    }
  }

  /** The recorded write time, or 0 (long ago: rewrite) if absent or unreadable. */
  private long writtenAt(Map<String, String> metadata) {
    try {
      String at = metadata.get(writtenAtMetadata);
      return at == null ? 0 : Long.parseLong(at);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A class of the client is missing (see the backend module's pom for what is left out). */
  private IOException missingClass(String name, LinkageError e) {
    return new IOException("the " + scheme + ":// client cannot run for " + where(name) + ": " + e,
        e);
  }

  /** The client, made on first use. */
  protected final synchronized C client() throws IOException {
    if (client == null) {
      C made;
      try {
        made = clients.get();
      } catch (RuntimeException e) {
        // e.g. no credentials: the message names the missing setting.
        throw new IOException("cannot make a client for " + scheme + "://" + container + "/: "
            + describeClientFailure(e), e);
      }
      if (made == null) {
        throw new IOException("no client for " + scheme + "://" + container + "/");
      }
      client = made;
    }
    return client;
  }

  /** Releases the client, if one was made; the next call makes a new one. */
  @Override
  public final synchronized void close() {
    if (client != null) {
      try {
        closeClient(client);
      } catch (Exception e) {
        // Nothing is left to release that a caller could act on.
      } finally {
        client = null;
      }
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + scheme + "://" + container + "/" + prefix + ")";
  }

  /**
   * The container and prefix of an object-store URL {@code <scheme>://<container>/<prefix>/}.
   *
   * @param container the bucket or container
   * @param prefix the URL's path, as {@link ObjectStoreBackend}'s constructor takes it
   */
  public record Location(String container, String prefix) {

    /**
     * Parses {@code url}, or fails naming {@code variable} and never echoing a part that may be a
     * credential.
     *
     * @param scheme the scheme the URL must have
     * @param containerWord what the store calls a container: {@code bucket}, {@code container}
     * @param credentialsHint where credentials go instead, e.g. {@code the AWS environment variables}
     * @throws IllegalArgumentException naming {@code variable} if the URL has another scheme, no
     *     container, a user, password or port, a query or a fragment
     */
    public static Location parse(URI url, String variable, String scheme, String containerWord,
        String credentialsHint) {
      String shape = scheme + "://" + containerWord + "/prefix/";
      if (url == null || !scheme.equalsIgnoreCase(url.getScheme())) {
        throw new IllegalArgumentException(variable + " is not a " + scheme + ":// URL");
      }
      String authority = url.getRawAuthority();
      if (authority == null || authority.isEmpty()) {
        throw new IllegalArgumentException(variable + " has no " + containerWord + "; use " + shape);
      }
      if (authority.contains("@") || authority.contains(":")) {
        // Do not echo it: the part before '@' may be a credential.
        throw new IllegalArgumentException(variable + " must be " + shape + " with no user,"
            + " password or port; give credentials through " + credentialsHint);
      }
      if (url.getRawQuery() != null || url.getRawFragment() != null) {
        // A query may be a signed token: do not echo it.
        throw new IllegalArgumentException(variable + " must not have a query or fragment: use "
            + shape + " and give credentials through " + credentialsHint);
      }
      return new Location(authority, url.getPath() == null ? "" : url.getPath());
    }
  }
}
