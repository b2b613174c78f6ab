package dev.tributary.destination.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tributary.destination.Destination;
import dev.tributary.destination.DestinationException;
import dev.tributary.destination.DestinationOptions;
import java.util.Objects;

/** Opens a {@link Destination} by URL scheme, and the JSON settings every destination shares. */
public final class Destinations {
  /** Numbers keep every digit: {@code BigDecimal} nodes, written back without an exponent. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
  /** One JSON document per body: anything after it makes the body not JSON. */
  public static final ObjectReader READER = JSON.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Destinations() {}

  public static Destination open(String url, DestinationOptions options) {
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(options, "options == null");
    if (url.startsWith("duckdb:")) {
      requireDriver("org.duckdb.DuckDBDriver", "duckdb:", "org.duckdb:duckdb_jdbc");
      return DuckDbDestination.open(url.substring("duckdb:".length()), options);
    }
    if (PostgresUrl.accepts(url)) {
      requireDriver("org.postgresql.Driver", "postgresql://", "org.postgresql:postgresql");
      return PostgresDestination.open(PostgresUrl.parse(url, options), options);
    }
    int colon = url.indexOf(':');
    // Only the scheme is repeated: the rest may hold a password.
    throw new DestinationException("destination URL "
        + (colon > 0 && colon < 20 ? "with scheme " + url.substring(0, colon) + ":" : "without a scheme")
        + " is not supported: use duckdb:PATH or postgresql://user@host:port/database?schema=name");
  }

  private static void requireDriver(String className, String scheme, String artifact) {
    try {
      Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw new DestinationException("a " + scheme + " destination needs its JDBC driver ("
          + artifact + ") on the class path; add that dependency");
    }
  }
}
