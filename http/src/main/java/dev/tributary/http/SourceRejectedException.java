package dev.tributary.http;

/**
 * The source rejected the request itself (a 4xx other than 401, 403 and 429): a bad parameter, a
 * resource that does not exist, a conflict. Retrying the same request will not help; the fix is in
 * the connector or its configuration.
 */
public final class SourceRejectedException extends SourceHttpException {
  private static final long serialVersionUID = 1L;

  public SourceRejectedException(String message, int status) {
    super(message, status, null);
  }

  @Override
  public boolean isRetryable() {
    return false;
  }
}
