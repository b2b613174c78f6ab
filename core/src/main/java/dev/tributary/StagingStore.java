package dev.tributary;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a sync through cloud storage puts its rows: Fivetran's {@code CLOUD_STORAGE} sync method on
 * AWS, where the request names a {@code bucket} and a {@code file}, the function writes
 * {@code {"insert":…,"delete":…}} to exactly that object and answers with only {@code state},
 * {@code schema}, {@code softDelete} and {@code hasMore}.
 *
 * <p>The AWS adapter finds an implementation with {@link java.util.ServiceLoader}; the S3 one lives
 * in {@code tributary-aws-lambda-s3}, so functions that sync directly stay small.
 */
public interface StagingStore {

  /**
   * Starts writing an object. Nothing may become visible under the key before
   * {@link Upload#commit()}.
   */
  Upload begin(String bucket, String key) throws IOException;

  /** One object being written. */
  interface Upload {
    /** Where the object's bytes go; written once, front to back. */
    OutputStream stream();

    /** Makes the object visible. After a failure here the call fails and nothing is sent. */
    void commit() throws IOException;

    /** Discards what was written; safe to call at any point, more than once. */
    void abort();
  }
}
