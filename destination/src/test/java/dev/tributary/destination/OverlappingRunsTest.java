package dev.tributary.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two runs of one connection, each a process of its own, overlap: the one that comes second
 * while the first holds the lease is skipped (exit 0, "skipped: another run holds connection
 * …"); one that waits for the lease finds the work done and applies nothing. Every response is
 * applied exactly once — the append-only table would show a second apply as duplicate rows.
 */
class OverlappingRunsTest {
  static final String CONNECTION = "overlap";
  static final int LAST = 30;

  final TestPostgres pg = new TestPostgres();

  @AfterEach
  void drop() throws Exception {
    pg.close();
  }

  @Test
  void aSecondRunIsSkippedAWaitingRunAppliesNothingAndEveryResponseLandsOnce() throws Exception {
    Children.Child first = Children.start(pg.url(), CONNECTION, LAST, "hold");
    first.awaitReady();

    Children.Child second = Children.start(pg.url(), CONNECTION, LAST, "skip");
    assertEquals(0, second.awaitExit(), second.lines.toString());
    assertEquals(1, second.lines.size(), second.lines.toString());
    assertTrue(second.lines.get(0).startsWith("skipped: another run holds connection overlap"
        + " (PostgreSQL advisory lock "), second.lines.get(0));

    Children.Child third = Children.start(pg.url(), CONNECTION, LAST, "wait");
    first.go();
    assertEquals(0, first.awaitExit(), first.lines.toString());
    assertEquals(0, third.awaitExit(), third.lines.toString());
    assertEquals(List.of("ready from " + LAST, "done"), third.lines, "the waiting run found it done");

    Script.Model model = new Script.Model();
    model.advanceTo(LAST);
    try (Destination d = Destination.open(pg.url())) {
      assertEquals(LAST, d.state(CONNECTION).path("applied").asInt());
      assertEquals(List.of(String.valueOf(LAST * Script.EVENTS_PER_RESPONSE),
              String.valueOf(LAST * Script.EVENTS_PER_RESPONSE)),
          d.query("SELECT count(*), count(DISTINCT (response, k)) FROM " + pg.schema + ".events")
              .rows().get(0));
      assertEquals(model.orders.size(), d.rows("orders").size());
    }
  }
}
