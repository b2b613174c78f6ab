package dev.tributary.scheduled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.EngineConfig;
import dev.tributary.destination.Destination;
import dev.tributary.destination.Lease;
import dev.tributary.scheduled.testing.ItemsConnector;
import dev.tributary.scheduled.testing.SourceItems;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ticks of a scheduled sync from a PostgreSQL table into PostgreSQL, the machine's server. */
class ScheduledSyncTest {
  static final ObjectMapper JSON = new ObjectMapper();

  final SourceItems pg;
  final List<String> log = new CopyOnWriteArrayList<>();

  ScheduledSyncTest() throws Exception {
    pg = new SourceItems(21);
  }

  @AfterEach
  void drop() throws Exception {
    pg.close();
  }

  EngineConfig.Builder engine() {
    return EngineConfig.builder().settleLag(Duration.ZERO).pageSize(25).maxRowsPerResponse(60)
        .deadlineMargin(Duration.ofMillis(100)).logSink(log::add);
  }

  ScheduledSync sync(EngineConfig engine, long slowMs) {
    return new ScheduledSync(new ItemsConnector(), ScheduledConfig.builder()
        .destinationUrl(pg.destinationUrl()).destinationPassword(pg.destinationPassword)
        .connection("items").secrets(pg.secrets(slowMs)).applyMargin(Duration.ofMillis(200))
        .engine(engine).build(), "test");
  }

  @Test
  void severalTicksWithSourceChangesBetweenThemLeaveTheDestinationEqualToTheSource() throws Exception {
    ScheduledSync sync = sync(engine().build(), 0);
    pg.insert(150);
    for (int tick = 0; tick < 4; tick++) {
      TickSummary s = sync.tick(Instant.now().plusSeconds(60));

      assertEquals(StopReason.CAUGHT_UP, s.stopReason(), s.toJson());
      assertEquals(pg.live(), pg.destination(), "after tick " + tick);
      assertTrue(s.lag().isPresent(), s.toJson());
      if (tick == 0) {
        assertEquals(150, s.tables().get("items").upserted());
        assertTrue(s.calls() >= 3, "150 rows at 60 a response: " + s.toJson());
      }
      pg.insert(20);
      pg.change(15, 7);
    }
    TickSummary last = sync.tick(Instant.now().plusSeconds(60));
    assertEquals(pg.live(), pg.destination());
    assertEquals(7, last.tables().get("items").deleted(), last.toJson());
  }

  @Test
  void aTickThatHitsTheDeadlineCommitsWhatItGotAndTheNextResumes() throws Exception {
    ScheduledSync sync = sync(engine().build(), 120);
    pg.insert(400);

    TickSummary first = sync.tick(Instant.now().plusMillis(2500));

    assertEquals(StopReason.DEADLINE, first.stopReason(), first.toJson());
    long landed = pg.destination().size();
    assertTrue(landed > 0 && landed < 400, landed + " rows after the first tick");
    assertEquals(landed, first.tables().get("items").upserted(), "what it committed is what it counted");
    ObjectNode committed;
    try (Destination d = Destination.open(pg.destinationUrl())) {
      committed = d.state("items");
    }
    assertTrue(committed.path("sync").has("horizon"), "mid-sync state: " + committed);
    assertTrue(first.lag().isPresent(), "lag from the oldest unfinished position: " + first.toJson());

    pg.change(10, 5);
    int ticks = 1;
    TickSummary s = first;
    while (s.stopReason() == StopReason.DEADLINE && ticks < 20) {
      s = sync.tick(Instant.now().plusMillis(2500));
      ticks++;
    }
    assertEquals(StopReason.CAUGHT_UP, s.stopReason(), s.toJson());
    assertTrue(ticks >= 2);
    // The rows changed during the interrupted sync lie past its horizon: one more tick brings them.
    s = sync.tick(Instant.now().plusSeconds(30));
    assertEquals(StopReason.CAUGHT_UP, s.stopReason(), s.toJson());
    assertEquals(pg.live(), pg.destination());
  }

  @Test
  void aFailingSourceFailsTheTickVisiblyAndKeepsTheCommittedState() throws Exception {
    ScheduledSync sync = sync(engine().build(), 0);
    pg.insert(30);
    assertEquals(StopReason.CAUGHT_UP, sync.tick(Instant.now().plusSeconds(60)).stopReason());
    ObjectNode before;
    try (Destination d = Destination.open(pg.destinationUrl())) {
      before = d.state("items");
    }
    try (Connection c = SourceItems.admin(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE " + pg.sourceSchema + ".items");
    }

    TickSummary s = sync.tick(Instant.now().plusSeconds(60));

    assertTrue(s.failed(), s.toJson());
    assertTrue(s.error().orElseThrow().contains("items"), s.toJson());
    ScheduledSyncException thrown = assertThrows(ScheduledSyncException.class, s::orThrow);
    assertEquals(s.error().orElseThrow(), thrown.getMessage());
    try (Destination d = Destination.open(pg.destinationUrl())) {
      assertEquals(before, d.state("items"));
    }
    assertEquals(30, pg.destination().size());
    assertNoSecretIn(String.join("\n", log));
  }

  @Test
  void anotherRunHoldingTheLeaseMakesTheTickSkipNotFail() throws Exception {
    ScheduledSync sync = sync(engine().build(), 0);
    pg.insert(5);
    try (Destination d = Destination.open(pg.destinationUrl()); Lease held = d.lease("items")) {
      TickSummary s = sync.tick(Instant.now().plusSeconds(60));

      assertEquals(StopReason.LEASE_HELD, s.stopReason(), s.toJson());
      assertFalse(s.failed());
      assertEquals(0, s.calls());
    }
    assertEquals(Map.of(), pg.destination());
  }

  @Test
  void theSummaryLineNamesRowsDurationStopReasonAndLagAndNoSecret() throws Exception {
    ScheduledSync sync = sync(engine().build(), 0);
    pg.insert(12);

    sync.tick(Instant.now().plusSeconds(60));

    List<String> summaries = log.stream().filter(l -> l.contains("\"scheduled_sync\"")).toList();
    assertEquals(1, summaries.size(), log.toString());
    var line = JSON.readTree(summaries.get(0));
    assertEquals("caught_up", line.path("stop_reason").asText());
    assertEquals("items", line.path("connection").asText());
    assertEquals(12, line.path("tables").path("items").path("upserted").asInt());
    assertEquals(12, line.path("rows").asInt());
    assertTrue(line.path("duration_ms").isNumber());
    assertTrue(line.path("lag_seconds").isNumber(), line.toString());
    assertTrue(line.path("lag_seconds").asDouble() < 60, line.toString());
    assertFalse(line.path("destination").asText().contains(pg.destinationPassword));
    assertNoSecretIn(String.join("\n", log));
  }

  @Test
  void aDeadlineTooShortForOneCallIsAFailureNamingTheSettings() {
    ScheduledSync sync = sync(engine().build(), 0);

    TickSummary s = sync.tick(Instant.now().plusMillis(500));

    assertTrue(s.failed());
    assertTrue(s.error().orElseThrow().contains("TRIBUTARY_TIMEOUT_SECONDS"), s.toJson());
  }

  @Test
  void theTicksDeadlineIsThePlatformsCappedByTheConfiguredTimeout() {
    ScheduledSync capped = sync(engine().callTimeout(Duration.ofSeconds(5)).build(), 0);
    Instant far = Instant.now().plusSeconds(600);
    Instant d = capped.deadline(java.util.Optional.of(far), Duration.ofSeconds(100));
    assertTrue(d.isBefore(Instant.now().plusSeconds(6)), d.toString());
    ScheduledSync open = sync(engine().build(), 0);
    assertEquals(far, open.deadline(java.util.Optional.of(far), Duration.ofSeconds(100)));
    Instant fallback = open.deadline(java.util.Optional.empty(), Duration.ofSeconds(100));
    assertTrue(fallback.isAfter(Instant.now().plusSeconds(99)), fallback.toString());
  }

  void assertNoSecretIn(String text) {
    assertFalse(text.contains(pg.password), "connector password in: " + text);
    assertFalse(text.contains(pg.destinationPassword), "destination password in: " + text);
  }
}
