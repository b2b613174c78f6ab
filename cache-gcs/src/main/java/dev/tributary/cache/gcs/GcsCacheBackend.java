package dev.tributary.cache.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.tributary.cache.CacheBackend;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A cache in a Google Cloud Storage bucket ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL=
 * gs://bucket/prefix/}): every process with access to the bucket shares entries, and entries
 * outlive the processes (the durable tier behind Valkey in {@code tiered}). Uses the JSON API over
 * HTTP; the gRPC transport is not on the class path (see the module's pom).
 *
 * <p><b>Layout.</b> The key {@code <account_hash>/<key>} is stored as the object
 * {@code <prefix><account_hash>/<key>.json}, content type {@code application/json}, holding the
 * envelope bytes unchanged. Each {@code /}-separated segment keeps {@code [A-Za-z0-9._-]} and
 * percent-encodes every other byte of its UTF-8 form; {@code .} and {@code ..} become
 * {@code %2E} and {@code %2E%2E}; an empty segment becomes {@code %} — the same names as
 * {@link dev.tributary.cache.FileCacheBackend} and the S3 backend, so one bucket synced between
 * stores keeps the same keys.
 *
 * <p><b>Metadata.</b> Each object carries the custom metadata {@code tributary-hash} (the
 * envelope's content hash, without {@code fetched_at}) and {@code tributary-written-at} (epoch
 * millis by this process's clock). The hash is kept in metadata because a GCS ETag is not an MD5
 * of the content, and the envelope's bytes change with every {@code fetched_at} anyway.
 *
 * <p><b>Reads.</b> The object's metadata is read first, then its bytes at that exact generation,
 * so the envelope and the hash returned always belong to the same write even while another
 * process replaces the object; if the generation was replaced in between, the read starts again
 * (a few times, then it is an {@link IOException}).
 *
 * <p><b>Writes.</b> The stored metadata is read first. When the hash is the same and the entry
 * was written less than half its TTL ago, nothing is sent and the result is
 * {@link WriteResult#SKIPPED_SAME_HASH}. Past half the TTL the unchanged entry is rewritten (one
 * upload): the cache judges freshness by the envelope's {@code fetched_at}, so an entry that was
 * never rewritten would stay expired and be fetched on every call — the same rule as the file and
 * S3 backends. One upload replaces the object and its metadata atomically (a new generation), so
 * concurrent writers leave the last one's whole entry.
 *
 * <p><b>Errors.</b> A missing object is an empty read. GCS answers 404 to a read in a missing
 * bucket too, so that read is also empty; the write that follows fails. Every other failure —
 * access denied, a timeout, an object without the hash metadata — is an {@link IOException}
 * naming {@code gs://bucket/object} and the HTTP status and reason, never a credential or the
 * service's message; the cache turns it into a {@code cache_*_failed} event and fetches. So is a
 * {@link LinkageError} from the client (a class left out of a trimmed class path), so that it
 * cannot fail a sync either.
 *
 * <p><b>Client.</b> The {@link Storage} client is made on first use (in production from
 * {@code StorageOptions.getDefaultInstance()}, i.e. application default credentials), not when the
 * backend is built, so a backend created in a function's static initialiser puts no connection or
 * token into a snapshot unless the cache is used during priming. {@link #close()} closes it; a
 * later call makes a new one.
 *
 * <p>Thread-safe.
 */
public final class GcsCacheBackend implements CacheBackend {
  /** Custom-metadata name of the content hash. */
  public static final String HASH_METADATA = "tributary-hash";
  /** Custom-metadata name of the write time, epoch millis. */
  public static final String WRITTEN_AT_METADATA = "tributary-written-at";

  private static final int READ_ATTEMPTS = 3;

  private final String bucket;
  private final String prefix;
  private final Supplier<Storage> clients;
  private final Clock clock;
  private Storage client;

  private GcsCacheBackend(String bucket, String prefix, Supplier<Storage> clients, Clock clock) {
    this.bucket = requireBucket(bucket);
    this.prefix = dev.tributary.cache.ObjectLayout.prefix(prefix);
    this.clients = Objects.requireNonNull(clients, "clients");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A backend storing under {@code prefix} (a trailing {@code /} is added if missing; empty for
   * the bucket's root) in {@code bucket}, with clients from {@code clients} (called on first use
   * and after {@link #close()}).
   */
  public static GcsCacheBackend of(String bucket, String prefix, Supplier<Storage> clients) {
    return new GcsCacheBackend(bucket, prefix, clients, Clock.systemUTC());
  }

  /** The same, judging "half the TTL" for rewrites of unchanged entries by {@code clock}. */
  public static GcsCacheBackend of(String bucket, String prefix, Supplier<Storage> clients,
      Clock clock) {
    return new GcsCacheBackend(bucket, prefix, clients, clock);
  }

  /** The bucket entries live in. */
  public String bucket() {
    return bucket;
  }

  /** The prefix every object name starts with: empty, or ending in {@code /}. */
  public String prefix() {
    return prefix;
  }

  @Override
  public String name() {
    return "object_store";
  }

  /** The object name the entry for {@code key} is stored under. */
  public String objectName(String key) {
    return dev.tributary.cache.ObjectLayout.name(prefix, key);
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    try {
      return readObject(objectName(key));
    } catch (LinkageError e) {
      throw missingClass(key, e);
    }
  }

  private Optional<Stored> readObject(String name) throws IOException {
    Storage gcs = client();
    for (int attempt = 1; ; attempt++) {
      Blob blob;
      try {
        blob = gcs.get(BlobId.of(bucket, name));
      } catch (BaseServiceException e) {
        throw failure("get", name, e);
      }
      if (blob == null) {
        return Optional.empty();
      }
      Map<String, String> metadata = blob.getMetadata();
      String hash = metadata == null ? null : metadata.get(HASH_METADATA);
      if (hash == null || hash.isEmpty()) {
        throw new IOException(where(name) + " has no " + HASH_METADATA
            + " metadata; it was not written by this cache");
      }
      try {
        byte[] envelope = gcs.readAllBytes(BlobId.of(bucket, name, blob.getGeneration()));
        return Optional.of(new Stored(envelope, hash));
      } catch (BaseServiceException e) {
        if (e.getCode() != 404 || attempt >= READ_ATTEMPTS) {
          throw failure("read", name, e);
        }
        // That generation was replaced (or deleted) since its metadata was read: look again.
      }
    }
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    if (contentHash.isEmpty() || contentHash.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("contentHash must be printable ASCII: " + contentHash);
    }
    try {
      return writeObject(objectName(key), envelope, contentHash, ttlSeconds);
    } catch (LinkageError e) {
      throw missingClass(key, e);
    }
  }

  private WriteResult writeObject(String name, byte[] envelope, String contentHash,
      long ttlSeconds) throws IOException {
    Storage gcs = client();
    long now = clock.millis();
    Map<String, String> stored = storedMetadata(gcs, name);
    if (stored != null && dev.tributary.cache.ObjectLayout.skipRewrite(
        stored.get(HASH_METADATA), writtenAt(stored), contentHash, now, ttlSeconds)) {
      return WriteResult.SKIPPED_SAME_HASH;
    }
    BlobInfo info = BlobInfo.newBuilder(BlobId.of(bucket, name))
        .setContentType("application/json")
        .setMetadata(Map.of(HASH_METADATA, contentHash, WRITTEN_AT_METADATA, Long.toString(now)))
        .build();
    try {
      gcs.create(info, envelope);
    } catch (BaseServiceException e) {
      throw failure("create", name, e);
    }
    return WriteResult.WRITTEN;
  }

  /** The stored object's custom metadata (empty if it has none), or null if there is no object. */
  private Map<String, String> storedMetadata(Storage gcs, String name) throws IOException {
    Blob blob;
    try {
      blob = gcs.get(BlobId.of(bucket, name),
          Storage.BlobGetOption.fields(Storage.BlobField.METADATA));
    } catch (BaseServiceException e) {
      throw failure("get", name, e);
    }
    if (blob == null) {
      return null;
    }
    return blob.getMetadata() == null ? Map.of() : blob.getMetadata();
  }

  /** The recorded write time, or 0 (long ago: rewrite) if absent or unreadable. */
  private static long writtenAt(Map<String, String> metadata) {
    try {
      String at = metadata.get(WRITTEN_AT_METADATA);
      return at == null ? 0 : Long.parseLong(at);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A class of the client is missing — a dependency was left out of the function's class path
   * (see the module's pom for what is excluded): an IOException, so the cache still fails open.
   */
  private IOException missingClass(String key, LinkageError e) {
    return new IOException("the Cloud Storage client cannot run for " + where(objectName(key))
        + ": " + e, e);
  }

  private String where(String name) {
    return "gs://" + bucket + "/" + name;
  }

  private IOException failure(String operation, String name, BaseServiceException e) {
    // Only the status and reason: a service message may echo request details.
    String why = e.getCode() > 0
        ? "HTTP " + e.getCode() + (e.getReason() == null ? "" : " " + e.getReason())
        : causeOf(e);
    return new IOException(operation + " " + where(name) + " failed: " + why, e);
  }

  private static String causeOf(Throwable e) {
    Throwable c = e.getCause() == null ? e : e.getCause();
    return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
  }

  private synchronized Storage client() throws IOException {
    if (client == null) {
      try {
        client = clients.get();
      } catch (RuntimeException e) {
        // e.g. no application default credentials: the message names the missing setting.
        throw new IOException("cannot make a Cloud Storage client for gs://" + bucket + "/: "
            + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
      }
      if (client == null) {
        throw new IOException("no Cloud Storage client for gs://" + bucket + "/");
      }
    }
    return client;
  }

  /** Closes the client, if one was made; the next call makes a new one. */
  @Override
  public synchronized void close() {
    if (client != null) {
      try {
        client.close();
      } catch (Exception e) {
        // Nothing is left to release that a caller could act on.
      } finally {
        client = null;
      }
    }
  }

  @Override
  public String toString() {
    return "GcsCacheBackend(gs://" + bucket + "/" + prefix + ")";
  }

  private static String requireBucket(String bucket) {
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("bucket is empty");
    }
    return bucket;
  }
}
