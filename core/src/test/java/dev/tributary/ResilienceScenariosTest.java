package dev.tributary;

import static dev.tributary.testing.Mirror.assertDeliveredAtMost;
import static dev.tributary.testing.Mirror.assertMirrors;
import static dev.tributary.testing.Mirror.insertedIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.ReadFaults;
import dev.tributary.testing.SimulatedSource;
import dev.tributary.testing.SlowConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole-sync scenarios under failure, deadlines, budgets, old or foreign state and slow sources.
 * Each drives the engine through {@link FakeFivetran} against a {@link SimulatedSource} and checks
 * the two promises that matter to a user: the destination ends equal to the source, and a
 * replayed call re-sends at most one response's rows.
 */
class ResilienceScenariosTest {
  static final Instant BASE = Instant.parse("2024-05-01T10:00:00Z");
  static final Duration CALL_TIMEOUT = Duration.ofMinutes(1);

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();

  static Table orders() {
    return Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
  }

  static Table invoices() {
    return Table.incremental("invoices").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
  }

  static Table customers() {
    return Table.fullRefresh("customers").primaryKey("id").tiebreaker("id", ValueType.NUMBER);
  }

  static Table childOrders() {
    return orders().partitionedBy("customers");
  }

  static Instant at(long seconds) {
    return BASE.plusSeconds(seconds);
  }

  EngineConfig.Builder config() {
    return EngineConfig.builder().clock(clock).logSink(log::add);
  }

  FakeFivetran fivetran(Connector connector, EngineConfig cfg) {
    return new FakeFivetran(new FunctionHandler(connector, cfg), clock, CALL_TIMEOUT,
        cfg.maxResponseBytes());
  }

  static JsonNode json(String text) {
    try {
      return FakeFivetran.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<FakeFivetran.Call> accepted(List<FakeFivetran.Call> calls) {
    return calls.stream().filter(FakeFivetran.Call::accepted).toList();
  }

  static Set<String> tablesIn(FakeFivetran.Call c) {
    Set<String> names = new TreeSet<>();
    c.body().path("insert").fieldNames().forEachRemaining(names::add);
    c.body().path("delete").fieldNames().forEachRemaining(names::add);
    return names;
  }

  List<JsonNode> logLines(String level, String event) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : log) {
      JsonNode n = json(line);
      if (level.equals(n.path("level").asText()) && event.equals(n.path("event").asText())) {
        out.add(n);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // 1. A crash after any page

  /** Customers (full refresh) with child orders, plus invoices with a tie and a delete. */
  static SimulatedSource crashSource() {
    SimulatedSource src = new SimulatedSource(customers(), childOrders(), invoices());
    for (long c = 1; c <= 4; c++) {
      src.upsert("customers", c, at(-3600), Map.of("name", "c" + c));
    }
    for (long o = 1; o <= 12; o++) {
      // Timestamps interleave across customers and tie in pairs.
      src.upsert("orders", o, at((o / 2) * 60), Map.of("parent_id", (o % 4) + 1));
    }
    for (long i = 1; i <= 15; i++) {
      src.upsert("invoices", i, i >= 3 && i <= 9 ? at(600) : at(i * 30));
    }
    src.delete("invoices", 11, at(900));
    return src;
  }

  EngineConfig crashConfig() {
    return config().pageSize(3).maxRowsPerResponse(5).build();
  }

  /** Between the two syncs: updates, a new order, and deletes of rows already delivered. */
  void changeBetweenSyncs(SimulatedSource src) {
    Instant now = clock.peek();
    src.upsert("orders", 3, now.minusSeconds(300), Map.of("parent_id", 4L));
    src.upsert("orders", 13, now.minusSeconds(300), Map.of("parent_id", 2L));
    src.delete("invoices", 4, now.minusSeconds(200));
    src.delete("invoices", 5, now.minusSeconds(200));
    src.upsert("invoices", 16, now.minusSeconds(200));
    src.upsert("customers", 5, now.minusSeconds(100), Map.of("name", "c5"));
  }

  /** Runs the two syncs; returns each sync's calls. */
  List<List<FakeFivetran.Call>> twoSyncs(SimulatedSource src, FakeFivetran ft, int maxFailures) {
    List<FakeFivetran.Call> first = ft.sync(1_000, maxFailures);
    clock.advance(Duration.ofHours(1));
    changeBetweenSyncs(src);
    List<FakeFivetran.Call> second = ft.sync(1_000, maxFailures);
    clock.set(Instant.parse("2024-05-01T12:00:00Z"));
    return List.of(first, second);
  }

  @Test
  void crashAfterAnyPageReplaysFromLastAcceptedState() {
    List<String> tables = List.of("customers", "orders", "invoices");
    SimulatedSource clean = crashSource();
    FakeFivetran cleanRun = fivetran(clean, crashConfig());
    twoSyncs(clean, cleanRun, 0);
    int reads = clean.reads();
    assertTrue(reads > 20, "the scenario should take many reads, took " + reads);
    for (String table : tables) {
      assertMirrors(cleanRun, clean, table);
    }

    for (int k = 1; k <= reads; k++) {
      SimulatedSource src = crashSource();
      ReadFaults fault = ReadFaults.nthRead(k);
      src.failWhen(fault);
      FakeFivetran ft = fivetran(src, crashConfig());
      String where = "crash at read " + k + " of " + reads;
      List<List<FakeFivetran.Call>> syncs = twoSyncs(src, ft, 1);
      assertEquals(1, fault.fired(), where);
      FakeFivetran.Call failed = ft.calls().stream().filter(c -> !c.accepted()).findFirst()
          .orElseThrow();
      assertEquals(502, failed.httpStatus(), where);
      assertEquals("SourceError", failed.body().path("errorType").asText(), where);
      assertFalse(failed.body().has("state"), where);
      for (String table : tables) {
        try {
          assertMirrors(ft, src, table);
          for (List<FakeFivetran.Call> sync : syncs) {
            assertAtMostTwicePerSync(insertedIds(sync, table), table);
          }
        } catch (AssertionError e) {
          throw new AssertionError(where + ": " + e.getMessage(), e);
        }
      }
    }
  }

  static void assertAtMostTwicePerSync(List<Long> ids, String table) {
    Map<Long, Integer> counts = new java.util.HashMap<>();
    ids.forEach(id -> counts.merge(id, 1, Integer::sum));
    counts.forEach((id, n) -> assertTrue(n <= 2, table + " id " + id + " delivered " + n
        + " times in one sync"));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. The deadline arrives in the middle of a page

  @Test
  void deadlineReachedMidPageStopsWithHasMoreAndWhatItHas() {
    SimulatedSource src = new SimulatedSource(orders());
    for (long id = 1; id <= 60; id++) {
      src.upsert("orders", id, at(id / 3)); // ties of three
    }
    EngineConfig cfg = config().pageSize(100).deadlineMargin(Duration.ofSeconds(5)).build();
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, cfg), clock,
        Duration.ofSeconds(30), cfg.maxResponseBytes());
    // Every look at the clock costs a second: rows are emitted while the deadline approaches.
    clock.tickOnRead(Duration.ofSeconds(1));

    FakeFivetran.Call first = ft.call();
    assertTrue(first.accepted(), first.body().toString());
    assertTrue(first.hasMore(), "stopped at the deadline, so more to come");
    int rows = first.rows();
    assertTrue(rows > 0 && rows < 60, "some rows, fewer than the page of 60: " + rows);
    assertEquals(1, src.reads(), "one page was read and cut short");
    JsonNode lastRow = first.body().path("insert").path("orders").get(rows - 1);
    JsonNode position = first.body().path("state").path("tables").path("orders").path("position");
    assertEquals(lastRow.get("id").asLong(), position.get(1).asLong(),
        "the position is the last emitted row");
    assertEquals(lastRow.get("updated_at").asText(), position.get(0).asText());
    assertTrue(first.body().path("state").path("sync").has("horizon"));

    List<FakeFivetran.Call> rest = ft.sync(100, 0);
    assertTrue(rest.size() >= 2, "the rest also spans calls: " + rest.size());
    assertMirrors(ft, src, "orders");
    assertDeliveredAtMost(ft, "orders", 1);
    assertEquals(60, ft.deliveries("orders").size());
  }

  @Test
  void deadlineInsideAParentsChildrenResumesWithThatParent() {
    SimulatedSource src = new SimulatedSource(customers(), childOrders());
    for (long c = 1; c <= 5; c++) {
      src.upsert("customers", c, at(-3600));
      for (long i = 0; i < 12; i++) {
        src.upsert("orders", c * 100 + i, at(i * 60 + c), Map.of("parent_id", c));
      }
    }
    EngineConfig cfg = config().pageSize(5).deadlineMargin(Duration.ofSeconds(5)).build();
    FakeFivetran ft = new FakeFivetran(new FunctionHandler(src, cfg), clock,
        Duration.ofSeconds(20), cfg.maxResponseBytes());
    clock.tickOnRead(Duration.ofSeconds(1));

    List<FakeFivetran.Call> calls = ft.sync(100, 0);
    assertTrue(calls.size() >= 4, "the deadline cuts the sync into several calls: " + calls.size());
    assertTrue(calls.stream().anyMatch(c -> c.body().path("state").path("tables")
        .path("customers").has("children_of")), "some call stopped inside a parent's children");
    assertMirrors(ft, src, "customers");
    assertMirrors(ft, src, "orders");
    assertDeliveredAtMost(ft, "customers", 1);
    assertDeliveredAtMost(ft, "orders", 1);
  }

  // ---------------------------------------------------------------------------------------------
  // 3. A row larger than the response budget

  @Test
  void rowLargerThanBudgetIsAnErrorNamingTableAndKey() {
    EngineConfig cfg = config().maxResponseBytes(8192).maxStateBytes(1024).build();
    SimulatedSource src = new SimulatedSource(orders());
    src.upsert("orders", 1, at(1), Map.of("note", "small"));
    src.upsert("orders", 2, at(2), Map.of("note", "x".repeat(10_000)));
    src.upsert("orders", 3, at(3), Map.of("note", "small"));
    FakeFivetran ft = fivetran(src, cfg);

    FakeFivetran.Call first = ft.call();
    assertTrue(first.accepted(), first.body().toString());
    assertEquals(List.of(1L), insertedIds(List.of(first), "orders"),
        "the big row does not fit after row 1, so the response ends before it");
    assertTrue(first.hasMore());
    ObjectNode accepted = ft.state().deepCopy();

    for (int attempt = 1; attempt <= 2; attempt++) {
      FakeFivetran.Call failed = ft.call();
      assertFalse(failed.accepted());
      assertEquals(FunctionHandler.Outcome.CONNECTOR_FAILURE.httpStatus(), failed.httpStatus());
      assertEquals("ConnectorError", failed.body().path("errorType").asText());
      String message = failed.body().path("errorMessage").asText();
      assertTrue(message.contains("table orders"), message);
      assertTrue(message.contains("id=2"), "names the primary key value: " + message);
      assertTrue(message.contains("maxResponseBytes"), message);
      assertEquals(accepted, ft.state(), "no state change");
    }
    List<JsonNode> errors = logLines("ERROR", "call");
    assertEquals(2, errors.size());
    assertEquals("connector_failure", errors.get(0).path("outcome").asText());
  }

  @Test
  void bigRowThatFitsAloneGoesIntoTheNextResponse() {
    EngineConfig cfg = config().maxResponseBytes(8192).maxStateBytes(1024).build();
    SimulatedSource src = new SimulatedSource(orders());
    for (long id = 1; id <= 10; id++) {
      src.upsert("orders", id, at(id), Map.of("note", "y".repeat(250)));
    }
    src.upsert("orders", 11, at(11), Map.of("note", "z".repeat(5_000)));
    src.upsert("orders", 12, at(12), Map.of("note", "small"));
    FakeFivetran ft = fivetran(src, cfg);

    List<FakeFivetran.Call> calls = ft.sync(10, 0);
    assertTrue(calls.size() >= 2, "the big row needs a response of its own");
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L),
        insertedIds(List.of(calls.get(0)), "orders"));
    assertEquals(11L, insertedIds(List.of(calls.get(1)), "orders").get(0),
        "the big row leads the next response");
    for (FakeFivetran.Call c : calls) {
      assertTrue(c.bytes() <= 8192, "call " + c.number() + " has " + c.bytes() + " bytes");
    }
    assertMirrors(ft, src, "orders");
    assertDeliveredAtMost(ft, "orders", 1);
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Child tables

  @Test
  void childPositionsArePerParentAndAParentWhoseChildrenFailLosesNothing() {
    SimulatedSource src = new SimulatedSource(customers(), childOrders());
    for (long c = 1; c <= 3; c++) {
      src.upsert("customers", c, at(-3600));
    }
    long[][] ordersOf = {{}, {1, 2}, {3, 4, 5}, {6}};
    for (long c = 1; c <= 3; c++) {
      for (long o : ordersOf[(int) c]) {
        src.upsert("orders", o, at(o * 10), Map.of("parent_id", c));
      }
    }
    ReadFaults fault = ReadFaults.firstMatching(
        r -> r.table().name().equals("orders") && Long.valueOf(2).equals(ReadFaults.parentId(r)));
    src.failWhen(fault);
    EngineConfig cfg = config().pageSize(2).maxRowsPerResponse(3).build();
    FakeFivetran ft = fivetran(src, cfg);

    List<FakeFivetran.Call> first = ft.sync(100, 1);
    assertEquals(1, fault.fired());
    assertTrue(first.stream().anyMatch(c -> !c.accepted()));
    assertMirrors(ft, src, "customers");
    assertMirrors(ft, src, "orders");
    assertDeliveredAtMost(ft, "customers", 1);
    assertDeliveredAtMost(ft, "orders", 1);

    Map<String, StateBlocks.Part> partitions = StateBlocks.timestampNumber(
        ft.state().path("tables").path("orders").path("partitions"));
    assertEquals(Set.of("[1]", "[2]", "[3]"), partitions.keySet());
    assertEquals(2, partitions.get("[1]").tiebreaker().longValueExact());
    assertEquals(5, partitions.get("[2]").tiebreaker().longValueExact());
    assertEquals(6, partitions.get("[3]").tiebreaker().longValueExact());
    assertEquals(at(50), partitions.get("[2]").cursor());
    assertKeepsOnlyWhatItDelivered(ft, "customers", 3);

    // Second sync: one changed and one new order; only those come. The customers are read
    // again (their children with them) but none changed, so none is sent.
    clock.advance(Duration.ofHours(1));
    src.upsert("orders", 1, clock.peek().minusSeconds(600), Map.of("parent_id", 1L));
    src.upsert("orders", 7, clock.peek().minusSeconds(500), Map.of("parent_id", 2L));
    List<FakeFivetran.Call> second = ft.sync(100, 0);
    assertEquals(List.of(1L, 7L), sorted(insertedIds(second, "orders")));
    assertEquals(List.of(), sorted(insertedIds(second, "customers")));
    assertMirrors(ft, src, "orders");
    assertMirrors(ft, src, "customers");
  }

  /** A full-refresh table keeps no position between syncs, only the digest of what it delivered. */
  static void assertKeepsOnlyWhatItDelivered(FakeFivetran ft, String table, int rows) {
    JsonNode entry = ft.state().path("tables").path(table);
    assertTrue(entry.path("position").isNull(), "full refresh keeps no position between syncs");
    assertEquals(rows, entry.path("digest").path("delivered").size(), entry.toString());
    assertFalse(entry.path("digest").has("seen"), entry.toString());
  }

  /**
   * Over the cap, finished partitions are not remembered. Customers here are read in id order
   * while their orders get older as the ids grow (accounts imported newest-first, say): a shared
   * "floor" position (the minimum of the others) would skip every order of the later customers.
   */
  @Test
  void partitionsAboveCapAreReReadNeverSkipped() {
    SimulatedSource src = new SimulatedSource(customers(), childOrders());
    for (long c = 1; c <= 6; c++) {
      src.upsert("customers", c, at(-3600));
      src.upsert("orders", c * 10, at((10 - c) * 60), Map.of("parent_id", c));
      src.upsert("orders", c * 10 + 1, at((10 - c) * 60 + 30), Map.of("parent_id", c));
    }
    EngineConfig cfg = config().pageSize(2).maxPartitions(3).build();
    FakeFivetran ft = fivetran(src, cfg);

    List<FakeFivetran.Call> first = ft.sync(100, 0);
    assertPartitionsAtMost(first, 3);
    assertMirrors(ft, src, "customers");
    assertMirrors(ft, src, "orders");
    assertEquals(3, StateBlocks.keys(ft.state().path("tables").path("orders").path("partitions")).size());

    // Every customer comes round again (full refresh): the forgotten ones' orders are re-read
    // from the start, and none is sent again — the orders table's digest remembers the children
    // of the partitions it forgot. A changed child of a forgotten parent is sent.
    src.upsert("orders", 60, at(500), Map.of("parent_id", 6L, "note", "changed"));
    clock.advance(Duration.ofHours(1));
    List<FakeFivetran.Call> second = ft.sync(100, 0);
    assertMirrors(ft, src, "orders");
    assertEquals(List.of(60L), insertedIds(second, "orders"));
    assertTrue(ft.state().path("tables").path("orders").path("digest").path("seen").size() > 0);
  }

  @Test
  void partitionsAboveCapWithInterleavedChildTimesLoseNothing() {
    SimulatedSource src = new SimulatedSource(customers(), childOrders());
    for (long c = 1; c <= 8; c++) {
      src.upsert("customers", c, at(-3600));
    }
    // 24 orders spread over the customers; their times do not follow the customer order.
    for (long o = 1; o <= 24; o++) {
      long parent = (o * 5) % 8 + 1;
      src.upsert("orders", o, at(((o * 7) % 24) * 60), Map.of("parent_id", parent));
    }
    EngineConfig cfg = config().pageSize(2).maxRowsPerResponse(7).maxPartitions(3).build();
    FakeFivetran ft = fivetran(src, cfg);

    List<FakeFivetran.Call> first = ft.sync(200, 0);
    assertPartitionsAtMost(first, 3);
    assertMirrors(ft, src, "customers");
    assertMirrors(ft, src, "orders");

    // A second sync with new orders, spread over every customer, loses none of them either.
    clock.advance(Duration.ofHours(1));
    for (long o = 25; o <= 32; o++) {
      src.upsert("orders", o, clock.peek().minusSeconds(1000 - o), Map.of("parent_id", o - 24));
    }
    assertPartitionsAtMost(ft.sync(200, 0), 3);
    assertMirrors(ft, src, "orders");
  }

  /** At most the cap, plus the one partition a response may cut in the middle of. */
  static void assertPartitionsAtMost(List<FakeFivetran.Call> calls, int max) {
    for (FakeFivetran.Call c : calls) {
      int parts = StateBlocks.keys(
          c.body().path("state").path("tables").path("orders").path("partitions")).size();
      int allowed = c.hasMore() ? max + 1 : max;
      assertTrue(parts <= allowed, "call " + c.number() + " keeps " + parts + " partitions");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 5. State written by an older version

  @Test
  void stateFromOlderVersionIsMigrated() {
    SimulatedSource src = new SimulatedSource(orders());
    src.upsert("orders", 1, Instant.parse("2024-05-01T09:00:00Z"));
    src.upsert("orders", 2, Instant.parse("2024-05-01T10:00:00Z"));
    src.upsert("orders", 3, Instant.parse("2024-05-01T10:00:00Z"));
    src.upsert("orders", 4, Instant.parse("2024-05-01T11:00:00Z"));
    FakeFivetran ft = fivetran(src, config().build());
    ft.setState((ObjectNode) json("{\"orders\": \"2024-05-01T10:00:00Z\"}"));

    List<FakeFivetran.Call> calls = ft.sync(10, 0);
    assertEquals(List.of(2L, 3L, 4L), insertedIds(calls, "orders"),
        "rows at the legacy cursor value are read again, earlier ones are not");
    assertEquals(2, calls.get(0).body().path("state").path("version").asInt());
    assertEquals(2, ft.state().path("version").asInt());
    assertEquals(4, ft.state().path("tables").path("orders").path("position").get(1).asLong());
    List<JsonNode> notices = logLines("WARN", "notice");
    assertEquals(1, notices.size(), log.toString());
    assertTrue(notices.get(0).path("message").asText().contains("migrated from version 0"),
        notices.get(0).toString());
    // The rows at the legacy value are sent again once, at adoption, and never after: the old
    // state cannot say which of them it delivered (a max-seen cursor may have split the tie).
    clock.advance(Duration.ofHours(1));
    assertEquals(List.of(), insertedIds(ft.sync(10, 0), "orders"));

    // An unversioned state whose key is not an incremental table cannot be read as a cursor map.
    FakeFivetran other = fivetran(src, config().build());
    ObjectNode foreign = (ObjectNode) json("{\"lastSyncedOrderCursor\": \"2024-05-01T10:00:00Z\"}");
    other.setState(foreign.deepCopy());
    FakeFivetran.Call bad = other.call();
    assertFalse(bad.accepted());
    assertEquals(FunctionHandler.Outcome.BAD_REQUEST.httpStatus(), bad.httpStatus());
    assertEquals("ProtocolError", bad.body().path("errorType").asText());
    assertTrue(bad.body().path("errorMessage").asText().contains("'lastSyncedOrderCursor'"),
        bad.body().toString());
    assertEquals(foreign, other.state(), "no state change");
  }

  // ---------------------------------------------------------------------------------------------
  // 6. Several tables

  SimulatedSource threeTables(int ordersRows, int invoicesRows, int customersRows) {
    SimulatedSource src = new SimulatedSource(orders(), invoices(), customers());
    for (long id = 1; id <= ordersRows; id++) {
      src.upsert("orders", id, at(id * 10));
    }
    for (long id = 1; id <= invoicesRows; id++) {
      src.upsert("invoices", id, at(id * 20));
    }
    for (long id = 1; id <= customersRows; id++) {
      src.upsert("customers", id, at(-3600));
    }
    return src;
  }

  @Test
  void multipleTablesEachKeepTheirOwnPosition() {
    SimulatedSource src = threeTables(3, 4, 2);
    FakeFivetran ft = fivetran(src, config().pageSize(10).maxRowsPerResponse(5).build());

    List<FakeFivetran.Call> first = ft.sync(20, 0);
    assertTrue(first.size() >= 2);
    assertTrue(first.stream().anyMatch(c -> tablesIn(c).size() >= 2),
        "a response may carry several tables");
    for (int i = 0; i < first.size() - 1; i++) {
      JsonNode state = first.get(i).body().path("state");
      assertTrue(first.get(i).hasMore(), "call " + (i + 1) + " before every table is caught up");
      assertTrue(state.path("sync").path("done").size() < 3, state.toString());
    }
    assertFalse(first.get(first.size() - 1).hasMore());
    for (String t : List.of("orders", "invoices", "customers")) {
      assertMirrors(ft, src, t);
      assertDeliveredAtMost(ft, t, 1);
    }
    JsonNode tables = ft.state().path("tables");
    assertEquals(3, tables.path("orders").path("position").get(1).asLong());
    assertEquals(at(30).toString(), tables.path("orders").path("position").get(0).asText());
    assertEquals(4, tables.path("invoices").path("position").get(1).asLong());
    assertEquals(at(80).toString(), tables.path("invoices").path("position").get(0).asText());
    assertKeepsOnlyWhatItDelivered(ft, "customers", 2);
    assertFalse(ft.state().has("sync"));

    // Next sync: one new invoice; customers are read again but unchanged (not sent), orders not
    // at all.
    clock.advance(Duration.ofHours(1));
    src.upsert("invoices", 5, clock.peek().minusSeconds(120));
    List<FakeFivetran.Call> second = ft.sync(20, 0);
    assertEquals(List.of(), insertedIds(second, "orders"));
    assertEquals(List.of(5L), insertedIds(second, "invoices"));
    assertEquals(List.of(), insertedIds(second, "customers"));
    assertKeepsOnlyWhatItDelivered(ft, "customers", 2);
  }

  @Test
  void interleavedTablesAllMakeProgressInTheFirstResponse() {
    SimulatedSource src = threeTables(20, 20, 20);
    EngineConfig cfg = config().pageSize(2).maxRowsPerResponse(6)
        .tableOrder(TableOrder.INTERLEAVED).build();
    FakeFivetran ft = fivetran(src, cfg);

    List<FakeFivetran.Call> calls = ft.sync(100, 0);
    assertEquals(Set.of("orders", "invoices", "customers"), tablesIn(calls.get(0)));
    JsonNode tables = calls.get(0).body().path("state").path("tables");
    assertEquals(Set.of("orders", "invoices", "customers"), fieldNames(tables),
        "every table has a position after the first response");
    for (int i = 0; i < calls.size() - 1; i++) {
      assertTrue(calls.get(i).hasMore());
    }
    for (String t : List.of("orders", "invoices", "customers")) {
      assertMirrors(ft, src, t);
      assertDeliveredAtMost(ft, t, 1);
    }
    assertKeepsOnlyWhatItDelivered(ft, "customers", (int) ft.rowsById("customers").size());
  }

  // ---------------------------------------------------------------------------------------------
  // 7. A source too slow for any call

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 9})
  void slowSourceNeverExceedsFivetransEmptyResponseLimit(int maxEmpty) {
    SimulatedSource src = new SimulatedSource(orders());
    for (long id = 1; id <= 5; id++) {
      src.upsert("orders", id, at(id));
    }
    SlowConnector slow = new SlowConnector(src, clock);
    EngineConfig cfg = config().maxEmptyResponses(maxEmpty).build();
    FakeFivetran ft = fivetran(slow, cfg);

    String horizon = null;
    for (int sync = 1; sync <= 3; sync++) {
      List<FakeFivetran.Call> calls = ft.sync(50, 0);
      assertEquals(maxEmpty + 1, calls.size(), "sync " + sync);
      for (int i = 0; i < calls.size(); i++) {
        FakeFivetran.Call c = calls.get(i);
        assertEquals(0, c.rows());
        assertEquals(i < maxEmpty, c.hasMore(), "sync " + sync + " call " + (i + 1));
      }
      JsonNode sync1 = ft.state().path("sync");
      assertTrue(sync1.has("horizon"), "the sync's progress is kept: " + ft.state());
      if (horizon == null) {
        horizon = sync1.path("horizon").asText();
      }
      assertEquals(horizon, sync1.path("horizon").asText(), "the paused sync keeps its horizon");
      clock.advance(Duration.ofHours(1));
    }
    assertTrue(logLines("INFO", "call").stream()
        .anyMatch(l -> l.path("stop_reason").asText().equals("empty_limit")));

    // Once the source answers in time, the paused sync finishes from where it stood.
    slow.slow(false);
    ft.sync(10, 0);
    assertMirrors(ft, src, "orders");
    assertFalse(ft.state().has("sync"));
  }

  // ---------------------------------------------------------------------------------------------
  // 8. State over its cap

  /**
   * Many child partitions push the state towards its cap: the engine forgets finished parents'
   * positions and ends responses earlier, so the sync finishes under the cap instead of failing
   * every call until an operator changes a setting.
   */
  @Test
  void stateNearItsCapForgetsFinishedChildPositionsAndTheSyncFinishes() {
    SimulatedSource src = new SimulatedSource(customers(), childOrders());
    for (long c = 1; c <= 100; c++) {
      src.upsert("customers", c, at(-3600));
      src.upsert("orders", c, at(c), Map.of("parent_id", c));
    }
    EngineConfig cfg = config().maxStateBytes(1024).maxPartitions(100_000).build();
    FakeFivetran ft = fivetran(src, cfg);

    List<FakeFivetran.Call> calls = ft.sync(200, 0);
    for (FakeFivetran.Call c : calls) {
      int stateBytes = c.body().path("state").toString().getBytes(StandardCharsets.UTF_8).length;
      assertTrue(stateBytes <= 1024, "call " + c.number() + ": state of " + stateBytes + " bytes");
    }
    assertEquals(100, ft.rowsById("customers").size());
    assertEquals(100, ft.rowsById("orders").size());
    assertTrue(logLines("WARN", "notice").stream().anyMatch(n -> n.path("message").asText()
        .contains("forgets the positions of finished parents")), log.toString());

    // The next sync re-reads the forgotten parents' children (re-reads, never lost rows).
    src.upsert("orders", 101, at(200), Map.of("parent_id", 7L));
    clock.advance(Duration.ofHours(1));
    ft.sync(200, 0);
    assertEquals(101, ft.rowsById("orders").size());
  }

  /** One parent's own position cannot fit: a clear error naming the table, and no state change. */
  @Test
  void stateThatCannotFitEvenWithoutFinishedPartitionsIsAnErrorNamingTheTable() {
    SimulatedSource src = new SimulatedSource(customers(), childOrders());
    src.upsert("customers", 1, at(-3600));
    src.upsert("orders", 1, at(1), Map.of("parent_id", 1L));
    EngineConfig cfg = config().maxStateBytes(1024).build();
    FakeFivetran ft = fivetran(src, cfg);
    ObjectNode state = (ObjectNode) json("{\"version\": 1, \"tables\": {\"orders\": {"
        + "\"cursor\": \"updated_at\", \"cursor_type\": \"timestamp\", \"tiebreaker\": \"id\","
        + " \"tiebreaker_type\": \"number\", \"position\": null}, \"old_table\": {\"note\": \""
        + "x".repeat(1200) + "\"}}}");
    ft.setState(state);

    FakeFivetran.Call failed = ft.call();
    assertFalse(failed.accepted());
    assertEquals(FunctionHandler.Outcome.CONNECTOR_FAILURE.httpStatus(), failed.httpStatus());
    String message = failed.body().path("errorMessage").asText();
    assertTrue(message.contains("maxStateBytes (1024)"), message);
    assertTrue(message.contains("state.tables.old_table, a table this connector no longer declares"),
        message);
    assertEquals(state, ft.state(), "no state change");
  }

  // ---------------------------------------------------------------------------------------------
  // 9. The cursor column changed

  @Test
  void changedCursorColumnResetsTheTableWithANotice() {
    SimulatedSource src = new SimulatedSource(orders());
    for (long id = 1; id <= 5; id++) {
      src.upsert("orders", id, at(id * 600));
    }
    FakeFivetran ft = fivetran(src, config().build());
    ft.setState((ObjectNode) json("{\"version\": 1, \"tables\": {\"orders\": {"
        + "\"cursor\": \"created_at\", \"cursor_type\": \"timestamp\", \"tiebreaker\": \"id\","
        + " \"tiebreaker_type\": \"number\", \"position\": [\"2024-05-01T10:30:00Z\", 3]}}}"));

    List<FakeFivetran.Call> calls = ft.sync(10, 0);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), insertedIds(calls, "orders"),
        "the table starts over: rows before the old position come too");
    JsonNode entry = ft.state().path("tables").path("orders");
    assertEquals("updated_at", entry.path("cursor").asText());
    assertEquals(5, entry.path("position").get(1).asLong());
    List<JsonNode> notices = logLines("WARN", "notice");
    assertEquals(1, notices.size(), log.toString());
    String message = notices.get(0).path("message").asText();
    assertTrue(message.contains("orders") && message.contains("created_at")
        && message.contains("updated_at"), message);
  }

  // ---------------------------------------------------------------------------------------------

  static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    Iterator<String> it = node.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }

  static List<Long> sorted(List<Long> ids) {
    List<Long> copy = new ArrayList<>(ids);
    copy.sort(null);
    return copy;
  }
}
