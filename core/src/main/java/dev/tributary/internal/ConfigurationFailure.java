package dev.tributary.internal;

/**
 * The function is not set up for what the request asks (for example a sync through S3 without
 * the S3 module). Answered as a bad request naming what to add or change.
 */
public final class ConfigurationFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigurationFailure(String message) {
    super(message);
  }
}
