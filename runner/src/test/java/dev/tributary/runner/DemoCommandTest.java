package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.examples.demo.DemoSource;
import dev.tributary.examples.orders.OrdersApiConnector;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `tributary demo --short`, in process: two syncs, each checked against the source. The demo's
 * connector and source are given as the launcher gives them, a class path of their modules'
 * builds (here the folders or jars this test runs with).
 */
class DemoCommandTest {
  @TempDir Path dir;

  static String demoClasspath() throws Exception {
    return Path.of(OrdersApiConnector.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + File.pathSeparator
        + Path.of(DemoSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void demoSyncsChangesAndEndsWithTheWarehouseEqualToTheSource() throws Exception {
    RunnerSyncTest.Run r = RunnerSyncTest.run("demo", "--classpath", demoClasspath(), "--short", "--dir", dir.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    String out = r.out();
    assertTrue(out.contains("historical sync 1") && out.contains("incremental sync 2"), out);
    assertEquals(2, out.split("warehouse matches the source", -1).length - 1, out);
    assertTrue(out.contains(" × 200 OK") && out.contains(" × 429 Too Many Requests")
        && out.contains("the connector retried"), out);
    assertFalse(out.contains("429="), "no Java map in the output: " + out);
    assertFalse(out.contains("http_retry"), "the connector's log lines go to function.log: " + out);
    String log = Files.readString(dir.resolve("function.log"));
    assertTrue(log.contains("\"event\":\"http_retry\"") && log.contains("\"sync_id\""), log);
    assertTrue(Files.exists(dir.resolve("warehouse.db")));
    RunnerSyncTest.Run state = RunnerSyncTest.run("state", "--dir", dir.toString());
    assertTrue(state.out().contains("\"version\""), "the demo's state is the default connection's: "
        + state.out());

    RunnerSyncTest.Run q = RunnerSyncTest.run("query", "--dir", dir.toString(),
        "SELECT count(*) AS live FROM orders WHERE NOT _fivetran_deleted");
    assertEquals(0, q.exit(), q.err());
  }

  @Test
  void demoIntoPostgresMatchesTheSourceAfterEachOfSeveralRoundsAndStartsOverWhenRunAgain()
      throws Exception {
    Map<String, String> env = Map.of(DestinationFlags.PASSWORD_ENV, TestPostgres.PASSWORD);
    try (TestPostgres pg = new TestPostgres()) {
      for (int run = 1; run <= 2; run++) {
        Cli.Run r = Cli.runWith(env, "demo", "--classpath", demoClasspath(), "--short",
            "--rounds", "3", "--dir", dir.toString(), "--destination", pg.url());
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("destination: postgresql://postgres:***@127.0.0.1:5432/test?schema="
            + pg.schema + ", connection default"), r.out());
        assertEquals(4, r.out().split("warehouse matches the source", -1).length - 1, r.out());
        assertTrue(r.out().contains("historical sync 1") && r.out().contains("incremental sync 4"),
            r.out());
        assertTrue(r.out().contains("look around: ./tributary query --destination"
            + " 'postgresql://postgres@127.0.0.1:5432/test?schema=" + pg.schema + "'"), r.out());
        assertFalse(r.all().contains(TestPostgres.PASSWORD), r.all());
        assertFalse(Files.exists(dir.resolve("warehouse.db")), "nothing went to DuckDB");
      }
      Cli.Run q = Cli.runWith(env, "query", "--destination", pg.url(),
          "SELECT count(*) AS n FROM orders WHERE _fivetran_synced IS NULL");
      assertEquals(0, q.exit(), q.all());
      assertTrue(q.out().lines().anyMatch("0"::equals), q.out());
    }
  }

  @Test
  void demoStartsOverEachTime() throws Exception {
    assertEquals(0, RunnerSyncTest.run("demo", "--classpath", demoClasspath(), "--short", "--no-failures", "--dir", dir.toString()).exit());
    RunnerSyncTest.Run again = RunnerSyncTest.run("demo", "--classpath", demoClasspath(), "--short", "--no-failures", "--dir", dir.toString());
    assertEquals(0, again.exit(), again.out());
    assertTrue(again.out().contains("historical sync 1"));
  }

  @Test
  void withoutTheDemoJarsTheDemoSaysHowToGetThem() {
    RunnerSyncTest.Run r = RunnerSyncTest.run("demo", "--short", "--dir", dir.toString());
    assertEquals(64, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("the demo's connector and source are not part of the runner")
        && r.err().contains("./tributary demo"), r.err());
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
  }
}
