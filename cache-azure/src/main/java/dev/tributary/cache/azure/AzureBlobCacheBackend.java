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
import dev.tributary.cache.CacheBackend;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A cache in an Azure Blob Storage container
 * ({@code TRIBUTARY_CACHE_OBJECT_STORE_URL=az://container/prefix/}): every process with access to
 * the container shares entries, and entries outlive the processes (the durable tier behind Valkey
 * in {@code tiered}).
 *
 * <p><b>Layout.</b> The key {@code <account_hash>/<key>} is stored as the block blob
 * {@code <prefix><account_hash>/<key>.json}, content type {@code application/json}, holding the
 * envelope bytes unchanged. Each {@code /}-separated segment keeps {@code [A-Za-z0-9._-]} and
 * percent-encodes every other byte of its UTF-8 form; {@code .} and {@code ..} become
 * {@code %2E} and {@code %2E%2E}; an empty segment becomes {@code %} — the same names
 * {@link dev.tributary.cache.FileCacheBackend} and the S3 backend use, so one bucket or container
 * can be copied to another store and still be read.
 *
 * <p><b>Metadata.</b> Each blob carries {@code x-ms-meta-tributaryhash} (the envelope's content
 * hash, without {@code fetched_at}) and {@code x-ms-meta-tributarywrittenat} (epoch millis by this
 * process's clock). Azure metadata names must be C# identifiers, so they have no dashes. The hash
 * is kept in metadata because an Azure ETag is an opaque version, not a digest of the content.
 *
 * <p><b>Writes.</b> A Get Blob Properties reads the stored metadata first. When the hash is the
 * same and the entry was written less than half its TTL ago, nothing is sent and the result is
 * {@link WriteResult#SKIPPED_SAME_HASH}. Past half the TTL the unchanged entry is rewritten, since
 * the cache judges freshness by the envelope's {@code fetched_at} — the same rule as the file and
 * S3 backends. Every write is one Put Blob, which replaces content and metadata atomically, so a
 * reader never sees one writer's envelope with another's hash; concurrent writers leave the last
 * one's whole entry.
 *
 * <p><b>Errors.</b> A missing blob is an empty read. Every other failure — a missing container,
 * an authorisation failure, a timeout, a blob without the hash metadata — is an
 * {@link IOException} naming {@code az://container/blob}, the HTTP status and the Azure error code,
 * never the account key or a SAS token; the cache turns it into a {@code cache_*_failed} event and
 * fetches.
 *
 * <p><b>Client.</b> The {@link BlobContainerClient} is made on first use, not when the backend is
 * built, so a backend created in a function's static initialiser holds no HTTP client or
 * connection in a SnapStart snapshot unless the cache is used during priming. {@link #close()}
 * drops it; a later call makes a new one.
 *
 * <p>Thread-safe.
 */
public final class AzureBlobCacheBackend implements CacheBackend {
  /** Metadata name of the content hash, sent as {@code x-ms-meta-tributaryhash}. */
  public static final String HASH_METADATA = "tributaryhash";
  /** Metadata name of the write time, sent as {@code x-ms-meta-tributarywrittenat}. */
  public static final String WRITTEN_AT_METADATA = "tributarywrittenat";
  /** The longest a single call (with the client's retries) may take before it fails open. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final String container;
  private final String prefix;
  private final Supplier<BlobContainerClient> clients;
  private final Clock clock;
  private BlobContainerClient client;

  private AzureBlobCacheBackend(String container, String prefix,
      Supplier<BlobContainerClient> clients, Clock clock) {
    this.container = requireContainer(container);
    this.prefix = dev.tributary.cache.ObjectLayout.prefix(prefix);
    this.clients = Objects.requireNonNull(clients, "clients");
    this.clock = Objects.requireNonNull(clock, "clock");
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

  /** The container entries live in. */
  public String container() {
    return container;
  }

  /** The prefix every blob name starts with: empty, or ending in {@code /}. */
  public String prefix() {
    return prefix;
  }

  @Override
  public String name() {
    return "object_store";
  }

  /** The blob name the entry for {@code key} is stored under. */
  public String blobName(String key) {
    return dev.tributary.cache.ObjectLayout.name(prefix, key);
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    String blobName = blobName(key);
    BlobDownloadContentResponse got;
    try {
      got = blob(client(), blobName).downloadContentWithResponse(null, null, CALL_TIMEOUT,
          Context.NONE);
    } catch (BlobStorageException e) {
      if (BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
        return Optional.empty();
      }
      throw failure("GetBlob", blobName, e);
    } catch (RuntimeException e) {
      throw failure("GetBlob", blobName, e);
    }
    Map<String, String> metadata = got.getDeserializedHeaders().getMetadata();
    String hash = metadata == null ? null : metadata.get(HASH_METADATA);
    if (hash == null || hash.isEmpty()) {
      throw new IOException(where(blobName) + " has no " + HASH_METADATA
          + " metadata; it was not written by this cache");
    }
    return Optional.of(new Stored(got.getValue().toBytes(), hash));
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    if (contentHash.isEmpty() || contentHash.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("contentHash must be printable ASCII: " + contentHash);
    }
    String blobName = blobName(key);
    BlockBlobClient blob = blob(client(), blobName);
    long now = clock.millis();
    Map<String, String> stored = storedMetadata(blob, blobName);
    if (stored != null && dev.tributary.cache.ObjectLayout.skipRewrite(
        stored.get(HASH_METADATA), writtenAt(stored), contentHash, now, ttlSeconds)) {
      return WriteResult.SKIPPED_SAME_HASH;
    }
    try {
      blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(envelope))
              .setHeaders(new BlobHttpHeaders().setContentType("application/json"))
              .setMetadata(Map.of(HASH_METADATA, contentHash,
                  WRITTEN_AT_METADATA, Long.toString(now))),
          CALL_TIMEOUT, Context.NONE);
    } catch (RuntimeException e) {
      throw failure("PutBlob", blobName, e);
    }
    return WriteResult.WRITTEN;
  }

  private static BlockBlobClient blob(BlobContainerClient client, String blobName) {
    return client.getBlobClient(blobName).getBlockBlobClient();
  }

  /** The stored blob's metadata, or null if there is none. */
  private Map<String, String> storedMetadata(BlockBlobClient blob, String blobName)
      throws IOException {
    try {
      Map<String, String> m = blob.getPropertiesWithResponse(null, CALL_TIMEOUT, Context.NONE)
          .getValue().getMetadata();
      return m == null ? Map.of() : m;
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        // A missing blob, or a missing container: the Put Blob will say which.
        return null;
      }
      throw failure("GetBlobProperties", blobName, e);
    } catch (RuntimeException e) {
      throw failure("GetBlobProperties", blobName, e);
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

  private String where(String blobName) {
    return "az://" + container + "/" + blobName;
  }

  private IOException failure(String operation, String blobName, RuntimeException e) {
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
    return new IOException(operation + " " + where(blobName) + " failed: " + why, e);
  }

  /** Removes what could be a secret (an account key, a SAS signature) from a message. */
  static String redact(String message) {
    return message
        .replaceAll("(?i)(AccountKey|SharedAccessSignature|sig)=[^;&\\s\"']*", "$1=<redacted>");
  }

  private synchronized BlobContainerClient client() throws IOException {
    if (client == null) {
      try {
        client = clients.get();
      } catch (RuntimeException e) {
        throw new IOException("cannot make an Azure Blob client for az://" + container + "/: "
            + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + redact(e.getMessage())), e);
      }
    }
    return client;
  }

  /**
   * Drops the client, if one was made; the next call makes a new one. (The JDK HTTP client on
   * Java 17 has nothing to close: its connections idle out.)
   */
  @Override
  public synchronized void close() {
    client = null;
  }

  @Override
  public String toString() {
    return "AzureBlobCacheBackend(az://" + container + "/" + prefix + ")";
  }

  private static String requireContainer(String container) {
    if (container == null || container.isEmpty()) {
      throw new IllegalArgumentException("container is empty");
    }
    return container;
  }
}
