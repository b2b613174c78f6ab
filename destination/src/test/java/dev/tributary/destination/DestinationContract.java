package dev.tributary.destination;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every destination does, run against each implementation on a real database: Fivetran's
 * semantics (upsert by key, hard and soft deletes, append-only tables, columns created and
 * widened, types from values, {@code _fivetran_synced}), the state committed with the rows and
 * nothing of a failed response, a replayed call refused, the lease, reset and the state API.
 */
abstract class DestinationContract {
  static final String CONNECTION = "orders-prod";

  private final List<Destination> opened = new ArrayList<>();

  /** A fresh, empty destination of its own. */
  abstract Destination create();

  /** Another instance (another database session) on the destination {@link #create} made. */
  abstract Destination again();

  /** The SQL that makes {@code table.column} an integer column, as a person might. */
  abstract String alterToIntegerSql(String table, String column);

  /** The SQL that creates a table Tributary does not know. */
  abstract String createForeignTableSql(String table);

  Destination destination;

  Destination destination() {
    if (destination == null) {
      destination = track(create());
    }
    return destination;
  }

  Destination track(Destination d) {
    opened.add(d);
    return d;
  }

  @AfterEach
  void closeAll() {
    for (Destination d : opened) {
      d.close();
    }
  }

  /** Applies responses in order under one lease, each from the state the last one left. */
  List<Applied> applyAll(Destination d, List<JsonNode> responses) {
    List<Applied> out = new ArrayList<>();
    try (Lease lease = d.lease(CONNECTION)) {
      for (JsonNode r : responses) {
        out.add(lease.apply(lease.state(), r));
      }
    }
    return out;
  }

  List<Applied> applyAll(List<JsonNode> responses) {
    return applyAll(destination(), responses);
  }

  Applied apply(String response) {
    return applyAll(List.of(Json.parse(response))).get(0);
  }

  /** Chosen columns of every row, in key order. */
  List<List<Object>> select(String table, String... columns) {
    List<List<Object>> out = new ArrayList<>();
    for (Map<String, Object> row : destination().rows(table)) {
      List<Object> values = new ArrayList<>();
      for (String c : columns) {
        values.add(normal(row.get(c)));
      }
      out.add(values);
    }
    return out;
  }

  /** Numbers as {@code BigDecimal} without trailing zeros, so both databases compare alike. */
  static Object normal(Object v) {
    if (v instanceof Number && !(v instanceof Long)) {
      BigDecimal d = new BigDecimal(v.toString()).stripTrailingZeros();
      return d.scale() <= 0 && d.precision() - d.scale() < 19 ? (Object) d.longValueExact() : d;
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------
  // Keys and deletes

  @Test
  void insertWithAPrimaryKeyReplacesTheRowWithThatKey() {
    applyAll(Json.responses("upsert.json"));

    assertEquals(List.of(Arrays.asList(1L, 11L, null), List.of(2L, 20L, "bob")),
        select("orders", "id", "amount", "customer"));
  }

  @Test
  void theSameKeyTwiceInOneResponseKeepsTheLaterRow() {
    apply("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1,\"amount\":1},{\"id\":1,\"amount\":2}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}");

    assertEquals(List.of(List.of(1L, 2L)), select("orders", "id", "amount"));
  }

  @Test
  void aLaterResponseWithoutSchemaUpsertsByTheKeyFirstDeclaredEvenAfterAReopen() {
    apply("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1,\"amount\":10}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}");
    destination().close();
    destination = track(again());
    apply("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1,\"amount\":12}]},\"hasMore\":false}");

    assertEquals(List.of(List.of(1L, 12L)), select("orders", "id", "amount"));
  }

  @Test
  void compositeKeyUpsertsAndDeletesByBothColumns() {
    String schema = "\"schema\":{\"lines\":{\"primary_key\":[\"order_id\",\"line\"]}}";
    apply("{\"state\":{},\"insert\":{\"lines\":[{\"order_id\":1,\"line\":1,\"qty\":5},"
        + "{\"order_id\":1,\"line\":2,\"qty\":6},{\"order_id\":2,\"line\":1,\"qty\":7}]}," + schema
        + ",\"hasMore\":false}");
    applyAll(List.of(Json.parse("{\"state\":{\"n\":1},\"insert\":{\"lines\":[{\"order_id\":1,"
        + "\"line\":2,\"qty\":60}]},\"delete\":{\"lines\":[{\"order_id\":2,\"line\":1}]}," + schema
        + ",\"hasMore\":false}")));

    assertEquals(List.of(List.of(1L, 1L, 5L), List.of(1L, 2L, 60L)),
        select("lines", "order_id", "line", "qty"));
  }

  @Test
  void hardDeleteRemovesTheRowSoftDeleteMarksItAndUnknownKeysCountAsDelivered() {
    List<Applied> applied = applyAll(Json.responses("deletes.json"));

    assertEquals(List.of(List.of(1L, false), List.of(3L, false)),
        select("orders", "id", "_fivetran_deleted"));
    assertEquals(List.of(List.of(1L, "a", false), List.of(2L, "b", true)),
        select("items", "id", "name", "_fivetran_deleted"));
    assertEquals(new Applied.Counts(0, 2), applied.get(1).tables().get("orders"));
  }

  @Test
  void softDeleteAsABooleanMarksEveryDeletedRow() {
    applyAll(List.of(Json.parse("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1},{\"id\":2}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":true}"),
        Json.parse("{\"state\":{\"n\":1},\"delete\":{\"orders\":[{\"id\":2}]},\"softDelete\":true,"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}")));

    assertEquals(List.of(List.of(1L, false), List.of(2L, true)),
        select("orders", "id", "_fivetran_deleted"));
  }

  @Test
  void aSoftDeletedRowInsertedAgainIsLiveAgainAndSyncedMoves() throws Exception {
    String schema = "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}}";
    applyAll(List.of(
        Json.parse("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1,\"v\":1}]}," + schema + "}"),
        Json.parse("{\"state\":{\"n\":1},\"delete\":{\"orders\":[{\"id\":1}]},\"softDelete\":[\"orders\"],"
            + schema + "}")));
    Instant deletedAt = (Instant) destination().rows("orders").get(0).get("_fivetran_synced");
    Thread.sleep(5);
    applyAll(List.of(Json.parse("{\"state\":{\"n\":2},\"insert\":{\"orders\":[{\"id\":1,\"v\":2}]},"
        + schema + "}")));

    Map<String, Object> row = destination().rows("orders").get(0);
    assertEquals(List.of(2L, false), List.of(normal(row.get("v")), row.get("_fivetran_deleted")));
    assertTrue(((Instant) row.get("_fivetran_synced")).isAfter(deletedAt), row.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // Append-only tables

  @Test
  void aTableWithoutKeyAppendsEveryResponseWithBatchAndIndex() {
    JsonNode first = Json.responses("append.json").get(0);
    JsonNode second = Json.parse(first.toString().replace("{\"page\":1}", "{\"page\":2}"));
    applyAll(List.of(first));
    applyAll(List.of(second));

    assertEquals(List.of(List.of(1L, 0L, "view"), List.of(1L, 1L, "click"),
            List.of(2L, 0L, "view"), List.of(2L, 1L, "click")),
        select("events", "_fivetran_batch", "_fivetran_index", "kind"));
  }

  // ---------------------------------------------------------------------------------------------
  // Columns and types

  @Test
  void columnsAreCreatedAsTheyAppearAndEarlierRowsHoldNull() {
    applyAll(List.of(
        Json.parse("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1,\"note\":null}]},"
            + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}}}"),
        Json.parse("{\"state\":{\"n\":1},\"insert\":{\"orders\":[{\"id\":2,\"note\":\"rush\","
            + "\"shipped_on\":\"2024-05-02\"}]},\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}}}")));

    assertEquals(List.of(Arrays.asList(1L, null, null),
            Arrays.asList(2L, "rush", LocalDate.parse("2024-05-02"))),
        select("orders", "id", "note", "shipped_on"));
  }

  @Test
  void aColumnIsWidenedFromIntegerToDecimalToTextKeepingItsValuesAcrossReopens() {
    List<JsonNode> responses = Json.responses("widening.json");
    for (JsonNode r : responses) {
      try (Destination d = again()) { // a fresh instance each time reads the types back
        applyAll(d, List.of(r));
      }
    }

    List<List<Object>> values = select("readings", "id", "value");
    assertEquals(List.of(1L, 2L, 3L), values.stream().map(v -> v.get(0)).collect(java.util.stream.Collectors.toList()));
    assertEquals(List.of("1", "2.5", "n/a"), values.stream()
        .map(v -> v.get(1).toString().replaceAll("\\.0$", "")).collect(java.util.stream.Collectors.toList()));
  }

  @Test
  void typesAreInferredFromJsonValuesAndReadBackAsTheyWereSent() {
    applyAll(Json.responses("types.json"));

    Map<String, Object> row = destination().rows("samples").get(0);
    assertEquals(1L, row.get("id"));
    assertEquals(Instant.parse("2024-05-01T08:00:00.123456Z"), row.get("at_utc"));
    assertEquals(Instant.parse("2024-05-01T08:00:00Z"), row.get("at_offset"));
    assertEquals("2024-05-01T08:00:00.123456789Z", row.get("at_nanos"),
        "finer than microseconds: kept as text, never rounded");
    assertEquals(LocalDate.parse("2024-05-01"), row.get("day"));
    assertEquals("2024-13-45", row.get("not_a_date"));
    assertEquals("2024-05-01T25:61:00Z", row.get("not_an_instant"));
    assertEquals("2024-05-01T10:00:00", row.get("local_time"), "no offset: not an instant");
    assertEquals(true, row.get("flag"));
    assertEquals(7L, row.get("count"));
    assertEquals(new BigDecimal("0.25"), normal(row.get("ratio")));
    assertEquals(Json.parse("{\"a\":1,\"b\":[true,null]}"), row.get("payload"));
    assertEquals(Json.parse("[\"x\",\"y\"]"), row.get("tags"));
    assertEquals("naïve \"quoted\", line\nbreak ✓ \\ back", row.get("name"));
    assertEquals("", row.get("empty"), "an empty string is not NULL");
    assertFalse(row.containsKey("nothing"), "nulls never decide a type");
    assertEquals(false, row.get("_fivetran_deleted"));
    assertTrue(row.get("_fivetran_synced") instanceof Instant);
  }

  @Test
  void aDeclaredBytesColumnStoresTheDecodedBytes() {
    Destination d = track(Destination.open(urlOf(destination()), DestinationOptions.builder()
        .columnType("files", "content", ColumnType.BYTES).build()));
    applyAll(d, List.of(Json.parse("{\"state\":{},\"insert\":{\"files\":[{\"id\":1,"
        + "\"content\":\"AAEC/w==\"}]},\"schema\":{\"files\":{\"primary_key\":[\"id\"]}}}")));

    assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, (byte[]) d.rows("files").get(0).get("content"));
  }

  @Test
  void aValueThatDoesNotFitADeclaredColumnFailsTheResponseNamingTheColumn() {
    Destination d = track(Destination.open(urlOf(destination()), DestinationOptions.builder()
        .columnType("files", "content", ColumnType.BYTES).build()));
    DestinationException e = assertThrows(DestinationException.class, () -> applyAll(d,
        List.of(Json.parse("{\"state\":{},\"insert\":{\"files\":[{\"id\":1,\"content\":\"not base64!\"}]},"
            + "\"schema\":{\"files\":{\"primary_key\":[\"id\"]}}}"))));

    assertTrue(e.getMessage().contains("table files, column content holds BYTES"), e.getMessage());
    assertEquals(Set.of(), d.tables(CONNECTION));
    assertEquals(Json.object("{}"), d.state(CONNECTION));
  }

  /** The URL the destination was opened with, for opening it again with other options. */
  abstract String urlOf(Destination d);

  @Test
  void everyWriteSetsSyncedToTheTimeOfItsTransaction() {
    Instant before = Instant.now().minusSeconds(1);
    applyAll(Json.responses("upsert.json"));
    Instant after = Instant.now().plusSeconds(1);

    for (Map<String, Object> row : destination().rows("orders")) {
      Instant synced = (Instant) row.get("_fivetran_synced");
      assertTrue(synced.isAfter(before) && synced.isBefore(after), synced + " not now");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State with the rows, exactly once

  @Test
  void theStateIsCommittedWithTheRows() {
    applyAll(Json.responses("upsert.json"));

    assertEquals(Json.object("{\"page\":2}"), destination().state(CONNECTION));
    assertEquals(Json.object("{}"), destination().state("another-connection"));
    try (Destination other = again()) {
      assertEquals(Json.object("{\"page\":2}"), other.state(CONNECTION), "committed, not cached");
    }
  }

  @Test
  void aResponseThatFailsHalfwayLeavesNeitherRowsNorStateAndTheDestinationStaysUsable() {
    apply("{\"state\":{\"n\":1},\"insert\":{\"orders\":[{\"id\":1,\"amount\":10}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}}}");
    // orders gets a row and a new column, then the second table fails: no database stores a
    // column with an empty name.
    JsonNode failing = Json.parse("{\"state\":{\"n\":2},\"insert\":{"
        + "\"orders\":[{\"id\":2,\"amount\":20,\"note\":\"new column\"}],"
        + "\"broken\":[{\"id\":1,\"\":\"no name\"}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]},\"broken\":{\"primary_key\":[\"id\"]}}}");
    try (Lease lease = destination().lease(CONNECTION)) {
      DestinationException e = assertThrows(DestinationException.class,
          () -> lease.apply(lease.state(), failing));
      assertTrue(e.getMessage().contains("empty name"), e.getMessage());
      assertEquals(Json.object("{\"n\":1}"), lease.state());
      // The same lease takes the next response, new column and all.
      lease.apply(lease.state(), Json.parse("{\"state\":{\"n\":3},\"insert\":{\"orders\":[{\"id\":4,"
          + "\"note\":\"after\"}]},\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}}}"));
    }

    assertEquals(List.of(Arrays.asList(1L, null), List.of(4L, "after")), select("orders", "id", "note"));
    assertEquals(Set.of("orders"), destination().tables(CONNECTION));
    assertEquals(Json.object("{\"n\":3}"), destination().state(CONNECTION));
  }

  @Test
  void aDatabaseErrorMidResponseRollsBackEverythingAndSaysWhichTable() {
    apply("{\"state\":{\"n\":1},\"insert\":{\"orders\":[{\"id\":1,\"qty\":1}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}}}");
    destination().query(alterToIntegerSql("orders", "qty")); // someone changed the column
    JsonNode failing = Json.parse("{\"state\":{\"n\":2},\"insert\":{"
        + "\"audit\":[{\"id\":1,\"what\":\"first table, fine\"}],"
        + "\"orders\":[{\"id\":2,\"qty\":\"many\"}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]},\"audit\":{\"primary_key\":[\"id\"]}}}");

    try (Lease lease = destination().lease(CONNECTION)) {
      DestinationException e = assertThrows(DestinationException.class,
          () -> lease.apply(lease.state(), failing));
      assertTrue(e.getMessage().contains("inserting into table orders failed"), e.getMessage());
      assertTrue(e.getMessage().contains("nothing applied"), e.getMessage());
    }
    assertEquals(Set.of("orders"), destination().tables(CONNECTION));
    assertEquals(List.of(List.of(1L, 1L)), select("orders", "id", "qty"));
    assertEquals(Json.object("{\"n\":1}"), destination().state(CONNECTION));
  }

  @Test
  void aReplayOfAnAppliedCallIsRefusedAndAppendsNothing() {
    JsonNode response = Json.responses("append.json").get(0);
    try (Lease lease = destination().lease(CONNECTION)) {
      JsonNode requestState = lease.state();
      lease.apply(requestState, response);
      assertThrows(StaleStateException.class, () -> lease.apply(requestState, response));
    }

    assertEquals(2, destination().rows("events").size());
    assertEquals(Json.object("{\"page\":1}"), destination().state(CONNECTION));
  }

  @Test
  void aStateThatParsedNumbersAsDoublesStillMatchesTheStoredOne() throws Exception {
    apply("{\"state\":{\"cursor\":1.50,\"n\":1},\"insert\":{\"t\":[{\"id\":1}]},"
        + "\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}");
    JsonNode asDoubles = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree("{\"cursor\":1.5,\"n\":1}");
    try (Lease lease = destination().lease(CONNECTION)) {
      lease.apply(asDoubles, Json.parse("{\"state\":{\"n\":2},\"insert\":{\"t\":[{\"id\":2}]}}"));
    }
    assertEquals(2, destination().rows("t").size());
  }

  // ---------------------------------------------------------------------------------------------
  // Lease, reset, state API

  @Test
  void oneRunAtATimeHoldsAConnectionsLeaseAndTheNextTakesItWhenItIsGivenBack() {
    Destination other = track(again());
    Lease first = destination().lease(CONNECTION);
    LeaseHeldException held = assertThrows(LeaseHeldException.class, () -> other.lease(CONNECTION));
    assertTrue(held.getMessage().startsWith("another run holds connection " + CONNECTION),
        held.getMessage());
    assertThrows(LeaseHeldException.class, () -> destination().lease(CONNECTION), "not reentrant");
    try (Lease unrelated = other.lease("another-connection")) {
      assertEquals("another-connection", unrelated.connection());
    }
    first.close();
    try (Lease second = other.lease(CONNECTION)) {
      assertEquals(CONNECTION, second.connection());
    }
  }

  @Test
  void aLeaseGivenBackWritesNothingMore() {
    Lease lease = destination().lease(CONNECTION);
    lease.close();
    assertThrows(IllegalStateException.class,
        () -> lease.apply(Json.object("{}"), Json.responses("append.json").get(0)));
  }

  @Test
  void resetDropsTheConnectionsTablesAndStateAndNothingOfAnother() {
    applyAll(Json.responses("deletes.json"));
    try (Lease other = destination().lease("other")) {
      other.apply(other.state(), Json.parse("{\"state\":{\"x\":1},\"insert\":{\"theirs\":[{\"id\":1}]},"
          + "\"schema\":{\"theirs\":{\"primary_key\":[\"id\"]}}}"));
    }
    try (Lease lease = destination().lease(CONNECTION)) {
      lease.reset();
    }

    assertEquals(Set.of(), destination().tables(CONNECTION));
    assertEquals(Json.object("{}"), destination().state(CONNECTION));
    assertEquals(List.of(), destination().rows("orders"));
    assertEquals(Set.of("theirs"), destination().tables("other"));
    assertEquals(Json.object("{\"x\":1}"), destination().state("other"));
    applyAll(Json.responses("deletes.json")); // a historical sync again, from {}
    assertEquals(2, destination().rows("orders").size());
  }

  @Test
  void replacingTheStateKeepsTheRows() {
    applyAll(Json.responses("upsert.json"));
    try (Lease lease = destination().lease(CONNECTION)) {
      lease.replaceState(Json.object("{\"page\":1}"));
    }

    assertEquals(Json.object("{\"page\":1}"), destination().state(CONNECTION));
    assertEquals(2, destination().rows("orders").size());
  }

  @Test
  void aTableOfAnotherConnectionIsRefusedAndNothingIsApplied() {
    applyAll(Json.responses("upsert.json"));
    try (Lease other = destination().lease("other")) {
      DestinationException e = assertThrows(DestinationException.class,
          () -> other.apply(other.state(), Json.responses("upsert.json").get(0)));
      assertTrue(e.getMessage().contains("table orders belongs to connection " + CONNECTION), e.getMessage());
    }
    assertEquals(Json.object("{}"), destination().state("other"));
  }

  @Test
  void aTableTributaryDidNotCreateIsNeverWritten() {
    destination().query(createForeignTableSql("orders"));
    DestinationException e = assertThrows(DestinationException.class,
        () -> applyAll(Json.responses("upsert.json")));

    assertTrue(e.getMessage().contains("table orders exists in the destination but was not created"
        + " by Tributary"), e.getMessage());
    assertEquals(Json.object("{}"), destination().state(CONNECTION));
  }

  @Test
  void queryReturnsColumnsAndRowsAsText() {
    applyAll(Json.responses("upsert.json"));
    QueryResult r = destination().query("SELECT id, amount FROM " + qualifiedForQuery("orders")
        + " ORDER BY id");

    assertEquals(List.of("id", "amount"), r.columns());
    assertEquals(List.of(List.of("1", "11"), List.of("2", "20")), r.rows());
  }

  /** The table's name in SQL the user types. */
  abstract String qualifiedForQuery(String table);

  @Test
  void aBadConnectionNameIsRefusedWithWhatToGive() {
    DestinationException e = assertThrows(DestinationException.class, () -> destination().lease(" "));
    assertTrue(e.getMessage().contains("printable characters"), e.getMessage());
  }
}
