package dev.tributary.http;

/**
 * The source is temporarily unable to answer: 429, 5xx, a timeout or a reset connection that
 * survived the {@link RetryInterceptor}'s attempts, or a wait the call's deadline leaves no room
 * for.
 *
 * <p>Thrown from {@code Connector.read}, it fails the call; Fivetran retries the call later from
 * the last accepted state, so nothing is lost and at most the failed call's rows are read again.
 */
public final class SourceUnavailableException extends SourceHttpException {
  private static final long serialVersionUID = 1L;

  public SourceUnavailableException(String message, int status, Throwable cause) {
    super(message, status, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
