package dev.tributary.internal;

/** Writing the rows of a sync through cloud storage failed; the call fails and state stays. */
public final class StagingFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StagingFailure(String bucket, String key, Exception cause) {
    super("could not write the rows to s3://" + bucket + "/" + key + ": " + describe(cause)
        + "; check that the function's role may s3:PutObject there", cause);
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
