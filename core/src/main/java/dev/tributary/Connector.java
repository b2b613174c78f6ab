package dev.tributary;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * What a connector author writes: the tables, and how to ask the source for rows after a
 * position. Everything else — state, positions, the horizon, paging under the response limits,
 * deletes, error responses, secrets hygiene — is the engine's.
 *
 * <p>Implementations are created once per container; hold clients (an {@code OkHttpClient}, a
 * connection pool) in fields. Fivetran makes one call at a time per connection, but a platform
 * may run calls of several connections in one instance at once (Azure Functions does; Cloud
 * Functions with a concurrency above 1): keep {@code read} free of per-call fields, or keep the
 * platform at one call per instance.
 */
public interface Connector {

  /** The tables this connector delivers, the same for every connection. */
  Schema schema();

  /**
   * The tables of the connection these secrets belong to; called once per call. By default
   * {@link #schema()}. Override it when the secrets decide which tables exist — a generic
   * database connector configured by {@code secrets.tables} — and cache what you build, since
   * Fivetran sends the same secrets on every call of a connection. Throw
   * {@link MissingSecretException} when the secrets cannot describe the tables.
   */
  default Schema schema(Secrets secrets) {
    return schema();
  }

  /**
   * Reads one page of {@code read.table()}: rows strictly after {@code read.after()} (all rows when
   * absent), with cursor below {@code read.upTo()}, in ascending {@code (cursor, tiebreaker)} order
   * ({@code tiebreaker} order for a full-refresh table).
   *
   * <p>Throw {@link IOException} when the source fails (the call then fails and Fivetran retries
   * from the last accepted state); throw {@link MissingSecretException} for a configuration
   * problem.
   */
  Page read(TableRead read) throws IOException;

  /**
   * Answers Fivetran's setup test: can the source be reached with these secrets? Throw with a
   * message that says what to fix. The default accepts everything.
   */
  default void test(Secrets secrets) throws IOException {}

  /**
   * The top-level keys of {@code secrets} that hold plain configuration rather than secrets —
   * table lists, names, flags, hosts. Fivetran sends all of a connection's settings as
   * {@code secrets}, and the engine masks every secret value of four or more characters in error
   * messages and log lines; values under these keys are not masked, so a message can name the
   * table or column it is about. Everything else stays secret (the default: none). The runner's
   * {@code sync} reads the same declaration, as if each key were given with {@code --not-secret}.
   *
   * <p>Declare only what never carries a credential (a JDBC URL may hold a password).
   */
  default Set<String> notSecretKeys() {
    return Set.of();
  }

  /**
   * The source's current time, if the connector can ask it (a database's {@code SELECT now()}, an
   * HTTP {@code Date} header). The engine fixes each sync's horizon from it, so a host clock that
   * runs ahead of the source cannot skip rows. Empty (the default) uses the host clock.
   */
  default Optional<Instant> sourceClock(Secrets secrets) throws IOException {
    return Optional.empty();
  }

  /**
   * The visibility horizon of a table with a {@link ValueType#NUMBER} or {@link ValueType#STRING}
   * cursor: an exclusive upper bound on cursor values that this sync may pass because no row below
   * it can still become visible. Such cursors have no clock, so without it a sequence-keyed table
   * with concurrent writers loses rows: transaction T1 takes id 5, T2 takes id 6 and commits
   * first, a sync reads 6 and moves past 5, then T1 commits.
   *
   * <p>Asked once per sync, before its first read of the table; kept in state for every call of
   * that sync, handed to reads as {@link TableRead#upTo()}, and never passed by a position: rows at
   * or above it come in a later sync. Return the value of the table's cursor type ({@code Long},
   * {@code BigDecimal}, {@code String}). A bound at or below the position means "nothing more
   * this sync" (for instance while a long transaction is still open). Empty (the default):
   * unbounded, safe only for sources whose writes become visible in cursor order; see
   * {@link Table#lookback(long)} for sources that cannot tell.
   *
   * @param table a top-level incremental table with a number or string cursor
   * @param position where the table stands (empty on its first sync)
   */
  default Optional<Object> visibilityHorizon(Table table, Optional<Position> position,
      Secrets secrets) throws IOException {
    return Optional.empty();
  }

  /**
   * The one connector registered with {@link ServiceLoader}: a file
   * {@code META-INF/services/dev.tributary.Connector} naming the class (which needs a public
   * no-argument constructor). How the cloud adapters find the connector when they are not given
   * one.
   *
   * @throws IllegalStateException if none or several are registered, saying what to do
   */
  static Connector load() {
    List<String> found = new ArrayList<>();
    Connector first = null;
    for (Connector c : ServiceLoader.load(Connector.class)) {
      found.add(c.getClass().getName());
      if (first == null) {
        first = c;
      }
    }
    if (first == null) {
      throw new IllegalStateException("no connector found: add a file"
          + " META-INF/services/dev.tributary.Connector naming your Connector class, or pass the"
          + " connector to the adapter's constructor from a subclass");
    }
    if (found.size() > 1) {
      throw new IllegalStateException("several connectors found " + found
          + ": keep one in META-INF/services/dev.tributary.Connector, or pass the connector to"
          + " the adapter's constructor from a subclass");
    }
    return first;
  }
}
