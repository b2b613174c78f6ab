package dev.tributary.destination;

/**
 * A response was not applied because the connection's stored state is no longer the state its
 * call was made with: the call was applied already, or another writer moved the state. Nothing
 * was written; read the state again and call again from it.
 */
public final class StaleStateException extends DestinationException {
  public StaleStateException(String message) {
    super(message);
  }
}
