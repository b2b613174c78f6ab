package dev.tributary.examples.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Secrets;
import dev.tributary.TableRead;
import dev.tributary.examples.demo.DemoSource;
import dev.tributary.http.RetryInterceptor;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example connector against the bundled demo source on loopback, driven the way Fivetran
 * drives it. One fake clock is the source's time, the engine's and the connector's (its retry
 * waits move it), so the settle lag and Retry-After play out exactly and instantly.
 */
class OrdersApiConnectorTest {
  static final int PAGE_SIZE = 5;

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<DemoSource> sources = new ArrayList<>();

  DemoSource start(DemoSource.Options.Builder options) throws IOException {
    DemoSource s = DemoSource.start(options.clock(clock).build());
    sources.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    sources.forEach(DemoSource::close);
  }

  /**
   * The connector with the toolkit's default retries, except that they wait by moving the fake
   * clock and always back off as long as full jitter allows, so the waits are exact.
   */
  OrdersApiConnector connector() {
    return new OrdersApiConnector(RetryInterceptor.builder().clock(clock).sleeper(clock::advance)
        .random(() -> 1.0).logSink(line -> {}).build(), clock);
  }

  FakeFivetran fivetran(DemoSource source, String token) {
    return fivetran(source, token, EngineConfig.builder());
  }

  FakeFivetran fivetran(DemoSource source, String token, EngineConfig.Builder engine) {
    EngineConfig config = engine.clock(clock).pageSize(PAGE_SIZE).logSink(l -> {}).build();
    return new FakeFivetran(new FunctionHandler(connector(), config), clock,
        Duration.ofMinutes(1), config.maxResponseBytes())
        .secrets(Map.of("base_url", source.baseUrl(), "api_token", token));
  }

  @Test
  void destinationEqualsTheSourceAfterEveryRoundOfTiesUpdatesDeletesAndInjectedFailures() throws Exception {
    DemoSource source = start(DemoSource.Options.builder().seed(7)
        .rateLimitProbability(0.05).serverErrorProbability(0.05));
    source.seed(30, 3);
    FakeFivetran ft = fivetran(source, source.apiToken());
    ft.sync(10_000, 20);
    assertDestinationEqualsSource(ft, source);
    assertTrue(largestTie(source, "orders") > PAGE_SIZE, "a tie spans pages");

    Random random = new Random(11);
    for (int round = 1; round <= 5; round++) {
      clock.advance(Duration.ofMinutes(1));
      DemoSource.Changes first = source.mutate(random);
      // Within the settle lag: this sync must not read the round yet.
      ft.sync(10_000, 20);
      Map<String, JsonNode> before = new HashMap<>(ft.table("orders"));
      // A second transaction at the same instant lands on the tie the first one made.
      source.mutate(random);
      String at = clock.peek().toString();
      clock.advance(Duration.ofSeconds(31));
      ft.sync(10_000, 20);
      assertDestinationEqualsSource(ft, source);
      assertTrue(first.of("orders").deleted() > 0, "round " + round + " deleted orders");
      assertFalse(before.equals(ft.table("orders")), "round " + round + " changed orders");
      assertTrue(tie(source, "order_lines", at) > PAGE_SIZE, "round " + round + " is a tie over pages");
    }
    Map<Integer, Long> responses = source.responses();
    assertTrue(responses.getOrDefault(429, 0L) > 0 && responses.getOrDefault(500, 0L) > 0,
        "failures were injected: " + responses);
  }

  @Test
  void aSyncWithinTheSettleLagLeavesTheRoundForTheNextSync() throws Exception {
    DemoSource source = start(DemoSource.Options.builder());
    source.seed(5, 2);
    FakeFivetran ft = fivetran(source, source.apiToken());
    ft.sync();
    Map<String, JsonNode> synced = new TreeMap<>(ft.table("orders"));

    clock.advance(Duration.ofMinutes(1));
    source.mutate(new Random(3));
    clock.advance(Duration.ofSeconds(29));
    ft.sync();
    assertEquals(synced, new TreeMap<>(ft.table("orders")), "nothing newer than the horizon");
    clock.advance(Duration.ofSeconds(2));
    ft.sync();
    assertDestinationEqualsSource(ft, source);
  }

  @Test
  void retriesA429AfterItsRetryAfterButNeverPastTheDeadline() throws Exception {
    DemoSource source = start(DemoSource.Options.builder().rateLimitEvery(1));
    Instant start = clock.peek();
    // Retry-After: 1 plus the retry interceptor's 1 s deadline margin fits once in 2.5 s.
    IOException e = assertThrows(IOException.class,
        () -> connector().read(read(source, "orders", start.plusMillis(2500))));
    assertTrue(e.getMessage().contains("HTTP 429") && e.getMessage().contains("deadline"), e.getMessage());
    assertEquals(2L, source.responses().get(429), "one retry fits before the deadline");
    assertEquals(start.plusSeconds(1), clock.peek(), "waited the Retry-After once");
  }

  @Test
  void givesUpOnPersistent5xxAfterBackingOff() throws Exception {
    DemoSource source = start(DemoSource.Options.builder().serverErrorEvery(1));
    Instant start = clock.peek();
    IOException e = assertThrows(IOException.class,
        () -> connector().read(read(source, "customers", start.plusSeconds(60))));
    assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
    assertEquals(5L, source.responses().get(500), "RetryInterceptor's default maxAttempts");
    assertEquals(start.plusMillis(500 + 1000 + 2000 + 4000), clock.peek(),
        "backed off 0.5 s, 1 s, 2 s, 4 s");
  }

  @Test
  void recoversFromOccasional429sAndAFailedCallResumesFromTheLastState() throws Exception {
    DemoSource source = start(DemoSource.Options.builder().rateLimitEvery(3).serverErrorEvery(7));
    source.seed(10, 2);
    Page page = connector().read(read(source, "order_lines", clock.peek().plusSeconds(60)));
    assertEquals(PAGE_SIZE, page.rows().size());
    FakeFivetran ft = fivetran(source, source.apiToken());
    ft.sync(10_000, 5);
    assertDestinationEqualsSource(ft, source);
  }

  @Test
  void theDefaultConnectorReallyWaitsForRetryAfter() throws Exception {
    try (DemoSource source = DemoSource.start(DemoSource.Options.builder().rateLimitEvery(2).build())) {
      Secrets secrets = Secrets.of(Map.of("base_url", source.baseUrl(), "api_token", source.apiToken()));
      OrdersApiConnector connector = new OrdersApiConnector();
      connector.test(secrets);
      long t0 = System.nanoTime();
      connector.test(secrets); // answered 429, Retry-After: 1, then 200
      assertTrue(System.nanoTime() - t0 >= 1_000_000_000L, "slept a second");
      assertEquals(Map.of(200, 2L, 429, 1L), source.responses());
    }
  }

  @Test
  void setupTestReportsRejectedCredentials() throws Exception {
    DemoSource source = start(DemoSource.Options.builder());
    FakeFivetran.Call c = fivetran(source, "wrong-token").call(Map.of("setup_test", true));
    assertFalse(c.accepted());
    String message = c.body().path("errorMessage").asText();
    assertTrue(message.contains("secrets.api_token") && message.contains("HTTP 401"), c.body().toString());
    assertFalse(c.body().toString().contains("wrong-token"), "the rejected token is not echoed");
    assertEquals(Map.of(401, 1L), source.responses(), "a rejected token is not retried");
  }

  @Test
  void theCatalogueSendsOnlyNewAndChangedProductsAndDeletesTheRemovedOnes() throws Exception {
    DemoSource source = start(DemoSource.Options.builder().seed(3).rateLimitEvery(9));
    source.seed(5, 1, 60);
    FakeFivetran ft = fivetran(source, source.apiToken());
    assertEquals(Map.of("upserted", 60, "deleted", 0), sent(ft.sync(10_000, 0), "products"));
    assertDestinationEqualsSource(ft, source);

    Random random = new Random(2);
    for (int round = 1; round <= 3; round++) {
      Map<List<Object>, Map<String, Object>> before = source.snapshot().get("products");
      clock.advance(Duration.ofMinutes(1));
      DemoSource.Counts changes = source.mutate(random).of("products");
      Map<List<Object>, Map<String, Object>> after = source.snapshot().get("products");
      clock.advance(Duration.ofSeconds(31)); // past the settle lag, for the feeds
      assertTrue(changes.inserted() > 0 && changes.updated() > 0 && changes.deleted() > 0,
          changes.toString());
      List<FakeFivetran.Call> calls = ft.sync(10_000, 0);
      assertEquals(Map.of("upserted", changes.inserted() + changes.updated(),
          "deleted", changes.deleted()), sent(calls, "products"), "round " + round);
      Set<String> upserted = new HashSet<>();
      Set<String> deleted = new HashSet<>();
      for (FakeFivetran.Call c : calls) {
        c.body().path("insert").path("products").forEach(r -> upserted.add(r.path("sku").asText()));
        c.body().path("delete").path("products").forEach(r -> deleted.add(r.path("sku").asText()));
      }
      for (String sku : upserted) {
        assertFalse(after.get(List.of(sku)).equals(before.get(List.of(sku))), sku + " unchanged");
      }
      for (String sku : deleted) {
        assertTrue(before.containsKey(List.of(sku)) && !after.containsKey(List.of(sku)), sku);
      }
      assertDestinationEqualsSource(ft, source);
    }
    assertEquals(Map.of("upserted", 0, "deleted", 0), sent(ft.sync(10_000, 0), "products"),
        "nothing changed: nothing sent");
    assertTrue(source.responses().getOrDefault(429, 0L) > 0, "retried: " + source.responses());
  }

  /** The same without a digest: every product each sync, and a removed one stays for ever. */
  @Test
  void withoutADigestEveryProductIsSentEachSyncAndRemovedOnesStay() throws Exception {
    DemoSource source = start(DemoSource.Options.builder().seed(3));
    source.seed(5, 1, 60);
    FakeFivetran ft = fivetran(source, source.apiToken(), EngineConfig.builder().maxDigestRows(0));
    ft.sync();
    Set<List<Object>> ever = new HashSet<>(source.snapshot().get("products").keySet());
    clock.advance(Duration.ofMinutes(1));
    DemoSource.Counts changes = source.mutate(new Random(2)).of("products");
    assertTrue(changes.deleted() > 0, changes.toString());
    ever.addAll(source.snapshot().get("products").keySet());
    clock.advance(Duration.ofSeconds(31));
    assertEquals(Map.of("upserted", source.snapshot().get("products").size(), "deleted", 0),
        sent(ft.sync(), "products"));
    Set<String> live = new HashSet<>();
    ft.table("products").values().forEach(r -> live.add(r.path("sku").asText()));
    Set<String> expected = new HashSet<>();
    ever.forEach(k -> expected.add((String) k.get(0)));
    assertEquals(expected, live, "the removed products are still there");
  }

  /** Rows of {@code table} the calls' accepted responses upserted and deleted. */
  static Map<String, Integer> sent(List<FakeFivetran.Call> calls, String table) {
    int upserted = 0;
    int deleted = 0;
    for (FakeFivetran.Call c : calls) {
      if (c.accepted()) {
        upserted += c.body().path("insert").path(table).size();
        deleted += c.body().path("delete").path(table).size();
      }
    }
    return Map.of("upserted", upserted, "deleted", deleted);
  }

  TableRead read(DemoSource source, String table, Instant deadline) {
    return new TableRead(connector().schema().table(table).orElseThrow(), Optional.empty(),
        Optional.empty(), PAGE_SIZE, Optional.empty(),
        Secrets.of(Map.of("base_url", source.baseUrl(), "api_token", source.apiToken())), deadline);
  }

  /** Every live row of every table equals the source's, column by column, and nothing else is there. */
  static void assertDestinationEqualsSource(FakeFivetran ft, DemoSource source) throws IOException {
    for (Map.Entry<String, List<String>> table : DemoSource.PRIMARY_KEYS.entrySet()) {
      Map<String, JsonNode> expected = new TreeMap<>();
      for (Map<String, Object> row : source.snapshot().get(table.getKey()).values()) {
        JsonNode json = FakeFivetran.MAPPER.readTree(FakeFivetran.MAPPER.writeValueAsString(row));
        expected.put(key(table.getValue(), json), json);
      }
      Map<String, JsonNode> actual = new TreeMap<>();
      for (JsonNode row : ft.table(table.getKey()).values()) {
        if (!row.path("_fivetran_deleted").asBoolean(false)) {
          actual.put(key(table.getValue(), row), row);
        }
      }
      assertEquals(expected.keySet(), actual.keySet(), table.getKey() + " keys");
      assertEquals(expected, actual, table.getKey() + " rows");
    }
  }

  static String key(List<String> columns, JsonNode row) {
    StringBuilder sb = new StringBuilder();
    for (String c : columns) {
      JsonNode v = row.path(c);
      sb.append(v.isNumber() ? String.format("%08d|", v.asLong()) : v.asText() + "|");
    }
    return sb.toString();
  }

  static long tie(DemoSource source, String table, String updatedAt) {
    return source.snapshot().get(table).values().stream()
        .filter(r -> r.get("updated_at").equals(updatedAt)).count();
  }

  static int largestTie(DemoSource source, String table) {
    Map<Object, Integer> perInstant = new HashMap<>();
    source.snapshot().get(table).values().forEach(r -> perInstant.merge(r.get("updated_at"), 1, Integer::sum));
    return perInstant.values().stream().max(Integer::compare).orElse(0);
  }
}
