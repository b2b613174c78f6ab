package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.testing.Fixtures;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warehouse applies responses with Fivetran's documented semantics: upsert by primary key,
 * hard and soft deletes, append-only tables keyed by batch and index, columns created and widened
 * as values appear, types inferred from JSON values, {@code _fivetran_synced} on every write.
 * Responses come from {@code src/test/resources/fixtures/warehouse/}; the database is inspected
 * with plain SQL after the warehouse is closed.
 */
class WarehouseSemanticsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------------
  // Primary keys and deletes

  @Test
  void insertWithAKnownPrimaryKeyReplacesTheRow() throws Exception {
    applyAll("warehouse/upsert.json");

    assertEquals(List.of(List.of(1L, 11L, "null"), List.of(2L, 20L, "bob")),
        select("SELECT id, amount, coalesce(customer, 'null') FROM orders ORDER BY id"));
  }

  @Test
  void aLaterResponseWithoutSchemaStillUpsertsByTheKeyFirstDeclared() throws Exception {
    try (Warehouse w = new Warehouse(db())) {
      w.apply(JSON.readTree("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1,\"amount\":10}]},"
          + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}"), "b1");
    }
    try (Warehouse w = new Warehouse(db())) { // the key survives a reopen
      w.apply(JSON.readTree("{\"state\":{},\"insert\":{\"orders\":[{\"id\":1,\"amount\":12}]},"
          + "\"hasMore\":false}"), "b2");
    }
    assertEquals(List.of(List.of(1L, 12L)), select("SELECT id, amount FROM orders"));
  }

  @Test
  void compositePrimaryKeyOfTheDocumentedExampleUpsertsAndDeletesByBothColumns() throws Exception {
    JsonNode doc = Fixtures.json("response-doc-example.json");
    try (Warehouse w = new Warehouse(db())) {
      w.apply(doc, "b1");
      w.apply(doc, "b2"); // the same response again: still one row
      w.apply(JSON.readTree("{\"state\":{},\"delete\":{\"transactions\":[{\"order_id\":1001,"
          + "\"date\":\"2017-12-31T05:12:06Z\"}]},\"softDelete\":[\"transactions\"],"
          + "\"schema\":{\"transactions\":{\"primary_key\":[\"order_id\",\"date\"]}},"
          + "\"hasMore\":false}"), "b3"); // same order_id, another date: not this row
    }

    assertEquals(List.of(List.of(1001L, "$1200", false)),
        select("SELECT order_id, amount, _fivetran_deleted FROM transactions"));
  }

  @Test
  void hardDeleteRemovesTheRowAndIgnoresKeysItNeverSaw() throws Exception {
    Warehouse.Applied last = applyAll("warehouse/hard-delete.json");

    assertEquals(List.of(List.of(1L), List.of(3L)), select("SELECT id FROM orders ORDER BY id"));
    assertEquals(2, last.perTable().get("orders")[1], "deletes counted as delivered");
  }

  @Test
  void deleteForATableListedInSoftDeleteMarksTheRowDeleted() throws Exception {
    applyAll("warehouse/soft-delete.json");

    assertEquals(List.of(List.of(1L, 10L, false), List.of(2L, 20L, true)),
        select("SELECT id, amount, _fivetran_deleted FROM orders ORDER BY id"));
  }

  @Test
  void softDeleteAsABooleanMarksEveryDeletedRow() throws Exception {
    applyAll("warehouse/soft-delete-boolean.json");

    assertEquals(List.of(List.of(1L, false), List.of(2L, true)),
        select("SELECT id, _fivetran_deleted FROM orders ORDER BY id"));
  }

  @Test
  void softDeleteUpdatesSyncedOfTheDeletedRowOnly() throws Exception {
    applyAll("warehouse/soft-delete.json");

    List<List<Object>> synced = select("SELECT id, epoch_ms(_fivetran_synced) FROM orders ORDER BY id");
    assertTrue((Long) synced.get(1).get(1) >= (Long) synced.get(0).get(1), synced.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // Append-only tables

  @Test
  void tableWithoutPrimaryKeyAppendsWithBatchAndIndex() throws Exception {
    JsonNode response = Fixtures.json("warehouse/append.json");
    try (Warehouse w = new Warehouse(db())) {
      w.apply(response, "batch-a");
      w.apply(response, "batch-b");
    }

    assertEquals(List.of(
            List.of("batch-a", 0L, "click"), List.of("batch-a", 1L, "click"),
            List.of("batch-b", 0L, "click"), List.of("batch-b", 1L, "click")),
        select("SELECT _fivetran_batch, _fivetran_index, kind FROM events"
            + " ORDER BY _fivetran_batch, _fivetran_index"));
  }

  @Test
  void replayedBatchReplacesItselfInsteadOfDuplicating() throws Exception {
    JsonNode response = Fixtures.json("warehouse/append.json");
    JsonNode requestState = JSON.readTree("{\"page\":0}");
    try (Warehouse w = new Warehouse(db())) {
      w.apply(response, Driver.batchId(requestState));
    }
    // A crash before state.json was written: the same call is made again with the same state.
    try (Warehouse w = new Warehouse(db())) {
      w.apply(response, Driver.batchId(JSON.readTree("{\"page\":0}")));
    }

    assertEquals(List.of(List.of(2L)), select("SELECT count(*) FROM events"));
  }

  @Test
  void batchIdIsTheSameForTheSameStateAndDiffersForAnother() throws Exception {
    assertEquals(Driver.batchId(JSON.readTree("{\"cursor\":\"2024-05-01T00:00:00Z\"}")),
        Driver.batchId(JSON.readTree("{\"cursor\":\"2024-05-01T00:00:00Z\"}")));
    assertFalse(Driver.batchId(JSON.readTree("{}")).equals(
        Driver.batchId(JSON.readTree("{\"cursor\":1}"))));
  }

  // ---------------------------------------------------------------------------------------------
  // Columns and types

  @Test
  void columnsAreCreatedAsTheyAppearAndEarlierRowsHoldNull() throws Exception {
    applyAll("warehouse/new-columns.json");

    Map<String, String> types = types("orders");
    assertEquals("VARCHAR", types.get("note"), "created when its first non-null value came");
    assertEquals("DATE", types.get("shipped_on"));
    assertEquals(List.of(Arrays.asList(1L, null, null), Arrays.asList(2L, "rush", "2024-05-02")),
        select("SELECT id, note, CAST(shipped_on AS VARCHAR) FROM orders ORDER BY id"));
  }

  @Test
  void numericColumnIsWidenedToDoubleThenToVarcharKeepingItsValues() throws Exception {
    List<JsonNode> responses = responses("warehouse/widening.json");
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < responses.size(); i++) {
      // A fresh warehouse each time: it must read the column types back from the database.
      try (Warehouse w = new Warehouse(db())) {
        w.apply(responses.get(i), "b" + i);
      }
      seen.add(types("readings").get("value"));
    }

    assertEquals(List.of("BIGINT", "DOUBLE", "VARCHAR"), seen);
    assertEquals(List.of(List.of("1.0"), List.of("2.5"), List.of("n/a")),
        select("SELECT value FROM readings ORDER BY id"));
  }

  @Test
  void typesAreInferredFromJsonValues() throws Exception {
    applyAll("warehouse/types.json");

    Map<String, String> types = types("samples");
    assertEquals("BIGINT", types.get("id"));
    assertEquals("TIMESTAMP WITH TIME ZONE", types.get("at_offset"));
    assertEquals("TIMESTAMP WITH TIME ZONE", types.get("at_utc"));
    assertEquals("DATE", types.get("day"));
    assertEquals("JSON", types.get("payload"));
    assertEquals("JSON", types.get("tags"));
    assertEquals("BOOLEAN", types.get("flag"));
    assertEquals("BIGINT", types.get("count"));
    assertEquals("DOUBLE", types.get("ratio"));
    assertEquals("HUGEINT", types.get("big"));
    assertEquals("VARCHAR", types.get("name"));
    assertEquals("VARCHAR", types.get("local_time"), "no offset: not an instant");
    assertFalse(types.containsKey("nothing"), "nulls never decide a type");
    assertEquals("BOOLEAN", types.get("_fivetran_deleted"));
    assertEquals("TIMESTAMP WITH TIME ZONE", types.get("_fivetran_synced"));
  }

  @Test
  void valuesTheDatabaseCannotCastStayText() throws Exception {
    applyAll("warehouse/types.json");

    Map<String, String> types = types("samples");
    assertEquals("VARCHAR", types.get("not_a_date"));
    assertEquals("VARCHAR", types.get("not_an_instant"));
    assertEquals("VARCHAR", types.get("beyond_hugeint"), "wider than 128 bits");
    assertEquals(List.of(List.of("2024-13-45", "2024-05-01T25:61:00Z")),
        select("SELECT not_a_date, not_an_instant FROM samples"));
  }

  @Test
  void inferredValuesReadBackAsTheyWereSent() throws Exception {
    applyAll("warehouse/types.json");

    assertEquals(List.of(List.of(
            "2024-05-01T08:00:00Z", "2024-05-01T08:00:00.123456Z", "2024-05-01",
            1L, "x", true, "123456789012345678901234", "naïve \"quoted\" ✓")),
        select("SELECT strftime(at_offset AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'),"
            + " strftime(at_utc AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ'),"
            + " CAST(day AS VARCHAR), CAST(payload->>'a' AS BIGINT), tags->>0, flag,"
            + " CAST(big AS VARCHAR), name FROM samples"));
  }

  @Test
  void everyWriteSetsSyncedToTheTimeOfTheWrite() throws Exception {
    long before = System.currentTimeMillis();
    applyAll("warehouse/upsert.json");
    long after = System.currentTimeMillis();

    for (List<Object> row : select("SELECT epoch_ms(_fivetran_synced) FROM orders")) {
      long synced = (Long) row.get(0);
      assertTrue(synced >= before - 1_000 && synced <= after + 1_000,
          synced + " not within [" + before + ", " + after + "]");
    }
    assertEquals(List.of(List.of(0L)), select("SELECT count(*) FROM orders"
        + " WHERE _fivetran_synced IS NULL OR _fivetran_deleted IS NULL"));
  }

  @Test
  void responseThatFailsHalfwayLeavesNoTraceAndTheWarehouseStaysUsable() throws Exception {
    try (Warehouse w = new Warehouse(db())) {
      w.apply(responses("warehouse/upsert.json").get(0), "b0");
      // orders gets a row and a new column, then the second table fails: DuckDB cannot store a
      // column named "" (a zero-length identifier).
      JsonNode failing = JSON.readTree("{\"state\":{},\"insert\":{"
          + "\"orders\":[{\"id\":3,\"amount\":30,\"note\":\"new column\"}],"
          + "\"broken\":[{\"id\":1,\"\":\"no name\"}]},"
          + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]},"
          + "\"broken\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}");
      assertThrows(SQLException.class, () -> w.apply(failing, "b1"));
      // The same warehouse takes the next response, new column and all.
      w.apply(JSON.readTree("{\"state\":{},\"insert\":{\"orders\":[{\"id\":4,"
          + "\"note\":\"after\"}]},\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},"
          + "\"hasMore\":false}"), "b2");
    }

    assertEquals(List.of(List.of(1L), List.of(2L), List.of(4L)),
        select("SELECT id FROM orders ORDER BY id"));
    assertEquals(List.of(List.of(0L)),
        select("SELECT count(*) FROM information_schema.tables WHERE table_name = 'broken'"));
  }

  // ---------------------------------------------------------------------------------------------

  Path db() {
    return dir.resolve("warehouse.db");
  }

  static List<JsonNode> responses(String fixture) {
    JsonNode n = Fixtures.json(fixture);
    List<JsonNode> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(out::add);
    } else {
      out.add(n);
    }
    return out;
  }

  /** Applies the fixture's responses in order, each as its own batch; returns the last's counts. */
  Warehouse.Applied applyAll(String fixture) throws SQLException {
    Warehouse.Applied last = null;
    try (Warehouse w = new Warehouse(db())) {
      int i = 0;
      for (JsonNode r : responses(fixture)) {
        last = w.apply(r, "batch-" + i++);
      }
    }
    return last;
  }

  List<List<Object>> select(String sql) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db().toAbsolutePath());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          row.add(v instanceof Integer ? Long.valueOf((Integer) v) : v);
        }
        out.add(row);
      }
    }
    return out;
  }

  Map<String, String> types(String table) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    for (List<Object> row : select("SELECT column_name, data_type FROM information_schema.columns"
        + " WHERE table_name = '" + table + "' ORDER BY ordinal_position")) {
      out.put((String) row.get(0), (String) row.get(1));
    }
    return out;
  }
}
