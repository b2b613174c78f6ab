package dev.tributary.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The right to write one connection for one run: its rows and its state, each response in one
 * transaction. Taken with {@link Destination#lease}; on PostgreSQL it is an advisory lock held by
 * the destination's session, so a process that dies loses it with its database connection.
 *
 * <p>Exactly once: {@link #apply} commits a response's rows and its {@code state} together, and
 * only if the connection's stored state is still the state the call was made with. A response is
 * applied completely or not at all; a replay of an applied call is refused, not applied twice.
 */
public interface Lease extends AutoCloseable {

  /** The connection this lease is for. */
  String connection();

  /** The connection's last committed state; {@code {}} if none. */
  ObjectNode state();

  /**
   * Applies one accepted response — its {@code insert}, {@code delete}, {@code softDelete} and
   * {@code schema} — and stores its {@code state} as the connection's, in one transaction.
   *
   * @param requestState the state the call that produced {@code response} was made with; it
   *     must equal the stored state
   * @param response the response, parsed with {@link Destination#reader()} so numbers keep every
   *     digit
   * @throws StaleStateException if the stored state is not {@code requestState} (the call was
   *     applied already, or another writer moved the state); nothing is applied
   * @throws DestinationException if the response cannot be applied (the message names the table,
   *     column and what to change); nothing is applied, the state stays where it was
   */
  Applied apply(JsonNode requestState, JsonNode response);

  /** Replaces the connection's state, as Fivetran's state API does; rows are left as they are. */
  void replaceState(ObjectNode state);

  /**
   * Drops the connection's tables and forgets its state, in one transaction: the next sync is a
   * historical sync.
   */
  void reset();

  /** Gives the lease back. */
  @Override
  void close();
}
