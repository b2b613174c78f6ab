package dev.tributary.internal;

/**
 * The connector broke its contract with the engine: rows out of order, a missing key column, a
 * row too large for any response, a page that cannot make progress. The call fails with an
 * error response and no state change; the message names the table and says what to fix.
 */
public final class ConnectorFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConnectorFailure(String message) {
    super(message);
  }
}
