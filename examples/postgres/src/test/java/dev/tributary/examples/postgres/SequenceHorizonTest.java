package dev.tributary.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.testing.FakeFivetran;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code bigserial}-keyed, append-only table synced by its id while writers' transactions
 * commit out of id order, against the machine's PostgreSQL. The visibility horizon keeps every
 * row; switched off ({@code "visibility": "none"}), the same history loses one.
 */
class SequenceHorizonTest {
  private TestDatabase db;

  @BeforeEach
  void createSchema() throws Exception {
    db = new TestDatabase();
    db.exec("CREATE TABLE events (id bigserial PRIMARY KEY, name text NOT NULL)");
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }

  private FakeFivetran fivetran(String visibility) {
    String tables = "[{\"name\": \"events\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": \"id\", \"cursor\": \"id\", \"cursor_type\": \"number\""
        + (visibility == null ? "" : ", \"visibility\": \"" + visibility + "\"") + "}]";
    FunctionHandler handler = new FunctionHandler(new PostgresConnector(tables),
        EngineConfig.builder().pageSize(7).logSink(l -> {}).build());
    return new FakeFivetran(handler, Clock.systemUTC(), Duration.ofSeconds(60), 6_000_000)
        .secrets(db.secrets(tables));
  }

  private TreeSet<Long> sourceIds() throws Exception {
    TreeSet<Long> ids = new TreeSet<>();
    try (Connection c = TestDatabase.connect();
         ResultSet rs = c.createStatement().executeQuery("SELECT id FROM " + db.schema + ".events")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /**
   * T1 takes id 1 and stays open across a sync; T2 takes id 2 and commits. Returns the ids the
   * destination holds after T1 commits and a second sync runs.
   */
  private TreeSet<Long> syncAroundAnOpenTransaction(String visibility) throws Exception {
    FakeFivetran f = fivetran(visibility);
    try (Connection slow = TestDatabase.connect(); Connection fast = TestDatabase.connect()) {
      slow.setAutoCommit(false);
      slow.createStatement().executeUpdate("INSERT INTO " + db.schema + ".events (name) VALUES ('slow')");
      fast.createStatement().executeUpdate("INSERT INTO " + db.schema + ".events (name) VALUES ('fast')");
      f.sync(); // T1 is still open: its id 1 is not visible, id 2 is
      slow.commit();
    }
    f.sync();
    return new TreeSet<>(f.rowsById("events").keySet());
  }

  @Test
  void anIdCommittedAfterALaterOneIsKeptByTheVisibilityHorizon() throws Exception {
    TreeSet<Long> got = syncAroundAnOpenTransaction(null); // the default: snapshot
    assertEquals(sourceIds(), got);
    assertTrue(got.contains(1L));
  }

  @Test
  void withTheHorizonSwitchedOffTheSameIdIsLost() throws Exception {
    // Proves the test above can fail: the horizon is all that saves id 1.
    TreeSet<Long> got = syncAroundAnOpenTransaction("none");
    assertTrue(got.contains(2L));
    assertFalse(got.contains(1L), "without the horizon, id 1 is passed for ever");
    assertTrue(sourceIds().contains(1L));
  }

  /**
   * Four writers insert in transactions of random length (ids taken in order, commits in any
   * order) while syncs run one after another; once they stop, one more sync. Every row arrives,
   * and each exactly once.
   */
  @Test
  void concurrentWritersLoseNothingAndNothingIsSentTwice() throws Exception {
    FakeFivetran f = fivetran(null);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      long seed = 17L * (w + 1);
      Thread t = new Thread(() -> {
        Random random = new Random(seed);
        try (Connection c = TestDatabase.connect()) {
          c.setAutoCommit(false);
          try (PreparedStatement st = c.prepareStatement(
              "INSERT INTO " + db.schema + ".events (name) VALUES (?)")) {
            while (!stop.get()) {
              for (int n = random.nextInt(3) + 1; n > 0; n--) {
                st.setString(1, "w" + seed);
                st.executeUpdate();
              }
              Thread.sleep(random.nextInt(120));
              c.commit();
            }
          }
        } catch (Throwable e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      t.start();
      writers.add(t);
    }
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    int syncs = 0;
    while (System.nanoTime() < until) {
      f.sync();
      syncs++;
    }
    stop.set(true);
    for (Thread t : writers) {
      t.join();
    }
    assertEquals(List.of(), failures);
    f.sync();

    TreeSet<Long> source = sourceIds();
    assertTrue(source.size() > 20, "the writers wrote " + source.size() + " rows");
    assertTrue(syncs > 2, "syncs ran while they wrote: " + syncs);
    assertEquals(source, new TreeSet<>(f.rowsById("events").keySet()));
    f.deliveries("events").forEach((key, n) -> assertEquals(1, n, "delivered once: " + key));
  }
}
