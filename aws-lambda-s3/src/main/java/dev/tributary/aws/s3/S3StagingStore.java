package dev.tributary.aws.s3;

import dev.tributary.StagingStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Resource;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Writes a sync's rows to S3 for Fivetran's "sync through S3" ({@code CLOUD_STORAGE}) method.
 *
 * <p>Objects up to one part are written with a single {@code PutObject}; larger ones stream as a
 * multipart upload of {@value #DEFAULT_PART_BYTES}-byte parts, so memory stays at one part
 * whatever the object's size, and nothing is visible under the key until the upload completes. A
 * failed write aborts the upload.
 *
 * <p>Found by the Lambda adapter through {@link java.util.ServiceLoader}: putting this module on
 * the classpath is all it takes. Configuration comes from the environment: {@code AWS_REGION}
 * (set by Lambda) and the default AWS credentials chain (the function's role); for an
 * S3-compatible store, {@code TRIBUTARY_S3_ENDPOINT} and {@code TRIBUTARY_S3_PATH_STYLE=true}.
 *
 * <p>The S3 client is made on first use and closed before a SnapStart snapshot, so no connection
 * or credential is captured in it.
 */
public final class S3StagingStore implements StagingStore, Resource {
  /** S3's minimum part size is 5 MiB; 8 MiB keeps a 50 MB object to seven parts. */
  static final int DEFAULT_PART_BYTES = 8 * 1024 * 1024;

  private final Supplier<S3Client> clients;
  private final int partBytes;
  private S3Client client;

  /** Configured from the environment (how {@link java.util.ServiceLoader} creates it). */
  public S3StagingStore() {
    this(() -> fromEnvironment(System.getenv()).build(), DEFAULT_PART_BYTES);
  }

  /**
   * A store whose clients come from {@code clients} (called on first use and after each
   * snapshot), writing parts of {@code partBytes} (at least 5 MiB for real S3).
   */
  public S3StagingStore(Supplier<S3Client> clients, int partBytes) {
    this.clients = Objects.requireNonNull(clients, "clients");
    if (partBytes < 1024) {
      throw new IllegalArgumentException("partBytes < 1024: " + partBytes);
    }
    this.partBytes = partBytes;
  }

  /** The client builder the no-argument constructor uses: URL-connection HTTP, region and endpoint from env. */
  static S3ClientBuilder fromEnvironment(Map<String, String> env) {
    S3ClientBuilder b = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    String region = env.getOrDefault("AWS_REGION", env.get("AWS_DEFAULT_REGION"));
    if (region != null && !region.isBlank()) {
      b.region(Region.of(region));
    }
    String endpoint = env.get("TRIBUTARY_S3_ENDPOINT");
    if (endpoint != null && !endpoint.isBlank()) {
      try {
        b.endpointOverride(URI.create(endpoint));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("TRIBUTARY_S3_ENDPOINT is not a URL: '" + endpoint + "'");
      }
      // S3-compatible stores often lack the newer default checksums; send them only when required.
      b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    if ("true".equalsIgnoreCase(env.get("TRIBUTARY_S3_PATH_STYLE"))) {
      b.forcePathStyle(true);
    }
    return b;
  }

  @Override
  public synchronized Upload begin(String bucket, String key) {
    if (client == null) {
      client = clients.get();
    }
    return new S3Upload(client, bucket, key, partBytes);
  }

  /** Closes the client so the snapshot holds no connection; a new one is made on first use. */
  @Override
  public synchronized void beforeCheckpoint(Context<? extends Resource> context) {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Override
  public void afterRestore(Context<? extends Resource> context) {
    // Nothing: the next begin() makes a fresh client with the restored environment's credentials.
  }

  /** One object: buffered up to a part, then a multipart upload. */
  private static final class S3Upload implements Upload {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final byte[] part;
    private final List<CompletedPart> parts = new ArrayList<>();
    private final OutputStream stream;
    private int filled;
    private String uploadId;
    private boolean finished;

    S3Upload(S3Client s3, String bucket, String key, int partBytes) {
      this.s3 = s3;
      this.bucket = bucket;
      this.key = key;
      this.part = new byte[partBytes];
      this.stream = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          while (len > 0) {
            if (filled == part.length) {
              uploadPart();
            }
            int n = Math.min(len, part.length - filled);
            System.arraycopy(b, off, part, filled, n);
            filled += n;
            off += n;
            len -= n;
          }
        }
      };
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    private void uploadPart() {
      if (uploadId == null) {
        uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
            .bucket(bucket).key(key).contentType("application/json").build()).uploadId();
      }
      int number = parts.size() + 1;
      String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key)
              .uploadId(uploadId).partNumber(number).contentLength((long) filled).build(),
          RequestBody.fromBytes(java.util.Arrays.copyOf(part, filled))).eTag();
      parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      filled = 0;
    }

    @Override
    public void commit() {
      if (uploadId == null) {
        s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key)
                .contentType("application/json").contentLength((long) filled).build(),
            RequestBody.fromBytes(java.util.Arrays.copyOf(part, filled)));
      } else {
        if (filled > 0) {
          uploadPart();
        }
        s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket)
            .key(key).uploadId(uploadId)
            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build());
      }
      finished = true;
    }

    @Override
    public void abort() {
      if (finished || uploadId == null) {
        return;
      }
      finished = true;
      try {
        s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key)
            .uploadId(uploadId).build());
      } catch (RuntimeException ignored) {
        // S3 expires incomplete uploads under a lifecycle rule; the call fails either way.
      }
    }
  }
}
