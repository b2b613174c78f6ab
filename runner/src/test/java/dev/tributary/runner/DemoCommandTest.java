package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.examples.demo.DemoSource;
import dev.tributary.examples.orders.OrdersApiConnector;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
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
    assertTrue(Files.exists(dir.resolve("warehouse.db")) && Files.exists(dir.resolve("state.json")));

    RunnerSyncTest.Run q = RunnerSyncTest.run("query", "--dir", dir.toString(),
        "SELECT count(*) AS live FROM orders WHERE NOT _fivetran_deleted");
    assertEquals(0, q.exit(), q.err());
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
