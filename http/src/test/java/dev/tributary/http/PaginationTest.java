package dev.tributary.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each pagination shape driven through the real engine by a fake Fivetran, against a source whose
 * rows are inserted, updated and deleted while it is paged.
 */
class PaginationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Table INCREMENTAL = Table.incremental("items").primaryKey("id")
      .cursor("updated_at").tiebreaker("id", ValueType.NUMBER);
  private static final Table FULL = Table.fullRefresh("items").primaryKey("id")
      .tiebreaker("id", ValueType.NUMBER);

  private final MockWebServer server = NoDelayServerSockets.server();
  private final FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final ChangingApi api = new ChangingApi(clock, 60);
  private ApiClient client;

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(api);
    server.start();
    client = ApiClient.builder(Http.client()).logging(null)
        .retry(RetryInterceptor.builder().clock(clock).sleeper(new FakeSleeper(clock))
            .logSink(l -> {}).build())
        .build();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private interface Reader {
    Page read(TableRead read) throws IOException;
  }

  private FakeFivetran fivetran(Table table, Reader reader) {
    Connector connector = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(table);
      }

      @Override
      public Page read(TableRead read) throws IOException {
        return reader.read(read);
      }
    };
    EngineConfig config = EngineConfig.builder().clock(clock).settleLag(Duration.ZERO)
        .pageSize(7).maxRowsPerResponse(10).logSink(l -> {}).build();
    return new FakeFivetran(new FunctionHandler(connector, config), clock, Duration.ofMinutes(5),
        6_000_000);
  }

  private Pager pager(int maxRequests) {
    return Pager.builder().clock(clock).maxRequestsPerRead(maxRequests).build();
  }

  private static List<Row> rows(Response response) throws IOException {
    List<Row> out = new ArrayList<>();
    for (JsonNode n : JSON.readTree(response.body().string()).path("data")) {
      out.add(Row.of(Map.of("id", n.get("id").asLong(), "updated_at", n.get("updated_at").asText(),
          "version", n.get("version").asInt())));
    }
    return out;
  }

  private static JsonNode body(Response response) throws IOException {
    return JSON.readTree(response.body().string());
  }

  private static List<Row> rows(JsonNode body) {
    List<Row> out = new ArrayList<>();
    for (JsonNode n : body.path("data")) {
      out.add(Row.of(Map.of("id", n.get("id").asLong(), "updated_at", n.get("updated_at").asText(),
          "version", n.get("version").asInt())));
    }
    return out;
  }

  /** Updates and inserts while paging: every third request touches an old row, every fifth inserts. */
  private void changeWhilePaging() {
    api.mutation = n -> {
      if (n % 3 == 0) {
        api.touch(1 + (n * 7L) % 50);
      }
      if (n % 5 == 0) {
        api.insertNew();
      }
    };
  }

  /** Sync while the source changes, then once more after it settles: the destination mirrors it. */
  private void assertMirrorsAfterChanges(FakeFivetran ft) {
    changeWhilePaging();
    ft.sync();
    assertTrue(api.requests > 10, "paged in " + api.requests + " requests");
    api.mutation = n -> {};
    clock.advance(Duration.ofSeconds(10));
    ft.sync();
    Map<Long, Integer> expected = new TreeMap<>();
    api.items.values().forEach(it -> expected.put(it.id(), it.version()));
    Map<Long, Integer> actual = new TreeMap<>();
    ft.rowsById("items").forEach((id, row) -> actual.put(id, row.get("version").asInt()));
    assertEquals(expected, actual);
  }

  @Test
  void keysetPositionsKeepTheResultExactWhileRowsChange() {
    FakeFivetran ft = fivetran(INCREMENTAL, read -> pager(3).keyset(read, (from, limit) -> {
      HttpUrl.Builder url = server.url("/keyset").newBuilder()
          .addQueryParameter("limit", String.valueOf(limit));
      from.after().ifPresent(p -> {
        url.addQueryParameter("updated_since", p.cursorInstant().toString());
        p.tiebreaker().ifPresent(id -> url.addQueryParameter("after_id", id.toString()));
      });
      JsonNode body = client.execute(Http.request(read).url(url.build()).build(), PaginationTest::body);
      return new Page(rows(body), body.path("has_more").asBoolean());
    }));
    assertMirrorsAfterChanges(ft);
  }

  @Test
  void bodyTokensAreFollowedWithinAReadAndStateIsTheLastRowsPosition() {
    FakeFivetran ft = fivetran(INCREMENTAL, read -> pager(10).tokens(read, token -> {
      HttpUrl.Builder url = server.url("/tokens").newBuilder();
      if (token != null) {
        url.addQueryParameter("page_token", token);
      } else {
        read.after().ifPresent(p ->
            url.addQueryParameter("updated_since", p.cursorInstant().toString()));
      }
      JsonNode body = client.execute(Http.request(read).url(url.build()).build(), PaginationTest::body);
      return Pager.Batch.of(rows(body), body.path("next").asText(null));
    }));
    assertMirrorsAfterChanges(ft);
    String state = ft.state().toString();
    assertTrue(state.contains("updated_at") && !state.contains("page_token"), state);
  }

  @Test
  void linkHeadersWithPageNumbersAreExactWhenEachReadIsOneFilteredRequest() {
    FakeFivetran ft = fivetran(INCREMENTAL, read -> {
      HttpUrl.Builder url = server.url("/links").newBuilder();
      read.after().ifPresent(p -> url.addQueryParameter("since", p.cursorInstant().toString()));
      return pager(1).links(read, client, Http.request(read).url(url.build()).build(),
          PaginationTest::rows);
    });
    assertMirrorsAfterChanges(ft);
  }

  @Test
  void linkHeadersWithPassThroughRecordsMirrorTheSourceToo() {
    FakeFivetran ft = fivetran(INCREMENTAL, read -> {
      HttpUrl.Builder url = server.url("/links").newBuilder();
      read.after().ifPresent(p -> url.addQueryParameter("since", p.cursorInstant().toString()));
      return pager(1).links(read, client, Http.request(read).url(url.build()).build(),
          Pager.jsonRecords(dev.tributary.JsonRows.of(read.table()), "data"));
    });
    assertMirrorsAfterChanges(ft);
  }

  @Test
  void aTieLargerThanTheSourcesPageIsFollowedPastMaxRequestsPerRead() {
    Instant tie = clock.instant().minusSeconds(10);
    for (int i = 0; i < 11; i++) {
      api.insert(tie); // 11 rows on one timestamp; the source pages 4 at a time
    }
    FakeFivetran ft = fivetran(INCREMENTAL, read -> {
      HttpUrl.Builder url = server.url("/links").newBuilder();
      read.after().ifPresent(p -> url.addQueryParameter("since", p.cursorInstant().toString()));
      return pager(1).links(read, client, Http.request(read).url(url.build()).build(),
          PaginationTest::rows);
    });
    ft.sync();
    assertEquals(api.items.keySet(), ft.rowsById("items").keySet());
  }

  @Test
  void linkHeadersAreFollowedWithinARead() throws IOException {
    TableRead read = new TableRead(INCREMENTAL, java.util.Optional.empty(),
        java.util.Optional.empty(), 10, java.util.Optional.empty(),
        dev.tributary.Secrets.empty(), clock.instant().plusSeconds(60));
    Page page = pager(10).links(read, client,
        Http.request(read).url(server.url("/links")).build(), PaginationTest::rows);
    assertEquals(12, page.rows().size(), "three pages of 4 to fill a page of 10");
    assertTrue(page.hasMore());
    assertEquals(3, api.requests);
  }

  @Test
  void offsetPagingOfAFullRefreshTableDeliversEveryStableRowOnceWhileRowsShift() {
    List<Long> stable = new ArrayList<>(api.items.keySet());
    api.mutation = n -> {
      if (n % 4 == 0) { // delete a low id: later rows shift down past the current offset
        long victim = 2 + n;
        api.delete(victim);
        stable.remove(victim);
      }
      if (n % 6 == 0) { // and insert at the end
        api.insertNew();
      }
    };
    FakeFivetran ft = fivetran(FULL, read -> pager(2).offset(read, (offset, limit) -> {
      HttpUrl url = server.url("/offset").newBuilder()
          .addQueryParameter("offset", String.valueOf(offset))
          .addQueryParameter("limit", String.valueOf(limit)).build();
      JsonNode body = client.execute(Http.request(read).url(url).build(), PaginationTest::body);
      return new Page(rows(body), body.path("has_more").asBoolean());
    }));
    ft.sync();
    assertTrue(api.requests > 10);
    for (Long id : stable) {
      assertTrue(ft.rowsById("items").containsKey(id), "row " + id + " missing");
    }
    ft.deliveries("items").forEach((key, times) -> assertEquals(1, times, "row " + key));
  }

  @Test
  void nextLinkParsesSeveralRelationsAndRelativeUrls() throws IOException {
    okhttp3.Request req = new okhttp3.Request.Builder().url("https://api.example.com/v1/issues?page=1").build();
    Response r = new Response.Builder().request(req).protocol(okhttp3.Protocol.HTTP_1_1).code(200)
        .message("OK").header("Link", "<https://api.example.com/v1/issues?page=9>; rel=\"last\","
            + " </v1/issues?page=2&a=b,c>; rel=\"next prefetch\"").build();
    assertEquals("https://api.example.com/v1/issues?page=2&a=b,c",
        Pager.nextLink(r).orElseThrow().toString());
  }
}
