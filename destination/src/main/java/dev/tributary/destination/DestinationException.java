package dev.tributary.destination;

/**
 * A destination could not be opened, read or written. The message says what is wrong and what to
 * change, and never holds the destination's password. A failed write changed nothing.
 */
public class DestinationException extends RuntimeException {
  public DestinationException(String message) {
    super(message);
  }

  public DestinationException(String message, Throwable cause) {
    super(message, cause);
  }
}
