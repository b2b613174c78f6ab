package dev.tributary.examples.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small "orders API" served on a free loopback port: the source the example connector reads and
 * the local runner's demo syncs. It plays someone else's API, and a well-behaved one — keyset
 * paging, an exclusive upper bound, tombstones for deletes, {@code 429} with {@code Retry-After} —
 * so it doubles as a reference for what a connector can rely on.
 *
 * <h2>Data</h2>
 * Three change feeds, each row with a unique numeric {@code id} (never reused) and an
 * {@code updated_at} (ISO-8601 UTC, millisecond precision) that every write sets to the source's
 * "now", and a catalogue:
 * <ul>
 *   <li>{@code customers}: {@code id, name, email, country, updated_at}; key {@code id}
 *   <li>{@code orders}: {@code id, customer_id, status, currency, total, updated_at}; key {@code id}.
 *       {@code total} is a decimal string ({@code "12.50"})
 *   <li>{@code order_lines}: {@code id, order_id, line_no, sku, quantity, unit_price, updated_at};
 *       key {@code (order_id, line_no)} — line numbers are not reused within an order; {@code id}
 *       is the line's unique id, the feed's tiebreaker
 *   <li>{@code products}: {@code sku, name, category, price, updated_at}; key {@code sku}
 *       ({@code "SKU-00042"}: zero-padded, never reused). {@code price} is a decimal string. Not a
 *       change feed: listed whole in {@code sku} order, and a removed product is simply gone (no
 *       tombstone), so only a reader that compares with what it read before sees the removal
 * </ul>
 * All writes of one {@link #seed} hour or one {@link #mutate} call share one timestamp, as writes
 * of one transaction do, so ties on {@code updated_at} are many and large.
 *
 * <h2>HTTP API</h2>
 * Every request carries {@code Authorization: Bearer <apiToken()>}; otherwise {@code 401}.
 * <pre>
 * GET /customers | /orders | /order_lines
 *     ?updated_since=&lt;instant&gt;  entries with updated_at &gt;= it (ISO-8601, e.g. 2024-05-01T10:00:00.123Z)
 *     &amp;after_id=&lt;id&gt;          with updated_since: entries after (updated_since, after_id) instead,
 *                                i.e. updated_at &gt; updated_since, or equal and id &gt; after_id
 *     &amp;updated_before=&lt;instant&gt; entries with updated_at &lt; it (exclusive)
 *     &amp;limit=&lt;n&gt;             page size, default and cap {@link Options.Builder#maxPageSize}
 * 200 {"data": [entry, ...], "has_more": bool}, ascending (updated_at, id)
 *     Link: &lt;next page url&gt;; rel="next"   when has_more: the same query after the last entry
 * </pre>
 * <pre>
 * GET /products
 *     ?after_sku=&lt;sku&gt;           products with sku &gt; it, in sku order (from the first when absent)
 *     &amp;limit=&lt;n&gt;             page size, default and cap {@link Options.Builder#maxPageSize}
 * 200 {"data": [product, ...], "has_more": bool}, ascending sku
 *     Link: &lt;next page url&gt;; rel="next"   when has_more: the same query after the last product
 * </pre>
 * The catalogue takes no {@code updated_since}, {@code after_id} or {@code updated_before}
 * ({@code 400}): it has no feed order to filter.
 *
 * <p>Customers, orders and order lines are change feeds: a deleted row is returned once more as a tombstone
 * {@code {"id", <key columns>, "updated_at", "deleted_at"}} in its place in the order (its
 * {@code updated_at} is the deletion time), so one position covers upserts and deletes alike.
 * Paging is by key, not by offset or token: a next-page URL stays valid for ever, and rows written
 * between pages never shift it. Errors: {@code 400} (bad parameter, with a message), {@code 404}
 * (unknown resource), {@code 405} (not GET), and the injected {@code 429}/{@code 500} (see
 * {@link Options}). Bodies of errors are {@code {"error": "..."}}.
 *
 * <p>Thread-safe: requests and the methods here take one lock, so a page never sees half a
 * {@link #mutate} round.
 */
public final class DemoSource implements AutoCloseable {
  /** The resources and their primary-key columns, in the order a connector would read them. */
  public static final Map<String, List<String>> PRIMARY_KEYS = primaryKeys();

  private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald",
      "Margaret", "Ken", "Frances", "John", "Radia", "Niklaus"};
  private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov",
      "Knuth", "Hamilton", "Thompson", "Allen", "Backus", "Perlman", "Wirth"};
  private static final String[] COUNTRIES = {"DE", "FR", "GB", "NL", "US", "JP", "BR"};
  private static final String[] STATUSES = {"pending", "paid", "shipped", "delivered"};
  private static final String[] SKUS = {"SKU-KETTLE", "SKU-MUG", "SKU-TEA-250G", "SKU-FILTER",
      "SKU-GRINDER", "SKU-SPOON", "SKU-TRAY"};
  private static final String[] ADJECTIVES = {"Classic", "Compact", "Large", "Matte", "Enamel",
      "Bamboo", "Copper", "Travel", "Glass", "Stoneware"};
  private static final String[] GOODS = {"Kettle", "Mug", "Teapot", "Filter", "Grinder", "Spoon",
      "Tray", "Caddy", "Scale", "Strainer", "Cup", "Jar"};
  private static final String[] CATEGORIES = {"brewing", "serving", "storage", "accessories"};

  static {
    // The JDK server writes a response's headers and body separately; without TCP_NODELAY each
    // small response waits for the client's delayed ACK (~40 ms), which makes a sync of small
    // pages 10x slower. Read once, when the JDK's server configuration is first loaded.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final Options options;
  private final String apiToken;
  private final Random data;
  private final Resource customers = new Resource("customers", PRIMARY_KEYS.get("customers"));
  private final Resource orders = new Resource("orders", PRIMARY_KEYS.get("orders"));
  private final Resource lines = new Resource("order_lines", PRIMARY_KEYS.get("order_lines"));
  private final Map<String, Resource> resources = Map.of(
      customers.name, customers, orders.name, orders, lines.name, lines);
  private final Catalogue products = new Catalogue("products");
  /** order id → the next line number to give a line of that order. */
  private final Map<Long, Integer> nextLineNo = new TreeMap<>();
  private final HttpServer server;
  private final DemoApi api;
  private Instant lastWrite = Instant.EPOCH;

  private DemoSource(Options options) throws IOException {
    this.options = options;
    this.apiToken = options.apiToken != null ? options.apiToken : randomToken();
    this.data = new Random(options.seed);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.api = new DemoApi(this, options, apiToken);
    server.createContext("/", api);
    server.start();
  }

  /** Starts a source with no rows on a free loopback port. Close it to free the port. */
  public static DemoSource start(Options options) throws IOException {
    return new DemoSource(Objects.requireNonNull(options, "options"));
  }

  /** Where the API is served, without a trailing slash: {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The bearer token the API accepts. */
  public String apiToken() {
    return apiToken;
  }

  /**
   * Creates the initial data: {@code customers} customers with {@code ordersPerCustomer} orders
   * each and one to four lines per order, and as many products as customers
   * ({@link #seed(int, int, int)}).
   */
  public synchronized Changes seed(int customers, int ordersPerCustomer) {
    return seed(customers, ordersPerCustomer, customers);
  }

  /**
   * Creates the initial data: {@code customers} customers with {@code ordersPerCustomer} orders
   * each and one to four lines per order, and {@code products} products. Rows are stamped at the
   * six whole hours before now, so they are all older than any settle lag and share six
   * {@code updated_at} values. Deterministic for a given {@link Options.Builder#seed} and clock.
   */
  public synchronized Changes seed(int customers, int ordersPerCustomer, int products) {
    if (customers < 0 || ordersPerCustomer < 0 || products < 0) {
      throw new IllegalArgumentException("customers, ordersPerCustomer or products < 0: "
          + customers + ", " + ordersPerCustomer + ", " + products);
    }
    Instant hour = now().truncatedTo(ChronoUnit.HOURS);
    Tally tally = new Tally();
    for (int c = 0; c < customers; c++) {
      long customerId = insertCustomer(hour.minus(1 + data.nextInt(6), ChronoUnit.HOURS), data, tally);
      for (int o = 0; o < ordersPerCustomer; o++) {
        insertOrder(customerId, hour.minus(1 + data.nextInt(6), ChronoUnit.HOURS), data, tally);
      }
    }
    for (int p = 0; p < products; p++) {
      insertProduct(hour.minus(1 + data.nextInt(6), ChronoUnit.HOURS), data, tally);
    }
    return tally.changes();
  }

  /**
   * Applies one round of changes, as one transaction at the source's current time: new
   * customers and orders (with lines), lines added to existing orders, updates (customers'
   * emails, orders' status, lines' quantities — which also update the order's total), deleted
   * orders (with their lines), deleted lines, and now and then a deleted customer without orders;
   * and in the catalogue a few price changes, one to three new products and a few removed ones
   * (gone without a tombstone). Every write gets the same {@code updated_at}, so a round is one large tie, and a second round
   * at the same instant lands on the tie of the first.
   *
   * @param random the choices; the same seed on the same data and clock gives the same round
   * @return what changed, per resource
   */
  public synchronized Changes mutate(Random random) {
    Instant at = now();
    Tally tally = new Tally();
    List<Long> customerIds = shuffled(customers.liveIds(), random);
    List<Long> orderIds = shuffled(orders.liveIds(), random);

    for (long orderId : take(orderIds, 1 + orderIds.size() / 30)) {
      deleteOrder(orderId, at, tally);
    }
    for (long id : take(customerIds, 1 + customerIds.size() / 10)) {
      Map<String, Object> c = new LinkedHashMap<>(customers.live(id));
      c.remove("id");
      c.put("email", email((String) c.get("name"), random.nextInt(1000)));
      customers.put(id, at, c);
      tally.updated(customers, id);
    }
    for (long orderId : take(orderIds, 1 + orderIds.size() / 10)) {
      Map<String, Object> o = new LinkedHashMap<>(orders.live(orderId));
      o.remove("id");
      o.put("status", STATUSES[random.nextInt(STATUSES.length)]);
      orders.put(orderId, at, o);
      tally.updated(orders, orderId);
    }
    List<Long> lineIds = shuffled(lines.liveIds(), random);
    for (long lineId : take(lineIds, 1 + lineIds.size() / 20)) {
      Map<String, Object> l = new LinkedHashMap<>(lines.live(lineId));
      l.remove("id");
      l.put("quantity", 1 + random.nextInt(9));
      lines.put(lineId, at, l);
      tally.updated(lines, lineId);
      retotal((Long) l.get("order_id"), at, tally);
    }
    for (long lineId : take(lineIds, 1 + lineIds.size() / 30)) {
      long orderId = (Long) lines.live(lineId).get("order_id");
      lines.delete(lineId, at);
      tally.deleted(lines, lineId);
      retotal(orderId, at, tally);
    }
    for (long orderId : take(orderIds, 1 + random.nextInt(3))) {
      insertLine(orderId, at, random, tally);
      retotal(orderId, at, tally);
    }
    for (int i = random.nextInt(3); i >= 0; i--) {
      insertCustomer(at, random, tally);
    }
    List<Long> buyers = customers.liveIds();
    for (int i = 2 + random.nextInt(5); i > 0 && !buyers.isEmpty(); i--) {
      insertOrder(buyers.get(random.nextInt(buyers.size())), at, random, tally);
    }
    if (random.nextInt(3) == 0) {
      deleteCustomerWithoutOrders(at, tally);
    }
    List<String> skus = shuffled(products.skus(), random);
    for (String sku : take(skus, 1 + skus.size() / 20)) {
      Map<String, Object> p = new LinkedHashMap<>(products.get(sku));
      p.remove("sku");
      BigDecimal price = new BigDecimal((String) p.get("price"));
      BigDecimal change = BigDecimal.valueOf(10 + random.nextInt(490), 2);
      p.put("price", (random.nextBoolean() || price.compareTo(change) <= 0
          ? price.add(change) : price.subtract(change)).toPlainString());
      products.put(sku, at, p);
      tally.updated(products.name, sku);
    }
    for (String sku : take(skus, 1 + skus.size() / 40)) {
      products.remove(sku);
      tally.deleted(products.name, sku);
    }
    for (int i = random.nextInt(3); i >= 0; i--) {
      insertProduct(at, random, tally);
    }
    return tally.changes();
  }

  /**
   * What a destination that synced everything should hold: the live rows of each resource (in
   * {@link #PRIMARY_KEYS} order), keyed by their primary-key values ({@code [id]},
   * {@code [order_id, line_no]} for order lines, {@code [sku]} for products), with the values the API serialises ({@code Long}
   * ids and integers, strings for timestamps and decimals). An immutable copy.
   */
  public synchronized Map<String, Map<List<Object>, Map<String, Object>>> snapshot() {
    Map<String, Map<List<Object>, Map<String, Object>>> out = new LinkedHashMap<>();
    for (String name : PRIMARY_KEYS.keySet()) {
      out.put(name, Collections.unmodifiableMap(name.equals(products.name) ? products.snapshot()
          : resources.get(name).snapshot()));
    }
    return Collections.unmodifiableMap(out);
  }

  /** Responses sent so far by HTTP status (including injected failures), e.g. {@code {200=41, 429=3}}. */
  public Map<Integer, Long> responses() {
    return api.responses();
  }

  /** Stops the server at once. */
  @Override
  public void close() {
    server.stop(0);
  }

  /** One page of a resource's feed (see the class documentation); called by the HTTP layer. */
  synchronized Resource.Page page(String resource, Resource.FeedKey after, Instant before, int limit) {
    return resources.get(resource).page(after, before, limit);
  }

  /** One page of the catalogue, in sku order after {@code afterSku}; called by the HTTP layer. */
  synchronized Resource.Page catalogue(String afterSku, int limit) {
    return products.page(afterSku, limit);
  }

  boolean hasResource(String name) {
    return resources.containsKey(name);
  }

  boolean isCatalogue(String name) {
    return products.name.equals(name);
  }

  /** The source's now: the clock at millisecond precision, never before an earlier write. */
  private Instant now() {
    Instant t = options.clock.instant().truncatedTo(ChronoUnit.MILLIS);
    lastWrite = t.isAfter(lastWrite) ? t : lastWrite;
    return lastWrite;
  }

  private long insertCustomer(Instant at, Random random, Tally tally) {
    long id = customers.nextId();
    String name = FIRST[random.nextInt(FIRST.length)] + " " + LAST[random.nextInt(LAST.length)];
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", name);
    c.put("email", email(name, id));
    c.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
    customers.put(id, at, c);
    tally.inserted(customers, id);
    return id;
  }

  private void insertOrder(long customerId, Instant at, Random random, Tally tally) {
    long id = orders.nextId();
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("customer_id", customerId);
    o.put("status", STATUSES[0]);
    o.put("currency", "EUR");
    o.put("total", "0.00");
    orders.put(id, at, o);
    tally.inserted(orders, id);
    for (int n = 1 + random.nextInt(4); n > 0; n--) {
      insertLine(id, at, random, tally);
    }
    retotal(id, at, tally);
  }

  private void insertLine(long orderId, Instant at, Random random, Tally tally) {
    long id = lines.nextId();
    int lineNo = nextLineNo.merge(orderId, 1, Integer::sum);
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("order_id", orderId);
    l.put("line_no", lineNo);
    l.put("sku", SKUS[random.nextInt(SKUS.length)]);
    l.put("quantity", 1 + random.nextInt(5));
    l.put("unit_price", BigDecimal.valueOf(150 + random.nextInt(4850), 2).toPlainString());
    lines.put(id, at, l);
    tally.inserted(lines, id);
  }

  private void insertProduct(Instant at, Random random, Tally tally) {
    String sku = products.nextSku();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " "
        + GOODS[random.nextInt(GOODS.length)]);
    p.put("category", CATEGORIES[random.nextInt(CATEGORIES.length)]);
    p.put("price", BigDecimal.valueOf(150 + random.nextInt(9850), 2).toPlainString());
    products.put(sku, at, p);
    tally.inserted(products.name, sku);
  }

  /** Sets an order's total to the sum of its live lines, updating the order if it changed. */
  private void retotal(long orderId, Instant at, Tally tally) {
    BigDecimal total = BigDecimal.ZERO.setScale(2);
    for (long lineId : lines.liveIds()) {
      Map<String, Object> l = lines.live(lineId);
      if (l.get("order_id").equals(orderId)) {
        total = total.add(new BigDecimal((String) l.get("unit_price"))
            .multiply(BigDecimal.valueOf((Integer) l.get("quantity"))));
      }
    }
    Map<String, Object> o = new LinkedHashMap<>(orders.live(orderId));
    if (!o.get("total").equals(total.toPlainString())) {
      o.remove("id");
      o.put("total", total.toPlainString());
      orders.put(orderId, at, o);
      tally.updated(orders, orderId);
    }
  }

  private void deleteOrder(long orderId, Instant at, Tally tally) {
    for (long lineId : lines.liveIds()) {
      if (lines.live(lineId).get("order_id").equals(orderId)) {
        lines.delete(lineId, at);
        tally.deleted(lines, lineId);
      }
    }
    orders.delete(orderId, at);
    tally.deleted(orders, orderId);
  }

  private void deleteCustomerWithoutOrders(Instant at, Tally tally) {
    Set<Object> buyers = new LinkedHashSet<>();
    for (long orderId : orders.liveIds()) {
      buyers.add(orders.live(orderId).get("customer_id"));
    }
    for (long id : customers.liveIds()) {
      if (!buyers.contains(id)) {
        customers.delete(id, at);
        tally.deleted(customers, id);
        return;
      }
    }
  }

  private static Map<String, List<String>> primaryKeys() {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put("customers", List.of("id"));
    keys.put("orders", List.of("id"));
    keys.put("order_lines", List.of("order_id", "line_no"));
    keys.put("products", List.of("sku"));
    return Collections.unmodifiableMap(keys);
  }

  private static String email(String name, long n) {
    return name.toLowerCase(java.util.Locale.ROOT).replace(' ', '.') + n + "@example.com";
  }

  private static <T> List<T> shuffled(List<T> ids, Random random) {
    List<T> out = new ArrayList<>(ids);
    Collections.shuffle(out, random);
    return out;
  }

  /** Removes and returns up to {@code n} ids from the front, so later picks are disjoint. */
  private static <T> List<T> take(List<T> ids, int n) {
    List<T> head = new ArrayList<>(ids.subList(0, Math.min(n, ids.size())));
    ids.subList(0, head.size()).clear();
    return head;
  }

  private static String randomToken() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return "demo-" + HexFormat.of().formatHex(b);
  }

  /**
   * What a {@link #seed} or {@link #mutate} call changed, per resource (every resource present).
   *
   * @param byResource resource name → counts
   */
  public record Changes(Map<String, Counts> byResource) {
    public Changes {
      byResource = Collections.unmodifiableMap(new LinkedHashMap<>(byResource));
    }

    /** The counts of one resource. */
    public Counts of(String resource) {
      return byResource.get(resource);
    }
  }

  /**
   * Rows changed in one resource. A row inserted and updated in the same call counts as inserted;
   * one updated and deleted, as deleted; one inserted and deleted, not at all.
   */
  public record Counts(int inserted, int updated, int deleted) {}

  /** Collects ids (skus for products) touched per resource and kind, so each row counts once. */
  private final class Tally {
    private final Map<String, Set<Object>> inserted = new LinkedHashMap<>();
    private final Map<String, Set<Object>> updated = new LinkedHashMap<>();
    private final Map<String, Set<Object>> deleted = new LinkedHashMap<>();

    void inserted(Resource r, long id) {
      inserted(r.name, id);
    }

    void updated(Resource r, long id) {
      updated(r.name, id);
    }

    void deleted(Resource r, long id) {
      deleted(r.name, id);
    }

    void inserted(String resource, Object id) {
      inserted.computeIfAbsent(resource, k -> new LinkedHashSet<>()).add(id);
    }

    void updated(String resource, Object id) {
      updated.computeIfAbsent(resource, k -> new LinkedHashSet<>()).add(id);
    }

    void deleted(String resource, Object id) {
      deleted.computeIfAbsent(resource, k -> new LinkedHashSet<>()).add(id);
    }

    Changes changes() {
      Map<String, Counts> out = new LinkedHashMap<>();
      for (String name : PRIMARY_KEYS.keySet()) {
        Set<Object> ins = inserted.getOrDefault(name, Set.of());
        Set<Object> del = deleted.getOrDefault(name, Set.of());
        Set<Object> upd = new LinkedHashSet<>(updated.getOrDefault(name, Set.of()));
        upd.removeAll(ins);
        upd.removeAll(del);
        Set<Object> insertedAndKept = new LinkedHashSet<>(ins);
        insertedAndKept.removeAll(del);
        out.put(name, new Counts(insertedAndKept.size(), upd.size(), del.size() - countBoth(ins, del)));
      }
      return new Changes(out);
    }

    private int countBoth(Set<Object> ins, Set<Object> del) {
      int n = 0;
      for (Object id : del) {
        n += ins.contains(id) ? 1 : 0;
      }
      return n;
    }
  }

  /**
   * How a {@link DemoSource} behaves. Immutable; build with {@link #builder()}.
   */
  public static final class Options {
    final long seed;
    final Clock clock;
    final String apiToken;
    final int maxPageSize;
    final int rateLimitEvery;
    final double rateLimitProbability;
    final int serverErrorEvery;
    final double serverErrorProbability;

    private Options(Builder b) {
      seed = b.seed;
      clock = b.clock;
      apiToken = b.apiToken;
      maxPageSize = b.maxPageSize;
      rateLimitEvery = b.rateLimitEvery;
      rateLimitProbability = b.rateLimitProbability;
      serverErrorEvery = b.serverErrorEvery;
      serverErrorProbability = b.serverErrorProbability;
    }

    /** All defaults: seed 1, the system clock, a random token, pages of at most 100, no failures. */
    public static Options defaults() {
      return builder().build();
    }

    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding these options. */
    public Builder newBuilder() {
      Builder b = new Builder();
      b.seed = seed;
      b.clock = clock;
      b.apiToken = apiToken;
      b.maxPageSize = maxPageSize;
      b.rateLimitEvery = rateLimitEvery;
      b.rateLimitProbability = rateLimitProbability;
      b.serverErrorEvery = serverErrorEvery;
      b.serverErrorProbability = serverErrorProbability;
      return b;
    }

    /** Builds {@link Options}. Not thread-safe. */
    public static final class Builder {
      private long seed = 1;
      private Clock clock = Clock.systemUTC();
      private String apiToken;
      private int maxPageSize = 100;
      private int rateLimitEvery;
      private double rateLimitProbability;
      private int serverErrorEvery;
      private double serverErrorProbability;

      private Builder() {}

      /** Seeds the generated data ({@link #seed(int, int)}) and the random failures. Default 1. */
      public Builder seed(long seed) {
        this.seed = seed;
        return this;
      }

      /**
       * The source's clock: every write is stamped with its time, truncated to milliseconds.
       * Default the system clock.
       */
      public Builder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
      }

      /** The bearer token to accept. Default a random {@code demo-…} token per source. */
      public Builder apiToken(String token) {
        if (token == null || token.isBlank()) {
          throw new IllegalArgumentException("apiToken is blank");
        }
        this.apiToken = token;
        return this;
      }

      /** Largest page served; a larger {@code limit} is capped to it. Default 100. */
      public Builder maxPageSize(int rows) {
        if (rows < 1) {
          throw new IllegalArgumentException("maxPageSize < 1: " + rows);
        }
        this.maxPageSize = rows;
        return this;
      }

      /**
       * Answer every {@code n}th request (counting every authenticated request) with {@code 429
       * Too Many Requests} and {@code Retry-After: 1}. Default 0: never.
       */
      public Builder rateLimitEvery(int n) {
        this.rateLimitEvery = checkEvery("rateLimitEvery", n);
        return this;
      }

      /** Answer each authenticated request with {@code 429} and {@code Retry-After: 1} with this probability. Default 0. */
      public Builder rateLimitProbability(double p) {
        this.rateLimitProbability = checkProbability("rateLimitProbability", p);
        return this;
      }

      /** Answer every {@code n}th authenticated request with {@code 500}. Default 0: never. */
      public Builder serverErrorEvery(int n) {
        this.serverErrorEvery = checkEvery("serverErrorEvery", n);
        return this;
      }

      /** Answer each authenticated request with {@code 500} with this probability. Default 0. */
      public Builder serverErrorProbability(double p) {
        this.serverErrorProbability = checkProbability("serverErrorProbability", p);
        return this;
      }

      public Options build() {
        return new Options(this);
      }

      private static int checkEvery(String name, int n) {
        if (n < 0) {
          throw new IllegalArgumentException(name + " < 0: " + n);
        }
        return n;
      }

      private static double checkProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
          throw new IllegalArgumentException(name + " not in [0, 1]: " + p);
        }
        return p;
      }
    }
  }
}
