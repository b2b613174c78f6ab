package dev.tributary.examples.orders;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tributary.Connector;
import dev.tributary.JsonRows;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.http.ApiClient;
import dev.tributary.http.Auth;
import dev.tributary.http.Http;
import dev.tributary.http.Pager;
import dev.tributary.http.RetryInterceptor;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * An example connector for a REST "orders API" (the bundled demo source,
 * {@code examples/demo-source}): customers, orders and order lines, each a change feed listed
 * with {@code GET /<table>?updated_since=…&after_id=…&updated_before=…&limit=…} in
 * {@code (updated_at, id)} order, and the product catalogue, listed whole with
 * {@code GET /products?after_sku=…&limit=…} in {@code sku} order; each answers
 * {@code {"data": [...], "has_more": bool}}. Deleted rows of a feed come back as tombstones with a
 * {@code deleted_at} and become deletes. Records go to Fivetran as the API sent them
 * ({@link JsonRows}: only the cursor, tiebreaker and key are read).
 *
 * <p>The three feeds are incremental on the compound cursor {@code (updated_at, id)}: the API
 * filters strictly after it, so ties on {@code updated_at} of any size page exactly. Order lines
 * are keyed by {@code (order_id, line_no)} in the destination; their unique {@code id} is only the
 * tiebreaker.
 *
 * <p>{@code products} is full refresh, keyed and paged by {@code sku}: every sync reads the whole
 * catalogue, and the engine sends only the products that are new or changed since the last sync
 * (its digest of what it delivered, {@code EngineConfig.maxDigestRows}). A removed product leaves
 * no tombstone, so the table declares {@link Table#deleteMissing()}: after a complete pass the
 * engine deletes the products it delivered before and no longer met.
 *
 * <p>Secrets: {@code base_url} and {@code api_token} (sent as a bearer token). The HTTP toolkit
 * does the rest: {@link RetryInterceptor#defaults()} retries 429 after its {@code Retry-After} and
 * 5xx with backoff, never past the call's deadline; {@link Pager#keyset} builds each request from
 * the engine's position (the API's {@code Link: rel="next"} says the same, but only the position
 * survives in state between calls); {@link ApiClient} turns a 401 into a message naming
 * {@code secrets.api_token}.
 */
public final class OrdersApiConnector implements Connector {
  private static final JsonFactory JSON = new JsonFactory();

  private final ApiClient api;
  private final Pager pager;
  private final Clock clock;

  public OrdersApiConnector() {
    this(RetryInterceptor.defaults(), Clock.systemUTC());
  }

  /** Tests pass retries that wait on a fake clock, and that clock for the pager's deadline. */
  OrdersApiConnector(RetryInterceptor retry, Clock clock) {
    this.api = ApiClient.builder(Http.client())
        .auth(Auth.bearer("api_token"))
        .retry(retry)
        // No line per request: the engine logs one per call (rows, reads, duration) and the
        // retry interceptor one per retry, which is what an operator acts on.
        .logging(null)
        .build();
    this.pager = Pager.builder().clock(clock).build();
    this.clock = clock;
  }

  private static final Schema SCHEMA = Schema.of(
      Table.incremental("customers").primaryKey("id").cursor("updated_at")
          .tiebreaker("id", ValueType.NUMBER),
      Table.incremental("orders").primaryKey("id").cursor("updated_at")
          .tiebreaker("id", ValueType.NUMBER),
      Table.incremental("order_lines").primaryKey("order_id", "line_no").cursor("updated_at")
          .tiebreaker("id", ValueType.NUMBER),
      Table.fullRefresh("products").primaryKey("sku").deleteMissing());

  /** Per table, how its records are read: the key columns, and a feed's tombstone as a delete. */
  private static final Map<String, JsonRows> ROWS = SCHEMA.tables().stream().collect(
      java.util.stream.Collectors.toUnmodifiableMap(Table::name,
          t -> t.isIncremental() ? JsonRows.of(t).deleteWhen("deleted_at") : JsonRows.of(t)));

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public Page read(TableRead read) throws IOException {
    if (!read.table().isIncremental()) {
      // The catalogue: the whole of it, after the last sku the engine holds.
      return pager.keyset(read, (from, limit) -> {
        HttpUrl.Builder url = url(read.secrets(), read.table().name())
            .addQueryParameter("limit", String.valueOf(limit));
        from.afterTiebreakerString().ifPresent(sku -> url.addQueryParameter("after_sku", sku));
        return get(Http.request(read).url(url.build()).build(), ROWS.get(read.table().name()));
      });
    }
    return pager.keyset(read, (from, limit) -> {
      HttpUrl.Builder url = url(read.secrets(), read.table().name())
          .addQueryParameter("limit", String.valueOf(limit));
      from.afterCursorInstant().ifPresent(c -> url.addQueryParameter("updated_since", c.toString()));
      // Without a tiebreaker the position sits before every row at its cursor: inclusive.
      from.afterTiebreakerNumber()
          .ifPresent(id -> url.addQueryParameter("after_id", id.toPlainString()));
      from.upToInstant().ifPresent(t -> url.addQueryParameter("updated_before", t.toString()));
      return get(Http.request(read).url(url.build()).build(), ROWS.get(read.table().name()));
    });
  }

  @Override
  public void test(Secrets secrets) throws IOException {
    HttpUrl url = url(secrets, "customers").addQueryParameter("limit", "1").build();
    get(Http.request(secrets, clock.instant().plusSeconds(30)).url(url).build(), ROWS.get("customers"));
  }

  /**
   * One page of a feed, {@code {"data": [...], "has_more": bool}}: the records go to Fivetran as
   * the API sent them (pass-through rows), a tombstone as a delete.
   */
  private Page get(Request request, JsonRows rows) throws IOException {
    return api.execute(request, r -> {
      byte[] body = r.body().bytes();
      List<Row> data = List.of();
      boolean hasMore = false;
      try (JsonParser p = JSON.createParser(body)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          throw new IOException("the orders API answered something other than a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          if (field.equals("data") && value == JsonToken.START_ARRAY) {
            data = rows.array(p, body);
          } else if (field.equals("has_more")) {
            hasMore = value == JsonToken.VALUE_TRUE;
          } else {
            p.skipChildren();
          }
        }
      }
      return new Page(data, hasMore);
    });
  }

  private static HttpUrl.Builder url(Secrets secrets, String resource) throws IOException {
    HttpUrl base = HttpUrl.parse(secrets.require("base_url"));
    if (base == null) {
      throw new IOException("secrets.base_url is not an http or https URL");
    }
    return base.newBuilder().addPathSegment(resource);
  }
}
