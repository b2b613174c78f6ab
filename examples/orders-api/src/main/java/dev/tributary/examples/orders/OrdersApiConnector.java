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
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An example connector for a small REST "orders API": customers and orders, each listed with
 * {@code GET /<table>?updated_since=…&after_id=…&updated_before=…&limit=…} in
 * {@code (updated_at, id)} order, answering {@code {"data": [...], "has_more": bool}}. Deleted
 * orders come back with a {@code deleted_at} and become deletes.
 *
 * <p>Secrets: {@code base_url} and {@code api_token} (sent as a bearer token). This is all a
 * connector author writes; paging, state, the horizon and the protocol are Tributary's.
 */
public final class OrdersApiConnector implements Connector {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Override
  public Schema schema() {
    return Schema.of(
        Table.incremental("customers").primaryKey("id").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER),
        Table.incremental("orders").primaryKey("id").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER));
  }

  @Override
  public Page read(TableRead read) throws IOException {
    StringBuilder query = new StringBuilder("limit=").append(read.pageSize());
    read.after().ifPresent(p -> append(query, p));
    read.upToInstant().ifPresent(t -> query.append("&updated_before=").append(t));
    JsonNode body = get(read.secrets(), "/" + read.table().name() + "?" + query);
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
    after.tiebreaker().ifPresent(id -> query.append("&after_id=").append(id));
  }

  @Override
  public void test(Secrets secrets) throws IOException {
    get(secrets, "/customers?limit=1");
  }

  @Override
  public Optional<Instant> sourceClock(Secrets secrets) throws IOException {
    return Optional.empty(); // the API has no clock endpoint; the engine uses the host clock
  }

  private JsonNode get(Secrets secrets, String pathAndQuery) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(secrets.require("base_url") + pathAndQuery))
        .header("Authorization", "Bearer " + secrets.require("api_token"))
        .header("Accept", "application/json")
        .timeout(Duration.ofSeconds(30))
        .GET().build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted calling the orders API", e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new IOException("the orders API rejected secrets.api_token (HTTP " + response.statusCode() + ")");
    }
    if (response.statusCode() != 200) {
      throw new IOException("the orders API answered HTTP " + response.statusCode() + " to GET "
          + request.uri().getPath());
    }
    return JSON.readTree(response.body());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
