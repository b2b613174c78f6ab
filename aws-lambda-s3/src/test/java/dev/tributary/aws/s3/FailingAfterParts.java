package dev.tributary.aws.s3;

import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** A real client to the loopback S3 whose part uploads fail after the first {@code n}. */
final class FailingAfterParts extends DelegatingS3Client {
  private final S3Client real;
  private final int n;
  private final AtomicInteger parts = new AtomicInteger();

  FailingAfterParts(S3Client real, int n) {
    super(real);
    this.real = real;
    this.n = n;
  }

  @Override
  public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
    if (parts.incrementAndGet() > n) {
      throw (S3Exception) S3Exception.builder().message("simulated network failure on part "
          + request.partNumber()).statusCode(500).build();
    }
    return real.uploadPart(request, body);
  }
}
