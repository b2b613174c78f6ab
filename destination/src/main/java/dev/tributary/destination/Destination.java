package dev.tributary.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.destination.internal.Destinations;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a connection's rows and its state land when Tributary runs a connector without Fivetran:
 * a database that applies each response with Fivetran's semantics and keeps the connection's
 * state in the same transaction as its rows.
 *
 * <p>Semantics, the same for every implementation: a table per table of the responses; columns
 * created as values appear and widened when a value no longer fits ({@link ColumnType});
 * {@code _fivetran_synced} (time of the write) and {@code _fivetran_deleted} on every row; with a
 * primary key in the response's {@code schema}, an insert replaces the row with that key and a
 * delete removes it (marks it deleted for tables in {@code softDelete}); without one, rows are
 * appended with {@code _fivetran_batch} and {@code _fivetran_index}. The state lives in the
 * table {@code _tributary_state}, one row per connection.
 *
 * <p>Writing needs the connection's {@link Lease}: one run per connection at a time. Reads
 * ({@link #state}, {@link #query}, {@link #rows}) need none. An instance is used by one thread at
 * a time; close it to end its database session (and every lease taken through it).
 *
 * <p>Opened by URL: {@code duckdb:PATH} (the local warehouse) or {@code postgresql://user@host:
 * port/database?schema=name} (also {@code postgres://} and {@code jdbc:postgresql://}). Each needs
 * its JDBC driver on the class path ({@code org.duckdb:duckdb_jdbc}, {@code
 * org.postgresql:postgresql}). A password, in the URL or in {@link DestinationOptions}, never
 * appears in {@link #describe()}, an exception or a log line.
 */
public interface Destination extends AutoCloseable {

  /** Opens the destination at {@code url} with default options. */
  static Destination open(String url) {
    return open(url, DestinationOptions.defaults());
  }

  /**
   * Opens the destination at {@code url}; creates its bookkeeping tables (and, on PostgreSQL, the
   * schema) if they are missing.
   *
   * @throws DestinationException if the URL is not one of the forms above, its driver is
   *     missing, or the database cannot be reached (the message says which, without the password)
   */
  static Destination open(String url, DestinationOptions options) {
    return Destinations.open(url, options);
  }

  /**
   * A JSON reader that keeps every digit of a number ({@code BigDecimal}, never a double), as the
   * destination needs to store {@code numeric} values faithfully: parse responses with it.
   */
  static ObjectReader reader() {
    return Destinations.READER;
  }

  /**
   * Takes the lease of {@code connection} for this run: the right to write its rows and state,
   * held until {@link Lease#close()} or until this destination's session ends (a killed process
   * loses it with its database connection).
   *
   * @throws LeaseHeldException if another run holds it; its message says which run where the
   *     database can tell
   */
  Lease lease(String connection);

  /** The last state committed for {@code connection}; {@code {}} if none (a first sync). */
  ObjectNode state(String connection);

  /** The tables {@code connection} has written, by time of creation (then name). */
  Set<String> tables(String connection);

  /**
   * The rows of {@code table} with their system columns, as Java values: {@code Long} for
   * integers, {@code BigDecimal} for {@code numeric} (DuckDB: {@code BigInteger} for {@code
   * HUGEINT}, {@code Double} for {@code DOUBLE}), {@code Boolean},
   * {@code String}, {@code Instant}, {@code LocalDate}, {@code byte[]}, {@link JsonNode} for
   * JSON; {@code null} for SQL NULL. Ordered by primary key (append-only tables: batch, index).
   */
  List<Map<String, Object>> rows(String table);

  /**
   * Runs one SQL statement (in the destination's own dialect) outside any lease. On PostgreSQL,
   * unqualified names resolve in the destination's schema first.
   */
  QueryResult query(String sql);

  /** The URL without its password, for logs and summaries. */
  String describe();

  /** Ends the database session; leases taken through this instance end with it. */
  @Override
  void close();
}
