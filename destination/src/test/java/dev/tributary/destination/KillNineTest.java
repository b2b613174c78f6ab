package dev.tributary.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run applying responses into PostgreSQL is killed with SIGKILL at 20 seeded random points (and
 * resumed by a new process each time). After every kill the connection's state row names exactly
 * the last response whose rows are in the tables — no row lost, none applied twice — and a last
 * run brings the destination to the end of the script.
 *
 * <p>Seed: {@code -Dtributary.killSeed=…} (default 20); the kill points are printed.
 */
class KillNineTest {
  static final String CONNECTION = "killed";
  static final int KILLS = 20;

  final TestPostgres pg = new TestPostgres();

  @AfterEach
  void drop() throws Exception {
    pg.close();
  }

  @Test
  void killedAtTwentyRandomPointsTheStateAlwaysMatchesTheLastCommittedRows() throws Exception {
    long seed = Long.getLong("tributary.killSeed", 20);
    Random random = new Random(seed);
    Script.Model model = new Script.Model();
    List<String> log = new ArrayList<>();
    int previous = 0;
    int notJustAfterACommit = 0;
    for (int kill = 1; kill <= KILLS; kill++) {
      Children.Child child = Children.start(pg.url(), CONNECTION, Integer.MAX_VALUE, "wait");
      child.awaitReady();
      long delay = random.nextInt(600);
      Thread.sleep(delay);
      child.kill9();
      int applied = verify(model);
      assertTrue(applied >= previous, "state went back from " + previous + " to " + applied);
      long printed = child.lines.stream().filter(l -> l.startsWith("applied ")).count();
      // The child prints after each commit: a commit it did not live to print is the one case
      // where the state may be one ahead of what it printed.
      int lastPrinted = previous + (int) printed;
      assertTrue(applied == lastPrinted || applied == lastPrinted + 1,
          "state " + applied + ", child printed up to " + lastPrinted + ": " + child.lines);
      // Not right after a commit: the child spends nearly all its time inside apply.
      notJustAfterACommit += applied == lastPrinted ? 1 : 0;
      log.add("kill " + kill + " after " + delay + " ms: state " + applied);
      previous = applied;
    }
    System.out.println("KillNineTest seed " + seed + ": " + String.join("; ", log));
    assertTrue(previous >= KILLS, "the runs made progress between kills: " + log);

    Children.Child last = Children.start(pg.url(), CONNECTION, previous + 5, "wait");
    assertEquals(0, last.awaitExit(), last.lines.toString());
    assertEquals(previous + 5, verify(model));
    assertTrue(notJustAfterACommit > 0, "some kill landed while a response was being applied: " + log);
  }

  /** Waits for the killed run's lease to end, then checks rows and state agree; the state's k. */
  int verify(Script.Model model) throws Exception {
    try (Destination d = Destination.open(pg.url());
         Lease lease = PostgresDestinationTest.awaitLease(d, CONNECTION)) {
      int k = lease.state().path("applied").asInt(0);
      model.advanceTo(k);
      Map<Long, Long> orders = new HashMap<>();
      for (Map<String, Object> row : d.rows("orders")) {
        orders.put((Long) row.get("id"), (Long) row.get("amount"));
      }
      assertEquals(model.orders, orders, "orders after response " + k);
      Map<Long, List<Long>> items = new HashMap<>();
      for (Map<String, Object> row : d.rows("items")) {
        items.put((Long) row.get("id"), List.of((Long) row.get("v"),
            Boolean.TRUE.equals(row.get("_fivetran_deleted")) ? 1L : 0L));
      }
      Map<Long, List<Long>> expectedItems = new HashMap<>();
      model.items.forEach((id, v) -> expectedItems.put(id, List.of(v[0], v[1])));
      assertEquals(expectedItems, items, "items after response " + k);
      if (k > 0) {
        List<String> events = d.query("SELECT count(*), count(DISTINCT (response, k)),"
            + " count(DISTINCT _fivetran_batch), max(response) FROM " + pg.schema + ".events").rows().get(0);
        assertEquals(List.of(String.valueOf((long) k * Script.EVENTS_PER_RESPONSE),
            String.valueOf((long) k * Script.EVENTS_PER_RESPONSE), String.valueOf(k),
            String.valueOf(k)), events, "events: rows, distinct rows, batches, last response");
      }
      return k;
    }
  }
}
