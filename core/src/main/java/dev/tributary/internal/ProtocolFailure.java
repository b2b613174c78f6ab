package dev.tributary.internal;

/**
 * The request cannot be served as sent: malformed JSON, a limit exceeded, a {@code state} this
 * version cannot read. Answered as a bad request; nothing is read and no state changes.
 */
public final class ProtocolFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public ProtocolFailure(String message) {
    super(message);
  }
}
