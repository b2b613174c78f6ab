package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tributary demo --short`, in process: two syncs, each checked against the source. */
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void demoSyncsChangesAndEndsWithTheWarehouseEqualToTheSource() throws Exception {
    RunnerSyncTest.Run r = RunnerSyncTest.run("demo", "--short", "--dir", dir.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    String out = r.out();
    assertTrue(out.contains("historical sync 1") && out.contains("incremental sync 2"), out);
    assertEquals(2, out.split("warehouse matches the source", -1).length - 1, out);
    assertTrue(out.contains("429=") && out.contains("the connector retried"), out);
    assertTrue(Files.exists(dir.resolve("warehouse.db")) && Files.exists(dir.resolve("state.json")));

    RunnerSyncTest.Run q = RunnerSyncTest.run("query", "--dir", dir.toString(),
        "SELECT count(*) AS live FROM orders WHERE NOT _fivetran_deleted");
    assertEquals(0, q.exit(), q.err());
  }

  @Test
  void demoStartsOverEachTime() throws Exception {
    assertEquals(0, RunnerSyncTest.run("demo", "--short", "--no-failures", "--dir", dir.toString()).exit());
    RunnerSyncTest.Run again = RunnerSyncTest.run("demo", "--short", "--no-failures", "--dir", dir.toString());
    assertEquals(0, again.exit(), again.out());
    assertTrue(again.out().contains("historical sync 1"));
  }
}
