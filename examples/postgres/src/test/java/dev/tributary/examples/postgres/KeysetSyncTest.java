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
}
