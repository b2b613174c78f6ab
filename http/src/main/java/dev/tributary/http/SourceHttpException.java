package dev.tributary.http;

import java.io.IOException;

/**
 * A source failure classified by what should happen next: retry later
 * ({@link SourceUnavailableException}), fix the request or connector
 * ({@link SourceRejectedException}), or fix the credentials ({@link SourceAuthenticationException}).
 *
 * <p>All are {@link IOException}s, so {@code Connector.read} can throw them as they are; the engine
 * answers the call with a {@code SourceError} failure and Fivetran retries from the last accepted
 * state. Messages name the method, host and path of the request (never its query, headers or
 * body) and never carry a secret value.
 */
public abstract sealed class SourceHttpException extends IOException
    permits SourceUnavailableException, SourceRejectedException, SourceAuthenticationException {
  private static final long serialVersionUID = 1L;

  private final int status;

  SourceHttpException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status the source answered with, or 0 if there was no response (a timeout, a reset). */
  public int status() {
    return status;
  }

  /** True if the same request may succeed later without any change (a later call, a later sync). */
  public abstract boolean isRetryable();
}
