package dev.tributary.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.testing.FakeFivetran;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keyset under the engine with settings a runner cannot set per test: small pages and short
 * settle lags, driven by {@link FakeFivetran} against the machine's PostgreSQL.
 */
class KeysetSyncTest {
  private TestDatabase db;
  private final List<String> log = new ArrayList<>();

  @BeforeEach
  void createSchema() throws Exception {
    db = new TestDatabase();
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }

  private String events(String name) {
    return "[{\"name\": \"" + name + "\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": \"id\", \"cursor\": \"updated_at\", \"tiebreaker\": \"id\"}]";
  }

  private FakeFivetran fivetran(String tables, EngineConfig.Builder config) {
    FunctionHandler handler = new FunctionHandler(new PostgresConnector(tables),
        config.logSink(log::add).build());
    return new FakeFivetran(handler, Clock.systemUTC(), Duration.ofSeconds(60), 6_000_000)
        .secrets(db.secrets(tables));
  }

  /** id → name of the live rows of a source table. */
  private Map<Long, String> source(String table) throws Exception {
    Map<Long, String> out = new TreeMap<>();
    try (Connection c = TestDatabase.connect();
         var rs = c.createStatement().executeQuery("SELECT id, name FROM " + db.schema + "." + table)) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getString(2));
      }
    }
    return out;
  }

  private static Map<Long, String> destination(FakeFivetran f, String table) {
    Map<Long, String> out = new TreeMap<>();
    for (Map.Entry<Long, JsonNode> e : f.rowsById(table).entrySet()) {
      out.put(e.getKey(), e.getValue().path("name").asText(null));
    }
    return out;
  }

  @Test
  void tieOfFortyRowsOnOneTimestampCrossesPagesOfFiveWithoutLossOrRepeat() throws Exception {
    db.exec("CREATE TABLE events (id bigint PRIMARY KEY, name text, updated_at timestamptz NOT NULL)",
        // 40 rows share one microsecond; a few before and after it.
        "INSERT INTO events SELECT g, 'tie' || g, timestamptz '2024-05-01 10:00:00.123456+00'"
            + " FROM generate_series(1, 40) g",
        "INSERT INTO events SELECT g, 'other' || g, timestamptz '2024-05-01 09:00:00+00'"
            + " + (g - 100) * interval '1 second' FROM generate_series(100, 106) g");
    FakeFivetran f = fivetran(events("events"), EngineConfig.builder().pageSize(5)
        .maxRowsPerResponse(12));

    List<FakeFivetran.Call> calls = f.sync();
    assertTrue(calls.size() > 3, "the tie spans several responses: " + calls.size());
    assertEquals(source("events"), destination(f, "events"));
    f.deliveries("events").forEach((key, n) -> assertEquals(1, n, "delivered once: " + key));

    // More rows join the tie after the sync: later ids at the same timestamp are after the
    // position, so the next sync picks them up and nothing else.
    db.exec("INSERT INTO events SELECT g, 'late tie' || g,"
        + " timestamptz '2024-05-01 10:00:00.123456+00' FROM generate_series(41, 47) g");
    f.sync();
    assertEquals(source("events"), destination(f, "events"));
    f.deliveries("events").forEach((key, n) -> assertEquals(1, n, "delivered once: " + key));
  }

  /**
   * A writer's transaction takes {@code now()} (its start) as the cursor value and commits after
   * the sync has read past it. Returns the ids the destination holds after a second sync.
   */
  private Map<Long, String> syncAroundALateCommit(String table, Duration settleLag)
      throws Exception {
    db.exec("CREATE TABLE " + table + " (id bigint PRIMARY KEY, name text,"
        + " updated_at timestamptz NOT NULL)");
    FakeFivetran f = fivetran(events(table), EngineConfig.builder().settleLag(settleLag));
    String insert = "INSERT INTO " + db.schema + "." + table + " VALUES (?, ?, now())";
    try (Connection slow = TestDatabase.connect(); Connection fast = TestDatabase.connect()) {
      slow.setAutoCommit(false);
      long started = System.nanoTime();
      try (var st = slow.prepareStatement(insert)) {
        st.setLong(1, 1);
        st.setString(2, "late commit");
        st.executeUpdate(); // its updated_at is this transaction's start
      }
      Thread.sleep(20);
      try (var st = fast.prepareStatement(insert)) { // autocommit: visible at once, later cursor
        st.setLong(1, 2);
        st.setString(2, "quick commit");
        st.executeUpdate();
      }
      f.sync(); // reads while the slow transaction is still open
      slow.commit();
      long openMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(openMillis < settleLag.toMillis() || settleLag.isZero(),
          "the slow transaction stays within the settle lag: open " + openMillis + " ms");
      // The next sync starts once the late row's cursor is below the new horizon.
      Thread.sleep(Math.max(0, settleLag.toMillis() - openMillis) + 300);
      f.sync();
    }
    return destination(f, table);
  }

  @Test
  void rowCommittedAfterTheSyncReadPastItsCursorIsKeptByTheSettleLag() throws Exception {
    Map<Long, String> got = syncAroundALateCommit("orders_lag", Duration.ofSeconds(2));
    assertEquals(source("orders_lag"), got);
    assertTrue(got.containsKey(1L), "the late commit arrived");
  }

  @Test
  void withoutASettleLagTheSameLateCommitIsLost() throws Exception {
    // Proves the test above can fail: the horizon is all that saves the late row.
    Map<Long, String> got = syncAroundALateCommit("orders_nolag", Duration.ZERO);
    assertTrue(got.containsKey(2L), "the quick commit arrived");
    assertFalse(got.containsKey(1L), "with settleLag 0 the late commit is skipped for ever");
    assertTrue(source("orders_nolag").containsKey(1L));
  }

  /**
   * Values a PostgreSQL cursor column legally holds: -infinity, a BC timestamp, a year past 9999
   * and infinity. Every one is read, becomes a position, goes through state and is bound back
   * into the next query as a literal PostgreSQL accepts; rows at infinity come in every sync.
   */
  @Test
  void infinitiesAndBcTimestampsSyncAndBindBackAsPostgresLiterals() throws Exception {
    db.exec("CREATE TABLE eras (id bigint PRIMARY KEY, name text, updated_at timestamptz NOT NULL)",
        "INSERT INTO eras VALUES (1, 'minus infinity', '-infinity'),"
            + " (2, 'ides of march', '0044-03-15 12:00:00.123456+00 BC'),"
            + " (3, 'recent', '2024-05-01 10:00:00+00'),"
            + " (4, 'far future', '10000-01-01 00:00:00+00'),"
            + " (5, 'infinity a', 'infinity'), (6, 'infinity b', 'infinity'),"
            + " (7, 'infinity c', 'infinity')");
    FakeFivetran f = fivetran(events("eras"), EngineConfig.builder().pageSize(1)
        .maxRowsPerResponse(1));
    List<FakeFivetran.Call> calls = f.sync();
    calls.forEach(c -> assertTrue(c.accepted(), c.body().toString()));
    Map<Long, String> expected = source("eras");
    expected.remove(4L); // a future row waits for its time
    assertEquals(expected, destination(f, "eras"));
    assertEquals("[\"-0043-03-15T12:00:00.123456Z\",2]",
        positionAfter(calls, 2).toString(), "44 BC is ISO year -43, every digit kept");
    assertEquals("[\"-infinity\",1]", positionAfter(calls, 1).toString());
    assertEquals("infinity", f.rowsById("eras").get(5L).path("updated_at").asText());

    db.exec("INSERT INTO eras VALUES (8, 'later', now() - interval '1 hour')");
    f.sync();
    assertTrue(destination(f, "eras").containsKey(8L), "a later row is still found");
    for (long id = 5; id <= 7; id++) {
      assertEquals(2, f.deliveries("eras").get(id + "|"), "row " + id + " at infinity: once per sync");
    }
    assertEquals(1, f.deliveries("eras").get("2|"));
  }

  @Test
  void dateCursorsAtInfinityAndBeforeTheCommonEra() throws Exception {
    db.exec("CREATE TABLE days (id bigint PRIMARY KEY, name text, day date NOT NULL)",
        "INSERT INTO days VALUES (1, 'a', '-infinity'), (2, 'b', '0044-03-15 BC'),"
            + " (3, 'c', '2024-04-01'), (4, 'd', 'infinity')");
    String tables = "[{\"name\": \"days\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": \"id\", \"cursor\": \"day\", \"cursor_type\": \"date\","
        + " \"tiebreaker\": \"id\"}]";
    FakeFivetran f = fivetran(tables, EngineConfig.builder().pageSize(1).maxRowsPerResponse(1));
    f.sync();
    assertEquals(source("days"), destination(f, "days"));
    assertEquals("-0043-03-15", f.rowsById("days").get(2L).path("day").asText());
    f.sync();
    assertEquals(source("days"), destination(f, "days"));
  }

  /** A key deleted (with a tombstone) and inserted again between two syncs ends live. */
  @Test
  void keyDeletedAndInsertedAgainBetweenSyncsIsLiveAfterTheNextSync() throws Exception {
    db.exec("CREATE TABLE orders (id bigint PRIMARY KEY, name text, updated_at timestamptz NOT NULL)",
        "CREATE TABLE orders_deleted (id bigint, deleted_at timestamptz NOT NULL)",
        "INSERT INTO orders VALUES (1, 'first', now() - interval '1 hour'),"
            + " (2, 'other', now() - interval '1 hour')");
    String tables = "[{\"name\": \"orders\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": \"id\", \"cursor\": \"updated_at\", \"tiebreaker\": \"id\","
        + " \"deletes\": {\"tombstone_table\": \"orders_deleted\","
        + " \"tombstone_cursor\": \"deleted_at\"}}]";
    FakeFivetran f = fivetran(tables, EngineConfig.builder().settleLag(Duration.ofMillis(200)));
    f.sync();
    db.exec("DELETE FROM orders WHERE id = 1",
        "INSERT INTO orders_deleted VALUES (1, now())");
    Thread.sleep(5);
    db.exec("INSERT INTO orders VALUES (1, 'again', now())");
    Thread.sleep(400);
    List<FakeFivetran.Call> second = f.sync();

    assertEquals(source("orders"), destination(f, "orders"));
    assertEquals("again", destination(f, "orders").get(1L));
    assertTrue(second.size() >= 2, "the delete and the re-insert go in separate responses");
  }

  private static JsonNode positionAfter(List<FakeFivetran.Call> calls, long id) {
    for (FakeFivetran.Call c : calls) {
      JsonNode p = c.body().path("state").path("tables").path("eras").path("position");
      if (p.isArray() && p.get(1).asLong() == id) {
        return p;
      }
    }
    throw new AssertionError("no state with position at row " + id);
  }
}
