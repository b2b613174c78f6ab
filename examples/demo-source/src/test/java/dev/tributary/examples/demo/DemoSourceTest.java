package dev.tributary.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DemoSourceTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

  final TestClock clock = new TestClock(Instant.parse("2024-05-01T12:00:00Z"));
  final HttpClient http = HttpClient.newHttpClient();
  final List<DemoSource> started = new ArrayList<>();

  DemoSource start(DemoSource.Options.Builder options) throws IOException {
    DemoSource s = DemoSource.start(options.clock(clock).apiToken("token-1234").build());
    started.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    started.forEach(DemoSource::close);
  }

  HttpResponse<String> get(DemoSource s, String pathOrUrl, String token) throws Exception {
    URI uri = URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : s.baseUrl() + pathOrUrl);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode page(DemoSource s, String path) throws Exception {
    HttpResponse<String> r = get(s, path, s.apiToken());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** Follows Link headers from {@code path} to the end; returns every entry in order. */
  List<JsonNode> walk(DemoSource s, String path) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    String next = path;
    while (next != null) {
      HttpResponse<String> r = get(s, next, s.apiToken());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode body = JSON.readTree(r.body());
      body.path("data").forEach(out::add);
      next = r.headers().firstValue("Link").map(DemoSourceTest::nextUrl).orElse(null);
      assertEquals(body.path("has_more").asBoolean(), next != null, "Link iff has_more");
    }
    return out;
  }

  static String nextUrl(String link) {
    Matcher m = NEXT.matcher(link);
    assertTrue(m.matches(), link);
    return m.group(1);
  }

  static String key(JsonNode e) {
    return e.path("updated_at").asText() + "#" + e.path("id").asLong();
  }

  static void assertAscending(List<JsonNode> entries) {
    for (int i = 1; i < entries.size(); i++) {
      Instant a = Instant.parse(entries.get(i - 1).path("updated_at").asText());
      Instant b = Instant.parse(entries.get(i).path("updated_at").asText());
      assertTrue(a.isBefore(b) || a.equals(b)
          && entries.get(i - 1).path("id").asLong() < entries.get(i).path("id").asLong(),
          "ascending (updated_at, id) at " + i);
    }
  }

  @Test
  void servesTheFeedInUpdatedAtThenIdOrderWithTiesLargerThanAPage() throws Exception {
    DemoSource s = start(DemoSource.Options.builder());
    s.seed(20, 3);
    List<JsonNode> orders = walk(s, "/orders?limit=7");
    assertEquals(60, orders.size());
    assertAscending(orders);
    Map<String, Integer> perInstant = new HashMap<>();
    orders.forEach(o -> perInstant.merge(o.path("updated_at").asText(), 1, Integer::sum));
    assertTrue(perInstant.values().stream().anyMatch(n -> n > 7), "some tie is larger than a page: " + perInstant);
    assertEquals(s.snapshot().get("orders").size(), orders.size());
  }

  @Test
  void linkHeaderContinuesAfterTheLastRowAndKeepsTheUpperBound() throws Exception {
    DemoSource s = start(DemoSource.Options.builder());
    s.seed(5, 2);
    HttpResponse<String> r = get(s, "/orders?limit=3&updated_before=2030-01-01T00:00:00Z", s.apiToken());
    JsonNode body = JSON.readTree(r.body());
    assertTrue(body.path("has_more").asBoolean());
    JsonNode last = body.path("data").get(2);
    String next = nextUrl(r.headers().firstValue("Link").orElseThrow());
    assertTrue(next.startsWith(s.baseUrl() + "/orders?"), next);
    assertTrue(next.contains("after_id=" + last.path("id").asLong()), next);
    assertTrue(next.contains("updated_before=2030-01-01T00%3A00%3A00Z"), next);
    assertTrue(next.contains("limit=3"), next);
    JsonNode second = page(s, next.substring(s.baseUrl().length()));
    assertNotEquals(key(last), key(second.path("data").get(0)));
  }

  @Test
  void keysetPagingStaysExactWhenRowsAreWrittenBetweenPages() throws Exception {
    DemoSource s = start(DemoSource.Options.builder().seed(3));
    s.seed(10, 4);
    Instant horizon = clock.instant();
    String path = "/order_lines?limit=5&updated_before=" + horizon;
    List<JsonNode> expected = walk(s, path);

    List<JsonNode> seen = new ArrayList<>();
    String next = path;
    int round = 0;
    while (next != null) {
      HttpResponse<String> r = get(s, next, s.apiToken());
      JSON.readTree(r.body()).path("data").forEach(seen::add);
      next = r.headers().firstValue("Link").map(DemoSourceTest::nextUrl).orElse(null);
      clock.advance(Duration.ofMillis(1));
      s.mutate(new Random(round++)); // inserts, updates and deletes between every two pages
    }
    // Rows written meanwhile moved to (or arrived at) updated_at >= horizon; the rest is exact.
    Set<String> changed = new HashSet<>();
    for (JsonNode e : walk(s, "/order_lines?updated_since=" + horizon)) {
      changed.add(e.path("id").asText());
    }
    List<String> seenKeys = new ArrayList<>();
    seen.forEach(e -> seenKeys.add(key(e)));
    List<String> unchanged = new ArrayList<>();
    for (JsonNode e : expected) {
      if (!changed.contains(e.path("id").asText())) {
        unchanged.add(key(e));
      }
    }
    assertEquals(new HashSet<>(seenKeys).size(), seenKeys.size(), "no entry twice");
    assertTrue(seenKeys.containsAll(unchanged), "every row not written meanwhile is read");
    assertTrue(expected.stream().map(DemoSourceTest::key).toList().containsAll(seenKeys),
        "nothing from after the bound");
    assertTrue(changed.size() > 0);
  }

  @Test
  void updatedBeforeIsExclusiveAndUpdatedSinceWithoutAfterIdIsInclusive() throws Exception {
    DemoSource s = start(DemoSource.Options.builder());
    s.seed(10, 2);
    List<JsonNode> all = walk(s, "/customers");
    String tie = all.get(all.size() / 2).path("updated_at").asText();
    for (JsonNode e : walk(s, "/customers?updated_before=" + tie)) {
      assertTrue(Instant.parse(e.path("updated_at").asText()).isBefore(Instant.parse(tie)));
    }
    List<JsonNode> from = walk(s, "/customers?updated_since=" + tie);
    assertEquals(tie, from.get(0).path("updated_at").asText(), "the tie itself is included");
    assertEquals(all.size(), walk(s, "/customers?updated_before=" + tie).size() + from.size());
    long firstId = from.get(0).path("id").asLong();
    List<JsonNode> after = walk(s, "/customers?updated_since=" + tie + "&after_id=" + firstId);
    assertEquals(from.subList(1, from.size()).toString(), after.toString());
  }

  @Test
  void capsLimitAtMaxPageSizeAndRejectsBadParameters() throws Exception {
    DemoSource s = start(DemoSource.Options.builder().maxPageSize(4));
    s.seed(10, 1);
    assertEquals(4, page(s, "/customers?limit=1000").path("data").size());
    assertEquals(4, page(s, "/customers").path("data").size());
    assertEquals(400, get(s, "/customers?limit=0", s.apiToken()).statusCode());
    assertEquals(400, get(s, "/customers?updated_since=yesterday", s.apiToken()).statusCode());
    assertEquals(400, get(s, "/customers?after_id=3", s.apiToken()).statusCode());
    assertEquals(404, get(s, "/invoices", s.apiToken()).statusCode());
  }

  @Test
  void rejectsAMissingOrWrongTokenWith401() throws Exception {
    DemoSource s = start(DemoSource.Options.builder());
    HttpResponse<String> none = get(s, "/orders", null);
    assertEquals(401, none.statusCode());
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals(401, get(s, "/orders", "token-12345").statusCode());
    assertEquals(200, get(s, "/orders", "token-1234").statusCode());
  }

  @Test
  void injectsA429WithRetryAfterOnEveryNthRequestAnd500sOnRequest() throws Exception {
    DemoSource s = start(DemoSource.Options.builder().rateLimitEvery(3).serverErrorEvery(5));
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get(s, "/orders", s.apiToken());
      statuses.add(r.statusCode());
      if (r.statusCode() == 429) {
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
      }
    }
    assertEquals(List.of(200, 200, 429, 200, 500, 429), statuses);
    assertEquals(Map.of(200, 3L, 429, 2L, 500, 1L), s.responses());
    assertEquals(401, get(s, "/orders", null).statusCode(), "auth comes first and is not counted");
    assertEquals(200, get(s, "/orders", s.apiToken()).statusCode());
  }

  @Test
  void randomFailuresFollowTheirProbability() throws Exception {
    DemoSource s = start(DemoSource.Options.builder().rateLimitProbability(0.5));
    for (int i = 0; i < 40; i++) {
      get(s, "/orders", s.apiToken());
    }
    long limited = s.responses().getOrDefault(429, 0L);
    assertTrue(limited > 5 && limited < 35, "429s: " + limited);
  }

  @Test
  void deletesAreTombstonesInTheFeedAtTheirDeletionTime() throws Exception {
    DemoSource s = start(DemoSource.Options.builder());
    s.seed(10, 3);
    clock.advance(Duration.ofMinutes(1));
    DemoSource.Changes changes = s.mutate(new Random(1));
    assertTrue(changes.of("orders").deleted() > 0 && changes.of("order_lines").deleted() > 0, changes.toString());
    String at = clock.instant().toString();
    List<JsonNode> lines = walk(s, "/order_lines?updated_since=" + at);
    List<JsonNode> tombstones = lines.stream().filter(e -> e.has("deleted_at")).toList();
    assertEquals(changes.of("order_lines").deleted(), tombstones.size());
    for (JsonNode t : tombstones) {
      assertEquals(at, t.path("deleted_at").asText());
      assertEquals(at, t.path("updated_at").asText());
      assertTrue(t.has("order_id") && t.has("line_no") && t.has("id"), t.toString());
      assertFalse(s.snapshot().get("order_lines").containsKey(
          List.of(t.path("order_id").asLong(), t.path("line_no").asInt())));
    }
  }

  @Test
  void aRoundIsOneTieAndASecondRoundAtTheSameInstantLandsOnIt() throws Exception {
    DemoSource s = start(DemoSource.Options.builder());
    s.seed(20, 2);
    clock.advance(Duration.ofMinutes(5));
    DemoSource.Changes first = s.mutate(new Random(1));
    DemoSource.Changes second = s.mutate(new Random(2));
    String at = clock.instant().toString();
    List<JsonNode> changed = walk(s, "/orders?updated_since=" + at);
    int written = 0;
    for (DemoSource.Changes c : List.of(first, second)) {
      DemoSource.Counts o = c.of("orders");
      written += o.inserted() + o.updated() + o.deleted();
    }
    assertTrue(changed.size() > 1 && changed.size() <= written, changed.size() + " of " + written);
    changed.forEach(e -> assertEquals(at, e.path("updated_at").asText()));
    assertAscending(changed);
  }

  @Test
  void theSameSeedAndClockGiveTheSameDataAndChanges() throws Exception {
    List<Object> results = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      clock.set(Instant.parse("2024-05-01T12:00:00Z"));
      DemoSource s = start(DemoSource.Options.builder().seed(42));
      List<Object> r = new ArrayList<>();
      r.add(s.seed(15, 3));
      for (int round = 0; round < 3; round++) {
        clock.advance(Duration.ofSeconds(10));
        r.add(s.mutate(new Random(100 + round)));
      }
      r.add(s.snapshot());
      results.add(r);
    }
    assertEquals(results.get(0), results.get(1));
    clock.set(Instant.parse("2024-05-01T12:00:00Z"));
    DemoSource other = start(DemoSource.Options.builder().seed(43));
    other.seed(15, 3);
    assertNotEquals(((List<?>) results.get(0)).get(4), other.snapshot());
  }

  @Test
  void walkingTheWholeFeedAndApplyingItReproducesTheSnapshot() throws Exception {
    DemoSource s = start(DemoSource.Options.builder().seed(9).maxPageSize(10));
    s.seed(12, 3);
    for (int round = 0; round < 4; round++) {
      clock.advance(Duration.ofSeconds(1));
      s.mutate(new Random(round));
    }
    for (Map.Entry<String, List<String>> resource : DemoSource.PRIMARY_KEYS.entrySet()) {
      Map<List<Object>, JsonNode> replica = new LinkedHashMap<>();
      for (JsonNode e : walk(s, "/" + resource.getKey())) {
        List<Object> key = new ArrayList<>();
        resource.getValue().forEach(c -> key.add(JSON.convertValue(e.get(c), Object.class)));
        if (e.has("deleted_at")) {
          replica.remove(key);
        } else {
          replica.put(key, e);
        }
      }
      Map<String, JsonNode> expected = new LinkedHashMap<>();
      for (Map.Entry<List<Object>, Map<String, Object>> e : s.snapshot().get(resource.getKey()).entrySet()) {
        expected.put(e.getKey().toString(), normalised(e.getValue()));
      }
      Map<String, JsonNode> actual = new LinkedHashMap<>();
      for (Map.Entry<List<Object>, JsonNode> e : replica.entrySet()) {
        actual.put(e.getKey().toString(), normalised(e.getValue()));
      }
      assertEquals(expected, actual, resource.getKey());
    }
  }

  @Test
  void listsTheCatalogueWholeInSkuOrderPagedByKey() throws Exception {
    DemoSource s = start(DemoSource.Options.builder().maxPageSize(10));
    assertEquals(0, s.seed(4, 1, 37).of("products").updated());
    List<JsonNode> products = walk(s, "/products?limit=7");
    assertEquals(37, products.size());
    assertEquals(s.snapshot().get("products").size(), products.size());
    for (int i = 0; i < products.size(); i++) {
      JsonNode p = products.get(i);
      assertEquals(String.format("SKU-%05d", i + 1), p.path("sku").asText());
      assertTrue(p.has("name") && p.has("category") && p.has("updated_at") && !p.has("id"),
          p.toString());
      new java.math.BigDecimal(p.path("price").asText()); // a decimal string
    }
    HttpResponse<String> first = get(s, "/products?limit=7", s.apiToken());
    String next = nextUrl(first.headers().firstValue("Link").orElseThrow());
    assertEquals(s.baseUrl() + "/products?after_sku=SKU-00007&limit=7", next);
    assertEquals("SKU-00008", page(s, "/products?after_sku=SKU-00007&limit=1").path("data").get(0)
        .path("sku").asText());
    assertEquals(10, page(s, "/products?limit=1000").path("data").size(), "capped");
    JsonNode end = page(s, "/products?after_sku=SKU-00037");
    assertEquals(0, end.path("data").size());
    assertFalse(end.path("has_more").asBoolean());
    assertEquals("SKU-00001", page(s, "/products?after_sku=A").path("data").get(0).path("sku")
        .asText(), "any text is a position in sku order");
  }

  @Test
  void theCatalogueRejectsFeedParameters() throws Exception {
    DemoSource s = start(DemoSource.Options.builder());
    s.seed(2, 1, 5);
    for (String q : List.of("updated_since=2024-05-01T00:00:00Z", "after_id=3",
        "updated_before=2030-01-01T00:00:00Z")) {
      HttpResponse<String> r = get(s, "/products?" + q, s.apiToken());
      assertEquals(400, r.statusCode(), q);
      assertTrue(r.body().contains("takes after_sku and limit"), r.body());
    }
    assertEquals(400, get(s, "/products?limit=0", s.apiToken()).statusCode());
    assertEquals(400, get(s, "/products?after_sku=", s.apiToken()).statusCode());
    HttpResponse<String> unknown = get(s, "/invoices", s.apiToken());
    assertTrue(unknown.body().contains("/products"), unknown.body());
  }

  @Test
  void aRoundChangesAddsAndRemovesProductsAndARemovedProductLeavesNoTrace() throws Exception {
    DemoSource s = start(DemoSource.Options.builder().seed(4));
    s.seed(10, 2, 300);
    Map<String, JsonNode> before = bySku(walk(s, "/products"));
    clock.advance(Duration.ofMinutes(1));
    DemoSource.Counts counts = s.mutate(new Random(8)).of("products");
    String at = clock.instant().toString();
    Map<String, JsonNode> after = bySku(walk(s, "/products"));

    Set<String> removed = new HashSet<>(before.keySet());
    removed.removeAll(after.keySet());
    Set<String> added = new HashSet<>(after.keySet());
    added.removeAll(before.keySet());
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, JsonNode> e : after.entrySet()) {
      JsonNode old = before.get(e.getKey());
      if (old != null && !old.equals(e.getValue())) {
        changed.add(e.getKey());
        assertNotEquals(old.path("price").asText(), e.getValue().path("price").asText(), e.getKey());
        assertEquals(at, e.getValue().path("updated_at").asText());
        assertEquals(old.path("name"), e.getValue().path("name"));
      }
    }
    assertEquals(new DemoSource.Counts(added.size(), changed.size(), removed.size()), counts);
    assertEquals(1 + 300 / 20, changed.size(), "a few changed");
    assertTrue(removed.size() >= 2 && removed.size() <= 10, "a few removed: " + removed);
    assertTrue(added.size() >= 1 && added.size() <= 3, "a few added: " + added);
    for (String sku : added) {
      assertTrue(sku.compareTo(before.keySet().stream().max(String::compareTo).orElseThrow()) > 0,
          "new skus come after every old one: " + sku);
      assertEquals(at, after.get(sku).path("updated_at").asText());
    }
    String all = walk(s, "/products").toString();
    for (String sku : removed) {
      assertFalse(all.contains(sku), "no tombstone for " + sku);
      assertFalse(s.snapshot().get("products").containsKey(List.of(sku)));
    }
    assertEquals(after.size(), s.snapshot().get("products").size());
  }

  static Map<String, JsonNode> bySku(List<JsonNode> products) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    products.forEach(p -> out.put(p.path("sku").asText(), p));
    return out;
  }

  static JsonNode normalised(Object value) throws IOException {
    return JSON.readTree(JSON.writeValueAsString(value));
  }

  /** A clock the test sets by hand. */
  static final class TestClock extends Clock {
    private Instant now;

    TestClock(Instant start) {
      now = start;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    synchronized void set(Instant t) {
      now = t;
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
