package dev.tributary.cache.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.tributary.cache.ObjectStoreBackend;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A cache in a Google Cloud Storage bucket ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL=
 * gs://bucket/prefix/}): every process with access to the bucket shares entries, and entries
 * outlive the processes (the durable tier behind Valkey in {@code tiered}). Uses the JSON API over
 * HTTP; the gRPC transport is not on the class path (see the module's pom). Layout, writes, errors
 * and the client's life are {@link ObjectStoreBackend}'s; what is Cloud Storage's own:
 *
 * <p><b>Metadata.</b> Each object carries the custom metadata {@code tributary-hash} and
 * {@code tributary-written-at}; a GCS ETag is not an MD5 of the content. One upload replaces the
 * object and its metadata atomically (a new generation).
 *
 * <p><b>Reads.</b> The object's metadata is read first, then its bytes at that exact generation,
 * so the envelope and the hash returned always belong to the same write even while another
 * process replaces the object; if the generation was replaced in between, the read starts again
 * (a few times, then it is an {@link IOException}). GCS answers 404 to a read in a missing bucket
 * too, so that read is empty; the write that follows fails.
 *
 * <p><b>Errors</b> name {@code gs://bucket/object} with the HTTP status and reason, never a
 * credential or the service's message. In production the client comes from
 * {@code StorageOptions.getDefaultInstance()}, i.e. application default credentials.
 */
public final class GcsCacheBackend extends ObjectStoreBackend<Storage> {
  /** Custom-metadata name of the content hash. */
  public static final String HASH_METADATA = "tributary-hash";
  /** Custom-metadata name of the write time, epoch millis. */
  public static final String WRITTEN_AT_METADATA = "tributary-written-at";

  private static final int READ_ATTEMPTS = 3;

  private GcsCacheBackend(String bucket, String prefix, Supplier<Storage> clients, Clock clock) {
    super("gs", HASH_METADATA, WRITTEN_AT_METADATA, bucket, prefix, clients, clock);
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

  @Override
  protected Optional<StoredObject> get(Storage gcs, String name) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Blob blob;
      try {
        blob = gcs.get(BlobId.of(container(), name));
      } catch (BaseServiceException e) {
        throw failure("get", name, e);
      }
      if (blob == null) {
        return Optional.empty();
      }
      Map<String, String> metadata = blob.getMetadata() == null ? Map.of() : blob.getMetadata();
      if (!metadata.containsKey(HASH_METADATA)) {
        return Optional.of(new StoredObject(new byte[0], metadata)); // refused by the caller
      }
      try {
        byte[] envelope = gcs.readAllBytes(BlobId.of(container(), name, blob.getGeneration()));
        return Optional.of(new StoredObject(envelope, metadata));
      } catch (BaseServiceException e) {
        if (e.getCode() != 404 || attempt >= READ_ATTEMPTS) {
          throw failure("read", name, e);
        }
        // That generation was replaced (or deleted) since its metadata was read: look again.
      }
    }
  }

  @Override
  protected Map<String, String> metadata(Storage gcs, String name) throws IOException {
    Blob blob;
    try {
      blob = gcs.get(BlobId.of(container(), name),
          Storage.BlobGetOption.fields(Storage.BlobField.METADATA));
    } catch (BaseServiceException e) {
      throw failure("get", name, e);
    }
    if (blob == null) {
      return null;
    }
    return blob.getMetadata() == null ? Map.of() : blob.getMetadata();
  }

  @Override
  protected void put(Storage gcs, String name, byte[] envelope, Map<String, String> metadata)
      throws IOException {
    BlobInfo info = BlobInfo.newBuilder(BlobId.of(container(), name))
        .setContentType("application/json")
        .setMetadata(metadata)
        .build();
    try {
      gcs.create(info, envelope);
    } catch (BaseServiceException e) {
      throw failure("create", name, e);
    }
  }

  @Override
  protected void closeClient(Storage gcs) throws Exception {
    gcs.close();
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
}
