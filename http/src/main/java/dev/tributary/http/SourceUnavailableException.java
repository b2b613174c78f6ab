package dev.tributary.http;

/**
 * The source is temporarily unable to answer: 429, 5xx, a timeout or a reset connection that
 * survived the {@link RetryInterceptor}'s attempts, or a wait the call's deadline leaves no room
 * for.
 *
 * <p>It is a {@link dev.tributary.TransientFailure}: thrown from {@code Connector.read} after the
 * call has collected rows, the engine answers with them ({@code hasMore: true}) and the next call
 * resumes after them; thrown before, it fails the call and Fivetran retries it later from the last
 * accepted state. Either way nothing is lost.
 */
public final class SourceUnavailableException extends SourceHttpException
    implements dev.tributary.TransientFailure {
  private static final long serialVersionUID = 1L;

  public SourceUnavailableException(String message, int status, Throwable cause) {
    super(message, status, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
