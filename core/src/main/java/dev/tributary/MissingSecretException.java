package dev.tributary;

/**
 * A secret the connector needs is absent or has the wrong shape. The message names the secret
 * (never its value); the fix is in the connection's setup form, so the call fails as a bad
 * request rather than a source failure.
 */
public final class MissingSecretException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MissingSecretException(String message) {
    super(message);
  }
}
