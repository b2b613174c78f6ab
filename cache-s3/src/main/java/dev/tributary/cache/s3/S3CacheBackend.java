package dev.tributary.cache.s3;

import dev.tributary.cache.ObjectStoreBackend;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
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
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A cache in an S3 bucket ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL=s3://bucket/prefix/}), or in
 * any S3-compatible store: every process with access to the bucket shares entries, and entries
 * outlive the processes (the durable tier behind Valkey in {@code tiered}). Layout, writes, errors
 * and the client's life are {@link ObjectStoreBackend}'s; what is S3's own:
 *
 * <p><b>Metadata.</b> Each object carries {@code x-amz-meta-tributary-hash} and
 * {@code x-amz-meta-tributary-written-at}. The hash is not compared with the ETag because ETags
 * are MD5s only for single-part uploads on S3 itself, not on multipart uploads or other stores.
 * The stored metadata is read with a {@code HeadObject}; a write is one {@code PutObject}, which
 * replaces the object and its metadata atomically.
 *
 * <p><b>Errors</b> name {@code s3://bucket/key} with the HTTP status and the S3 error code only: a
 * service message may echo request details. A {@code HeadObject} on a missing bucket looks like a
 * missing object (a 404 has no body); the {@code PutObject} after it says which.
 */
public final class S3CacheBackend extends ObjectStoreBackend<S3Client> {
  /** Metadata name of the content hash, sent as {@code x-amz-meta-tributary-hash}. */
  public static final String HASH_METADATA = "tributary-hash";
  /** Metadata name of the write time, sent as {@code x-amz-meta-tributary-written-at}. */
  public static final String WRITTEN_AT_METADATA = "tributary-written-at";

  private S3CacheBackend(String bucket, String prefix, Supplier<S3Client> clients, Clock clock) {
    super("s3", HASH_METADATA, WRITTEN_AT_METADATA, bucket, prefix, clients, clock);
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

  @Override
  protected Optional<StoredObject> get(S3Client s3, String key) throws IOException {
    try {
      ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(GetObjectRequest.builder()
          .bucket(container()).key(key).build());
      return Optional.of(new StoredObject(got.asByteArray(), got.response().metadata()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw failure("GetObject", key, e);
    }
  }

  @Override
  protected Map<String, String> metadata(S3Client s3, String key) throws IOException {
    try {
      return s3.headObject(HeadObjectRequest.builder().bucket(container()).key(key).build())
          .metadata();
    } catch (NoSuchKeyException e) {
      return null;
    } catch (SdkException e) {
      throw failure("HeadObject", key, e);
    }
  }

  @Override
  protected void put(S3Client s3, String key, byte[] envelope, Map<String, String> metadata)
      throws IOException {
    try {
      s3.putObject(PutObjectRequest.builder().bucket(container()).key(key)
              .contentType("application/json").contentLength((long) envelope.length)
              .metadata(metadata).build(),
          RequestBody.fromBytes(envelope));
    } catch (SdkException e) {
      throw failure("PutObject", key, e);
    }
  }

  @Override
  protected void closeClient(S3Client s3) {
    s3.close();
  }

  private IOException failure(String operation, String key, SdkException e) {
    String why;
    if (e instanceof AwsServiceException ase) {
      String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
      // Only the status and error code: a service message may echo request details.
      why = "HTTP " + ase.statusCode() + (code == null ? "" : " " + code);
    } else {
      why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
    return new IOException(operation + " " + where(key) + " failed: " + why, e);
  }
}
