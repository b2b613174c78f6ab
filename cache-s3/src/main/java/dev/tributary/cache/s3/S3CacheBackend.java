package dev.tributary.cache.s3;

import dev.tributary.cache.CacheBackend;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A cache in an S3 bucket ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL=s3://bucket/prefix/}), or in
 * any S3-compatible store: every process with access to the bucket shares entries, and entries
 * outlive the processes (the durable tier behind Valkey in {@code tiered}).
 *
 * <p><b>Layout.</b> The key {@code <account_hash>/<key>} is stored as the object
 * {@code <prefix><account_hash>/<key>.json}, content type {@code application/json}, holding the
 * envelope bytes unchanged. Each {@code /}-separated segment keeps {@code [A-Za-z0-9._-]} and
 * percent-encodes every other byte of its UTF-8 form; {@code .} and {@code ..} become
 * {@code %2E} and {@code %2E%2E} — the same names {@link dev.tributary.cache.FileCacheBackend}
 * uses, so no key can reach outside the prefix or look like a path to a tool that syncs the
 * bucket to disk.
 *
 * <p><b>Metadata.</b> Each object carries {@code x-amz-meta-tributary-hash} (the envelope's
 * content hash, without {@code fetched_at}) and {@code x-amz-meta-tributary-written-at} (epoch
 * millis by this process's clock). The hash is kept in metadata rather than compared with the
 * ETag because ETags are MD5s only for single-part uploads on S3 itself, not on multipart uploads
 * or on other stores, and the envelope's bytes change with every {@code fetched_at} anyway.
 *
 * <p><b>Writes.</b> A {@code HeadObject} reads the stored metadata first. When the hash is the
 * same and the entry was written less than half its TTL ago, nothing is sent and the result is
 * {@link WriteResult#SKIPPED_SAME_HASH}. Past half the TTL the unchanged entry is rewritten (one
 * {@code PutObject}): the cache judges freshness by the envelope's {@code fetched_at}, so an entry
 * that was never rewritten would stay expired and be fetched on every call — the same rule as
 * {@link dev.tributary.cache.FileCacheBackend}. A {@code PutObject} replaces the object and its
 * metadata atomically, so a reader never sees one writer's envelope with another's hash;
 * concurrent writers leave the last one's whole entry.
 *
 * <p><b>Errors.</b> A missing object is an empty read. Every other failure — a missing bucket,
 * access denied, a timeout, an object without the hash metadata — is an {@link IOException}
 * naming {@code s3://bucket/key} and the S3 error code, never a credential; the cache turns it into
 * a {@code cache_*_failed} event and fetches.
 *
 * <p><b>Client.</b> The {@link S3Client} is made on first use, not when the backend is built, so a
 * backend created in a function's static initialiser puts no connection or credential into a
 * SnapStart snapshot unless the cache is used during priming. {@link #close()} closes it; a later
 * call makes a new one.
 *
 * <p>Thread-safe.
 */
public final class S3CacheBackend implements CacheBackend {
  /** Metadata name of the content hash, sent as {@code x-amz-meta-tributary-hash}. */
  public static final String HASH_METADATA = "tributary-hash";
  /** Metadata name of the write time, sent as {@code x-amz-meta-tributary-written-at}. */
  public static final String WRITTEN_AT_METADATA = "tributary-written-at";

  private final String bucket;
  private final String prefix;
  private final Supplier<S3Client> clients;
  private final Clock clock;
  private S3Client client;

  private S3CacheBackend(String bucket, String prefix, Supplier<S3Client> clients, Clock clock) {
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
  public static S3CacheBackend of(String bucket, String prefix, Supplier<S3Client> clients) {
    return new S3CacheBackend(bucket, prefix, clients, Clock.systemUTC());
  }

  /** The same, judging "half the TTL" for rewrites of unchanged entries by {@code clock}. */
  public static S3CacheBackend of(String bucket, String prefix, Supplier<S3Client> clients,
      Clock clock) {
    return new S3CacheBackend(bucket, prefix, clients, clock);
  }

  /** The bucket entries live in. */
  public String bucket() {
    return bucket;
  }

  /** The prefix every object key starts with: empty, or ending in {@code /}. */
  public String prefix() {
    return prefix;
  }

  @Override
  public String name() {
    return "object_store";
  }

  /** The object key the entry for {@code key} is stored under. */
  public String objectKey(String key) {
    return dev.tributary.cache.ObjectLayout.name(prefix, key);
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    String objectKey = objectKey(key);
    ResponseBytes<GetObjectResponse> got;
    try {
      got = client().getObjectAsBytes(GetObjectRequest.builder()
          .bucket(bucket).key(objectKey).build());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw failure("GetObject", objectKey, e);
    }
    String hash = got.response().metadata().get(HASH_METADATA);
    if (hash == null || hash.isEmpty()) {
      throw new IOException("s3://" + bucket + "/" + objectKey + " has no " + HASH_METADATA
          + " metadata; it was not written by this cache");
    }
    return Optional.of(new Stored(got.asByteArray(), hash));
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    if (contentHash.isEmpty() || contentHash.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("contentHash must be printable ASCII: " + contentHash);
    }
    String objectKey = objectKey(key);
    S3Client s3 = client();
    long now = clock.millis();
    Map<String, String> stored = storedMetadata(s3, objectKey);
    if (stored != null && dev.tributary.cache.ObjectLayout.skipRewrite(
        stored.get(HASH_METADATA), writtenAt(stored), contentHash, now, ttlSeconds)) {
      return WriteResult.SKIPPED_SAME_HASH;
    }
    try {
      s3.putObject(PutObjectRequest.builder().bucket(bucket).key(objectKey)
              .contentType("application/json").contentLength((long) envelope.length)
              .metadata(Map.of(HASH_METADATA, contentHash, WRITTEN_AT_METADATA,
                  Long.toString(now)))
              .build(),
          RequestBody.fromBytes(envelope));
    } catch (SdkException e) {
      throw failure("PutObject", objectKey, e);
    }
    return WriteResult.WRITTEN;
  }

  /** The stored object's metadata, or null if there is none. */
  private Map<String, String> storedMetadata(S3Client s3, String objectKey) throws IOException {
    try {
      HeadObjectResponse head = s3.headObject(HeadObjectRequest.builder()
          .bucket(bucket).key(objectKey).build());
      return head.metadata();
    } catch (NoSuchKeyException e) {
      // Also what a missing bucket looks like to HEAD (a 404 has no body); the PUT will say which.
      return null;
    } catch (SdkException e) {
      throw failure("HeadObject", objectKey, e);
    }
  }

  /** The recorded write time, or 0 (long ago: rewrite) if absent or unreadable. */
  private static long writtenAt(Map<String, String> metadata) {
    try {
      return Long.parseLong(metadata.getOrDefault(WRITTEN_AT_METADATA, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private IOException failure(String operation, String objectKey, SdkException e) {
    String where = "s3://" + bucket + "/" + objectKey;
    String why;
    if (e instanceof AwsServiceException ase) {
      String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
      // Only the status and error code: a service message may echo request details.
      why = "HTTP " + ase.statusCode() + (code == null ? "" : " " + code);
    } else {
      why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
    return new IOException(operation + " " + where + " failed: " + why, e);
  }

  private synchronized S3Client client() throws IOException {
    if (client == null) {
      try {
        client = clients.get();
      } catch (SdkException e) {
        throw new IOException("cannot make an S3 client for s3://" + bucket + "/: "
            + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
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
      } finally {
        client = null;
      }
    }
  }

  @Override
  public String toString() {
    return "S3CacheBackend(s3://" + bucket + "/" + prefix + ")";
  }

  private static String requireBucket(String bucket) {
    if (bucket == null || bucket.isEmpty()) {
      throw new IllegalArgumentException("bucket is empty");
    }
    return bucket;
  }
}
