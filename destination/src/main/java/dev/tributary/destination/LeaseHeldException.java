package dev.tributary.destination;

/**
 * Another run holds the connection's lease. A scheduler treats it as "skipped" (the other run is
 * doing the work), not as a failure.
 */
public final class LeaseHeldException extends DestinationException {
  private final String connection;

  public LeaseHeldException(String connection, String holder) {
    super("another run holds connection " + connection + (holder.isEmpty() ? "" : " (" + holder + ")"));
    this.connection = connection;
  }

  /** The connection whose lease is taken. */
  public String connection() {
    return connection;
  }
}
