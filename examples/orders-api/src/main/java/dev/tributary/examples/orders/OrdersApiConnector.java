package dev.tributary.examples.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An example connector for a REST "orders API" (the bundled demo source,
 * {@code examples/demo-source}): customers, orders and order lines, each a change feed listed
 * with {@code GET /<table>?updated_since=…&after_id=…&updated_before=…&limit=…} in
 * {@code (updated_at, id)} order, answering {@code {"data": [...], "has_more": bool}}. Deleted
 * rows come back as tombstones with a {@code deleted_at} and become deletes.
 *
 * <p>Every table is incremental on the compound cursor {@code (updated_at, id)}: the API filters
 * strictly after it, so ties on {@code updated_at} of any size page exactly. Order lines are keyed
 * by {@code (order_id, line_no)} in the destination; their unique {@code id} is only the
 * tiebreaker.
 *
 * <p>Secrets: {@code base_url} and {@code api_token} (sent as a bearer token). A {@code 429} is
 * retried after its {@code Retry-After}, a {@code 5xx} after a short backoff, a few times each and
 * never past the call's deadline; then the read fails and Fivetran retries the call from the last
 * accepted state. Everything else — paging, state, the horizon, the protocol — is Tributary's.
 */
public final class OrdersApiConnector implements Connector {
  /** Attempts of one request while the API answers 429 or 5xx. */
  static final int MAX_ATTEMPTS = 4;
  /** The first wait after a 5xx; doubled on each further one. */
  static final Duration BACKOFF = Duration.ofMillis(500);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How the connector waits before a retry; tests pass one that moves a fake clock. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Clock clock;
  private final Sleeper sleeper;

  public OrdersApiConnector() {
    this(Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
  }

  OrdersApiConnector(Clock clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
  }

  @Override
  public Schema schema() {
    return Schema.of(
        Table.incremental("customers").primaryKey("id").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER),
        Table.incremental("orders").primaryKey("id").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER),
        Table.incremental("order_lines").primaryKey("order_id", "line_no").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER));
  }

  /**
   * Asks for the page after the engine's position. The API's {@code Link: rel="next"} URL would
   * say the same thing, but the position is what survives in state between calls, so the query
   * is built from it every time.
   */
  @Override
  public Page read(TableRead read) throws IOException {
    StringBuilder query = new StringBuilder("limit=").append(read.pageSize());
    read.after().ifPresent(p -> append(query, p));
    read.upToInstant().ifPresent(t -> query.append("&updated_before=").append(encode(t.toString())));
    JsonNode body = get(read.secrets(), "/" + read.table().name() + "?" + query, read.deadline());
    List<Row> rows = new ArrayList<>();
    for (JsonNode item : body.path("data")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> values = JSON.convertValue(item, Map.class);
      rows.add(item.hasNonNull("deleted_at") ? Row.delete(values) : Row.of(values));
    }
    return new Page(rows, body.path("has_more").asBoolean(false));
  }

  /** Resume strictly after the position; without a tiebreaker, at the cursor value inclusive. */
  private static void append(StringBuilder query, Position after) {
    query.append("&updated_since=").append(encode(after.cursorInstant().toString()));
    after.tiebreaker().ifPresent(id -> query.append("&after_id=")
        .append(id instanceof BigDecimal ? ((BigDecimal) id).toPlainString() : id));
  }

  @Override
  public void test(Secrets secrets) throws IOException {
    get(secrets, "/customers?limit=1", clock.instant().plusSeconds(30));
  }

  /**
   * GETs a page, retrying a 429 after its {@code Retry-After} and a 5xx after a backoff, up to
   * {@link #MAX_ATTEMPTS} in all and never waiting past {@code deadline}.
   */
  private JsonNode get(Secrets secrets, String pathAndQuery, Instant deadline) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(secrets.require("base_url") + pathAndQuery))
        .header("Authorization", "Bearer " + secrets.require("api_token"))
        .header("Accept", "application/json")
        .timeout(Duration.ofSeconds(30))
        .GET().build();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<byte[]> response = send(request);
      int status = response.statusCode();
      if (status == 200) {
        return JSON.readTree(response.body());
      }
      if (status == 401 || status == 403) {
        throw new IOException("the orders API rejected secrets.api_token (HTTP " + status + ")");
      }
      boolean retryable = status == 429 || status >= 500;
      Duration wait = status == 429 ? retryAfter(response) : BACKOFF.multipliedBy(1L << (attempt - 1));
      String failure = "the orders API answered HTTP " + status + " to GET " + request.uri().getPath();
      if (!retryable) {
        throw new IOException(failure);
      }
      if (attempt == MAX_ATTEMPTS) {
        throw new IOException(failure + " " + attempt + " times");
      }
      if (clock.instant().plus(wait).isAfter(deadline)) {
        throw new IOException(failure + "; waiting " + wait.toMillis() + " ms to retry would pass"
            + " the call's deadline, so the next call resumes from here");
      }
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting to retry the orders API", e);
      }
    }
  }

  private HttpResponse<byte[]> send(HttpRequest request) throws IOException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted calling the orders API", e);
    }
  }

  /** {@code Retry-After} as seconds or an HTTP date; one second when absent or unreadable. */
  private Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse("1").trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(clock.instant(), at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (RuntimeException unreadable) {
        return Duration.ofSeconds(1);
      }
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
