package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.examples.demo.DemoSource;
import dev.tributary.examples.orders.OrdersApiConnector;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    // The full-refresh catalogue: after the first sync only what changed is sent.
    int[] changed = productChanges(out);
    List<long[]> products = productLines(out);
    assertEquals(2, products.size(), out);
    assertEquals(20, products.get(0)[0], "the first sync sends every product: " + out);
    assertEquals(0, products.get(0)[1], out);
    assertTrue(changed[0] > 0 && changed[1] > 0 && changed[2] > 0, out);
    assertEquals(changed[0] + changed[1], products.get(1)[0], "new and changed products: " + out);
    assertEquals(changed[2], products.get(1)[1], "removed products deleted: " + out);
    assertTrue(out.contains("rows sent per sync (upserted + deleted; TRIBUTARY_MAX_DIGEST_ROWS=10,000):"),
        out);
    assertTrue(out.lines().anyMatch(l -> l.matches("  products +20 +"
        + (changed[0] + changed[1] + changed[2]))), out);
    assertFalse(out.contains("except"), out);
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

  /**
   * The demo as it was before the digest: every product re-sent each sync, and the removed ones
   * left in the warehouse — which the check counts and names instead of failing on.
   */
  @Test
  void withoutADigestTheDemoResendsEveryProductAndSaysWhichRemovedOnesStayed() throws Exception {
    Cli.Run r = Cli.runWith(Map.of(DemoCommand.DIGEST_ENV, "0"), "demo", "--classpath",
        demoClasspath(), "--short", "--rounds", "2", "--no-failures", "--dir", dir.toString());
    assertEquals(0, r.exit(), r.all());
    String out = r.out();
    assertTrue(out.contains("TRIBUTARY_MAX_DIGEST_ROWS=0: no digest of delivered rows, so every"
        + " sync re-sends every row of products"), out);
    List<long[]> products = productLines(out);
    assertEquals(3, products.size(), out);
    Matcher sizes = Pattern.compile("warehouse matches the source.*: .*, (\\d+) products")
        .matcher(out);
    Matcher removed = Pattern.compile("except (\\d+) rows? of products removed from the source and still"
        + " in the warehouse \\(TRIBUTARY_MAX_DIGEST_ROWS=0 ").matcher(out);
    List<Long> live = new ArrayList<>();
    while (sizes.find()) {
      live.add(Long.parseLong(sizes.group(1)));
    }
    assertEquals(3, live.size(), out);
    long gone = 0;
    for (int sync = 0; sync < 3; sync++) {
      assertEquals(live.get(sync), products.get(sync)[0], "sync " + (sync + 1) + " re-sends all: " + out);
      assertEquals(0, products.get(sync)[1], out);
      if (sync > 0) {
        assertTrue(removed.find(), out);
        long left = Long.parseLong(removed.group(1));
        assertTrue(left > gone, "more removed products stay after each round: " + out);
        gone = left;
      }
    }
    RunnerSyncTest.Run q = RunnerSyncTest.run("query", "--dir", dir.toString(),
        "SELECT count(*) AS n FROM products WHERE NOT _fivetran_deleted");
    String expected = String.valueOf(live.get(2) + gone);
    assertTrue(q.out().lines().anyMatch(l -> l.strip().equals(expected)),
        live.get(2) + " live and " + gone + " removed: " + q.out());
  }

  /** {inserted, updated, deleted} products of the first "changed the source" line. */
  static int[] productChanges(String out) {
    Matcher m = Pattern.compile("changed the source: .*products \\+(\\d+) ~(\\d+) -(\\d+)").matcher(out);
    assertTrue(m.find(), out);
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3))};
  }

  /** Per sync, {upserted, deleted} of the products line of its summary. */
  static List<long[]> productLines(String out) {
    Matcher m = Pattern.compile("(?m)^  products +([\\d,]+) upserted +([\\d,]+) deleted$").matcher(out);
    List<long[]> lines = new ArrayList<>();
    while (m.find()) {
      lines.add(new long[] {Long.parseLong(m.group(1).replace(",", "")),
          Long.parseLong(m.group(2).replace(",", ""))});
    }
    return lines;
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
