package dev.tributary.aws.s3;

import dev.tributary.StagingStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
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
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Writes a sync's rows to S3 for Fivetran's "sync through S3" ({@code CLOUD_STORAGE}) method.
 *
 * <p>Objects up to one part are written with a single {@code PutObject}; larger ones stream as a
 * multipart upload of {@value #DEFAULT_PART_BYTES}-byte parts, so memory stays at one part
 * whatever the object's size, and nothing is visible under the key until the upload completes.
 *
 * <p><b>No false success.</b> Every body is sent with its {@code Content-MD5}, so S3 refuses
 * bytes that arrive damaged or cut short, and {@link Upload#commit()} returns only after a
 * {@code HeadObject} shows the object under the key with the size written and the ETag the write
 * produced (or, when a reply carried none, the MD5 ETag of the bytes). Anything else — a write
 * whose outcome is unknown, an object missing or of another size or ETag — fails the call, and
 * Fivetran retries it from the last accepted state. {@code HeadObject} needs {@code s3:GetObject}.
 *
 * <p><b>Aborts.</b> A failed multipart upload is aborted, up to {@value #ABORT_ATTEMPTS} times,
 * until {@code ListParts} no longer finds it ({@code s3:ListMultipartUploadParts}); the error
 * says whether the abort was confirmed. An upload left behind is removed by the bucket's
 * lifecycle rule for incomplete multipart uploads ({@code template.yaml} sets one day).
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
  /** Tries at an abort (each with the SDK's own retries) before saying it could not be confirmed. */
  static final int ABORT_ATTEMPTS = 3;
  /** Pause before the second abort attempt; the third waits twice as long. */
  static final long ABORT_PAUSE_MILLIS = 100;
  /** Tries at the confirming {@code HeadObject} when it fails or its reply is incomplete. */
  static final int CONFIRM_ATTEMPTS = 3;

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

  /**
   * One object: buffered up to a part, then a multipart upload; confirmed by {@code HeadObject}
   * before {@link #commit()} returns, aborted (and the abort confirmed) when anything fails.
   */
  private static final class S3Upload implements Upload {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final byte[] part;
    private final List<CompletedPart> parts = new ArrayList<>();
    /** The MD5 of each uploaded part, in order: a multipart ETag is the MD5 of their concatenation. */
    private final List<byte[]> partDigests = new ArrayList<>();
    private final OutputStream stream;
    private long uploadedBytes;
    private int filled;
    private String uploadId;
    /** True once S3 accepted CompleteMultipartUpload: nothing is left to abort. */
    private boolean completed;
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
          if (finished) {
            throw new IOException("the upload to " + where() + " has already ended");
          }
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

    private String where() {
      return "s3://" + bucket + "/" + key;
    }

    private void uploadPart() throws IOException {
      int number = parts.size() + 1;
      try {
        if (uploadId == null) {
          uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
              .bucket(bucket).key(key).contentType("application/json").build()).uploadId();
        }
        byte[] digest = md5(part, filled);
        // Content-MD5 makes S3 refuse a part whose bytes arrived damaged or cut short.
        String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key)
                .uploadId(uploadId).partNumber(number).contentLength((long) filled)
                .contentMD5(Base64.getEncoder().encodeToString(digest)).build(),
            RequestBody.fromBytes(Arrays.copyOf(part, filled))).eTag();
        if (etag == null || etag.isBlank()) {
          throw new IOException("S3 answered part " + number + " without an ETag");
        }
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        partDigests.add(digest);
        uploadedBytes += filled;
        filled = 0;
      } catch (IOException | RuntimeException e) {
        throw fail(uploadId == null ? "CreateMultipartUpload" : "UploadPart " + number, e);
      }
    }

    /**
     * Writes the last bytes and returns only once {@code HeadObject} shows the object S3 stored
     * for this upload: its size, and its ETag where S3 gives one. Any doubt is an exception, so
     * the call fails and Fivetran retries from its last state instead of reading a missing or
     * stale object.
     */
    @Override
    public void commit() throws IOException {
      if (finished) {
        throw new IOException("the upload to " + where() + " has already ended");
      }
      long size;
      String written;
      String expectedEtag;
      String operation = uploadId == null ? "PutObject" : "CompleteMultipartUpload";
      try {
        if (uploadId == null) {
          byte[] digest = md5(part, filled);
          written = s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key)
                  .contentType("application/json").contentLength((long) filled)
                  .contentMD5(Base64.getEncoder().encodeToString(digest)).build(),
              RequestBody.fromBytes(Arrays.copyOf(part, filled))).eTag();
          size = filled;
          expectedEtag = HexFormat.of().formatHex(digest);
        } else {
          if (filled > 0) {
            uploadPart();
          }
          written = s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
              .bucket(bucket).key(key).uploadId(uploadId)
              .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build())
              .eTag();
          completed = true;
          size = uploadedBytes;
          expectedEtag = multipartEtag(partDigests);
        }
        operation = "HeadObject";
        confirm(size, unquote(written), expectedEtag);
      } catch (IOException | RuntimeException e) {
        if (finished) {
          throw e; // uploadPart above already aborted and said so
        }
        throw fail(operation, e);
      }
      finished = true;
    }

    /**
     * Fails unless the object under the key is the one this upload wrote. A {@code HeadObject}
     * that fails or answers without a size (a reply cut short) is asked again, up to
     * {@value #CONFIRM_ATTEMPTS} times; a size or ETag that differs fails at once.
     */
    private void confirm(long size, String written, String expectedEtag) throws IOException {
      HeadObjectResponse head = null;
      Exception last = null;
      for (int attempt = 1; attempt <= CONFIRM_ATTEMPTS && head == null; attempt++) {
        try {
          HeadObjectResponse h = s3.headObject(HeadObjectRequest.builder().bucket(bucket)
              .key(key).build());
          if (h.contentLength() != null) {
            head = h;
          } else {
            last = new IOException("HeadObject answered without a Content-Length");
          }
        } catch (NoSuchKeyException e) {
          throw new IOException("S3 reported the write done but HeadObject finds no object", e);
        } catch (S3Exception e) {
          if (e.statusCode() == 403) {
            throw new IOException("HeadObject was denied (HTTP 403), so the object cannot be"
                + " confirmed; grant the function's role s3:GetObject on the staging bucket"
                + " (template.yaml does)", e);
          }
          last = e;
        } catch (RuntimeException e) {
          last = e;
        }
      }
      if (head == null) {
        throw new IOException("the object could not be confirmed after " + CONFIRM_ATTEMPTS
            + " HeadObject attempts: " + describe(last), last);
      }
      if (head.contentLength() != size) {
        throw new IOException("HeadObject shows " + head.contentLength() + " bytes where " + size
            + " were written; another object is under the key");
      }
      String etag = unquote(head.eTag());
      if (etag == null) {
        return; // the store gives no ETag: the size is all there is to check
      }
      if (written != null ? !etag.equals(written) : !etag.equalsIgnoreCase(expectedEtag)) {
        throw new IOException("HeadObject shows ETag " + etag + " where the write produced "
            + (written != null ? written : expectedEtag) + "; another object is under the key");
      }
    }

    @Override
    public void abort() {
      if (finished) {
        return;
      }
      finished = true;
      if (uploadId != null && !completed) {
        abortUpload();
      }
    }

    /**
     * Ends the upload after a failure of {@code operation}: aborts a multipart upload (retried,
     * then confirmed with {@code ListParts}) and returns an exception that says whether it was.
     */
    private IOException fail(String operation, Exception cause) {
      finished = true;
      String outcome = uploadId == null || completed ? "" : "; " + abortUpload();
      return new IOException(operation + " failed: " + describe(cause) + outcome, cause);
    }

    /** Aborts the multipart upload; returns what happened, for the error message. */
    private String abortUpload() {
      Exception last = null;
      for (int attempt = 1; attempt <= ABORT_ATTEMPTS; attempt++) {
        if (attempt > 1) {
          pause(ABORT_PAUSE_MILLIS * (attempt - 1));
        }
        try {
          s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key)
              .uploadId(uploadId).build());
        } catch (NoSuchUploadException gone) {
          // Aborted by an earlier attempt whose reply was lost, or completed: either way not pending.
        } catch (RuntimeException e) {
          last = e;
          continue;
        }
        // S3 may keep a part that was still arriving during the abort: look, and abort again.
        try {
          s3.listParts(ListPartsRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
              .build());
          last = new IOException("the upload was still listed after the abort");
        } catch (NoSuchUploadException gone) {
          return "the multipart upload was aborted";
        } catch (RuntimeException e) {
          last = e;
        }
      }
      return "the multipart upload " + uploadId + " could not be confirmed aborted after "
          + ABORT_ATTEMPTS + " attempts (" + describe(last) + "); the staging bucket's lifecycle rule for"
          + " incomplete multipart uploads removes it (template.yaml: after a day)";
    }
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] md5(byte[] bytes, int length) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      md.update(bytes, 0, length);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }

  /** The ETag S3 gives a multipart object: MD5 of the parts' MD5s, a dash, the part count. */
  static String multipartEtag(List<byte[]> partDigests) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      partDigests.forEach(md::update);
      return HexFormat.of().formatHex(md.digest()) + "-" + partDigests.size();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }

  /** An ETag without its quotes; null if there is none. */
  static String unquote(String etag) {
    if (etag == null) {
      return null;
    }
    String e = etag.trim();
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e.isEmpty() ? null : e;
  }
}
