package dev.tributary.cache.valkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.cache.SourceCache;
import dev.tributary.http.Http;
import dev.tributary.http.RetryInterceptor;
import dev.tributary.http.SharedRateLimitInterceptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whole sync whose connector keeps its discovery call in the Valkey cache and shares its rate
 * budget through Valkey, while the {@code redis-server} it uses is killed in the middle of a call:
 * every call still answers with its rows, the events say what failed, and no call runs past its
 * deadline.
 */
class ValkeyDownMidSyncTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "tok-valkey-down-secret-value";
  static final int ITEMS = 400;
  static final Duration CALL_TIME = Duration.ofSeconds(8);

  LocalRedisServer redis;
  HttpServer source;
  final AtomicInteger itemRequests = new AtomicInteger();
  final AtomicInteger discoveryCalls = new AtomicInteger();
  final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = LocalRedisServer.plain();
    source = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    source.setExecutor(Executors.newFixedThreadPool(2));
    source.createContext("/accounts", ex -> {
      discoveryCalls.incrementAndGet();
      send(ex, 200, "{\"account\":\"a1\"}");
    });
    source.createContext("/items", ex -> {
      int n = itemRequests.incrementAndGet();
      if (n == 6) {
        // Valkey dies while a call is under way, between its cache read and its next request.
        try {
          redis.kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (n == 9) {
        // Once Valkey is gone the source asks for a pause: the budget cannot be shared now.
        ex.getResponseHeaders().add("Retry-After", "1");
        send(ex, 429, "{}");
        return;
      }
      long after = Long.parseLong(query(ex.getRequestURI(), "after"));
      int limit = Integer.parseInt(query(ex.getRequestURI(), "limit"));
      StringBuilder body = new StringBuilder("[");
      for (long id = after + 1; id <= Math.min(ITEMS, after + limit); id++) {
        body.append(id == after + 1 ? "" : ",").append("{\"id\":").append(id).append('}');
      }
      send(ex, 200, body.append(']').toString());
    });
    source.start();
  }

  @AfterEach
  void stop() throws Exception {
    source.stop(0);
    redis.close();
  }

  @Test
  void aSyncKeepsWorkingWhenValkeyDiesMidCallAndTheEventsSaySo() throws Exception {
    String url = "redis://127.0.0.1:" + redis.port;
    Map<String, String> env = Map.of("TRIBUTARY_CACHE_BACKEND", "valkey",
        "TRIBUTARY_CACHE_VALKEY_URL", url, "TRIBUTARY_RATE_BUDGET_URL", url);
    try (SourceCache cache = SourceCache.fromEnvironment(env).newBuilder().logSink(log::add).build();
         var budget = dev.tributary.cache.RateBudgetStore.fromEnvironment(env).orElseThrow()) {
      OkHttpClient client = Http.client().newBuilder()
          .addInterceptor(RetryInterceptor.builder().logSink(log::add).build())
          .addInterceptor(SharedRateLimitInterceptor.builder(budget).logSink(log::add).build())
          .build();
      FunctionHandler handler = new FunctionHandler(new ItemsConnector(cache, client,
          "http://127.0.0.1:" + source.getAddress().getPort()),
          EngineConfig.builder().pageSize(25).maxRowsPerResponse(50).logSink(l -> {}).build());

      TreeSet<Long> delivered = new TreeSet<>();
      JsonNode state = JSON.createObjectNode();
      int calls = 0;
      boolean more = true;
      while (more) {
        calls++;
        Instant deadline = Instant.now().plus(CALL_TIME);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handle(new ByteArrayInputStream(("{\"state\":" + state
            + ",\"secrets\":{\"api_token\":\"" + TOKEN + "\"}}").getBytes(StandardCharsets.UTF_8)),
            out, deadline);
        Instant answered = Instant.now();
        JsonNode reply = JSON.readTree(out.toByteArray());
        assertFalse(reply.has("errorMessage"), "call " + calls + ": " + reply);
        assertTrue(answered.isBefore(deadline), "call " + calls + " answered "
            + Duration.between(deadline, answered).toMillis() + " ms past its deadline");
        reply.path("insert").path("items").forEach(r -> delivered.add(r.path("id").asLong()));
        state = reply.get("state");
        more = reply.path("hasMore").asBoolean();
        assertTrue(calls < 30, "the sync ends");
      }
      assertEquals(ITEMS, delivered.size(), "every row arrived");
      assertEquals(1L, (long) delivered.first());
      assertEquals((long) ITEMS, (long) delivered.last());
    }
    assertTrue(itemRequests.get() > 9, "Valkey was killed mid-sync, not after it");
    assertTrue(has("\"cache_hit\""), "the cache worked before: " + log);
    assertTrue(has("\"cache_read_failed\""), "and says when it stopped: " + log);
    assertTrue(has("\"rate_budget_failed\""), "the rate budget says so too: " + log);
    assertTrue(discoveryCalls.get() >= 2, "without Valkey the discovery call is made again");
    assertTrue(log.stream().noneMatch(l -> l.contains(TOKEN)), "no secret in a log line");
  }

  boolean has(String fragment) {
    return log.stream().anyMatch(l -> l.contains(fragment));
  }

  static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static String query(URI uri, String name) {
    for (String pair : uri.getRawQuery().split("&")) {
      if (pair.startsWith(name + "=")) {
        return pair.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException("no " + name + " in " + uri);
  }

  public record AccountInfo(String account) {}

  /**
   * One table of items read from a source over HTTP; every read first looks up the account (the
   * expensive discovery call) through the shared cache, as connectors do after a cold start.
   */
  static final class ItemsConnector implements Connector {
    final SourceCache cache;
    final OkHttpClient client;
    final String base;

    ItemsConnector(SourceCache cache, OkHttpClient client, String base) {
      this.cache = cache;
      this.client = client;
      this.base = base;
    }

    @Override
    public Schema schema() {
      return Schema.of(Table.fullRefresh("items").primaryKey("id").tiebreaker("id", ValueType.NUMBER));
    }

    @Override
    public Page read(TableRead read) throws IOException {
      AccountInfo account = cache.forAccount(read.secrets(), "api_token").until(read.deadline())
          .getOrFetch("account", Duration.ofMinutes(10), () -> get(read, "/accounts",
              AccountInfo.class), AccountInfo.class);
      if (!"a1".equals(account.account())) {
        throw new IOException("unexpected account " + account);
      }
      long after = read.after().flatMap(p -> p.tiebreaker())
          .map(t -> ((BigDecimal) t).longValue()).orElse(0L);
      JsonNode items = get(read, "/items?after=" + after + "&limit=" + read.pageSize(),
          JsonNode.class);
      List<Row> rows = new ArrayList<>();
      items.forEach(i -> rows.add(Row.of(Map.of("id", i.path("id").asLong()))));
      return new Page(rows, after + rows.size() < ITEMS);
    }

    private <T> T get(TableRead read, String path, Class<T> type) throws IOException {
      try (Response r = client.newCall(Http.request(read).url(base + path).build()).execute()) {
        if (!r.isSuccessful()) {
          throw new IOException("HTTP " + r.code() + " from " + path);
        }
        return JSON.readValue(r.body().bytes(), type);
      }
    }

    @Override
    public Optional<Instant> sourceClock(dev.tributary.Secrets secrets) {
      return Optional.of(Instant.parse("2026-03-01T12:00:00Z"));
    }
  }
}
