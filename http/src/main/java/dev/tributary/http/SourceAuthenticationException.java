package dev.tributary.http;

/**
 * The source rejected the credentials (HTTP 401 or 403, or an OAuth2 token endpoint refusing the
 * client). The message names the secrets to check, never their values, e.g. {@code "source
 * rejected the credentials in secrets.apiToken (HTTP 401)"}.
 */
public final class SourceAuthenticationException extends SourceHttpException {
  private static final long serialVersionUID = 1L;

  public SourceAuthenticationException(String message, int status) {
    super(message, status, null);
  }

  @Override
  public boolean isRetryable() {
    return false;
  }
}
