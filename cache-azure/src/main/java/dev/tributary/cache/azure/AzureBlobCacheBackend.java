package dev.tributary.cache.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import dev.tributary.cache.ObjectStoreBackend;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A cache in an Azure Blob Storage container
 * ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL=az://container/prefix/}): every process with access to
 * the container shares entries, and entries outlive the processes (the durable tier behind Valkey
 * in {@code tiered}). Layout, writes, errors and the client's life are
 * {@link ObjectStoreBackend}'s; what is Azure's own:
 *
 * <p><b>Metadata.</b> Each block blob carries {@code x-ms-meta-tributaryhash} and
 * {@code x-ms-meta-tributarywrittenat}: Azure metadata names must be C# identifiers, so they have
 * no dashes. An Azure ETag is an opaque version, not a digest of the content. The stored metadata
 * is read with Get Blob Properties; a write is one Put Blob, which replaces content and metadata
 * atomically.
 *
 * <p><b>Errors</b> name {@code az://container/blob} with the HTTP status and the Azure error code,
 * never the account key or a SAS token (client messages are scrubbed of both). A missing
 * container looks like a missing blob to Get Blob Properties; the Put Blob after it says which.
 *
 * <p>The JDK HTTP client on Java 17 has nothing to close (its connections idle out), so
 * {@link #close()} only drops the client.
 */
public final class AzureBlobCacheBackend extends ObjectStoreBackend<BlobContainerClient> {
  /** Metadata name of the content hash, sent as {@code x-ms-meta-tributaryhash}. */
  public static final String HASH_METADATA = "tributaryhash";
  /** Metadata name of the write time, sent as {@code x-ms-meta-tributarywrittenat}. */
  public static final String WRITTEN_AT_METADATA = "tributarywrittenat";
  /** The longest a single call (with the client's retries) may take before it fails open. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private AzureBlobCacheBackend(String container, String prefix,
      Supplier<BlobContainerClient> clients, Clock clock) {
    super("az", HASH_METADATA, WRITTEN_AT_METADATA, container, prefix, clients, clock);
  }

  /**
   * A backend storing under {@code prefix} (a trailing {@code /} is added if missing; empty for
   * the container's root) in {@code container}, with clients for that container from
   * {@code clients} (called on first use and after {@link #close()}).
   */
  public static AzureBlobCacheBackend of(String container, String prefix,
      Supplier<BlobContainerClient> clients) {
    return new AzureBlobCacheBackend(container, prefix, clients, Clock.systemUTC());
  }

  /** The same, judging "half the TTL" for rewrites of unchanged entries by {@code clock}. */
  public static AzureBlobCacheBackend of(String container, String prefix,
      Supplier<BlobContainerClient> clients, Clock clock) {
    return new AzureBlobCacheBackend(container, prefix, clients, clock);
  }

  @Override
  protected Optional<StoredObject> get(BlobContainerClient client, String name)
      throws IOException {
    try {
      BlobDownloadContentResponse got = blob(client, name)
          .downloadContentWithResponse(null, null, CALL_TIMEOUT, Context.NONE);
      Map<String, String> metadata = got.getDeserializedHeaders().getMetadata();
      return Optional.of(new StoredObject(got.getValue().toBytes(),
          metadata == null ? Map.of() : metadata));
    } catch (BlobStorageException e) {
      if (BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
        return Optional.empty();
      }
      throw failure("GetBlob", name, e);
    } catch (RuntimeException e) {
      throw failure("GetBlob", name, e);
    }
  }

  @Override
  protected Map<String, String> metadata(BlobContainerClient client, String name)
      throws IOException {
    try {
      Map<String, String> m = blob(client, name)
          .getPropertiesWithResponse(null, CALL_TIMEOUT, Context.NONE).getValue().getMetadata();
      return m == null ? Map.of() : m;
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        return null;
      }
      throw failure("GetBlobProperties", name, e);
    } catch (RuntimeException e) {
      throw failure("GetBlobProperties", name, e);
    }
  }

  @Override
  protected void put(BlobContainerClient client, String name, byte[] envelope,
      Map<String, String> metadata) throws IOException {
    try {
      blob(client, name).uploadWithResponse(
          new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(envelope))
              .setHeaders(new BlobHttpHeaders().setContentType("application/json"))
              .setMetadata(metadata),
          CALL_TIMEOUT, Context.NONE);
    } catch (RuntimeException e) {
      throw failure("PutBlob", name, e);
    }
  }

  @Override
  protected String describeClientFailure(RuntimeException e) {
    return e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + redact(e.getMessage()));
  }

  private static BlockBlobClient blob(BlobContainerClient client, String name) {
    return client.getBlobClient(name).getBlockBlobClient();
  }

  private IOException failure(String operation, String name, RuntimeException e) {
    String why;
    if (e instanceof BlobStorageException bse) {
      // Only the status and error code: the service message may echo request details.
      why = "HTTP " + bse.getStatusCode()
          + (bse.getErrorCode() == null ? "" : " " + bse.getErrorCode());
    } else {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      why = e.getClass().getSimpleName()
          + (root == e ? "" : " (" + root.getClass().getSimpleName() + ")")
          + (root.getMessage() == null ? "" : ": " + redact(root.getMessage()));
    }
    return new IOException(operation + " " + where(name) + " failed: " + why, e);
  }

  /** Removes what could be a secret (an account key, a SAS signature) from a message. */
  static String redact(String message) {
    return message
        .replaceAll("(?i)(AccountKey|SharedAccessSignature|sig)=[^;&\\s\"']*", "$1=<redacted>");
  }
}
