package dev.tributary.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.EngineConfig;
import dev.tributary.scheduled.ScheduledConfig;
import dev.tributary.scheduled.ScheduledSyncException;
import dev.tributary.scheduled.StopReason;
import dev.tributary.scheduled.TickSummary;
import dev.tributary.scheduled.testing.ItemsConnector;
import dev.tributary.scheduled.testing.SourceItems;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The timer method called directly, as the Java worker calls it on each firing (there is no
 * Functions host here), with the worker's {@code TimerInfo} JSON: ticks from a PostgreSQL table
 * into PostgreSQL, each given 3 s ({@code TRIBUTARY_TIMEOUT_SECONDS}).
 */
class ScheduledTimerTest {
  SourceItems pg;
  ScheduledTimer timer;
  String timerInfo;
  final List<String> log = new CopyOnWriteArrayList<>();
  final FakeExecutionContext context = new FakeExecutionContext();

  @BeforeEach
  void setUp() throws Exception {
    pg = new SourceItems(3);
    timer = new ScheduledTimer(new ItemsConnector(), ScheduledConfig.builder()
        .destinationUrl(pg.destinationUrl()).destinationPassword(pg.destinationPassword)
        .connection("items").secrets(pg.secrets(100)).applyMargin(Duration.ofMillis(200))
        .engine(EngineConfig.builder().settleLag(Duration.ZERO).pageSize(25).maxRowsPerResponse(60)
            .deadlineMargin(Duration.ofMillis(100)).callTimeout(Duration.ofSeconds(3))
            .logSink(log::add).build())
        .build());
    try (InputStream in = getClass().getResourceAsStream("/fixtures/timer-info.json")) {
      timerInfo = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @AfterEach
  void drop() throws Exception {
    pg.close();
  }

  @Test
  void firingsKeepPostgresEqualToTheSourceAndAFiringCutByItsDeadlineResumesOnTheNext() throws Exception {
    pg.insert(45);
    assertEquals(StopReason.CAUGHT_UP, timer.run(timerInfo, context).stopReason());
    assertEquals(pg.live(), pg.destination());

    pg.insert(10);
    pg.change(8, 4);
    TickSummary second = timer.run(timerInfo, context);
    assertEquals(StopReason.CAUGHT_UP, second.stopReason(), second.toJson());
    assertEquals(4, second.tables().get("items").deleted());
    assertEquals(pg.live(), pg.destination());

    pg.insert(1500);
    TickSummary cut = timer.run(timerInfo, context);
    assertEquals(StopReason.DEADLINE, cut.stopReason(), cut.toJson());
    int landed = pg.destination().size();
    assertTrue(landed > 51 && landed < 1551, landed + " rows after the firing that hit the deadline");
    TickSummary resumed = cut;
    for (int i = 0; i < 8 && resumed.stopReason() == StopReason.DEADLINE; i++) {
      resumed = timer.run(timerInfo, context);
    }
    assertEquals(StopReason.CAUGHT_UP, resumed.stopReason(), resumed.toJson());
    assertEquals(pg.live(), pg.destination());

    pg.change(25, 10);
    assertEquals(StopReason.CAUGHT_UP, timer.run(timerInfo, context).stopReason());
    assertEquals(pg.live(), pg.destination());
    String all = String.join("\n", log);
    assertFalse(all.contains(pg.password) || all.contains(pg.destinationPassword));
  }

  @Test
  void aFailedFiringThrowsSoTheInvocationFails() throws Exception {
    pg.insert(10);
    timer.run(timerInfo, context);
    try (Connection c = SourceItems.admin(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE " + pg.sourceSchema + ".items");
    }

    ScheduledSyncException e = assertThrows(ScheduledSyncException.class,
        () -> timer.run(timerInfo, context));

    assertTrue(e.getMessage().contains("items"), e.getMessage());
    assertFalse(e.getMessage().contains(pg.password), e.getMessage());
    assertEquals(10, pg.destination().size());
  }

  @Test
  void theFunctionWithoutADestinationFailsEachFiringNamingTheSetting() {
    // This JVM has no TRIBUTARY_DESTINATION_URL: the packaged function's first firing says so,
    // and so does the next (the timer is not half-built).
    for (int firing = 0; firing < 2; firing++) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new ScheduledFunction().run(timerInfo, context));
      assertTrue(e.getMessage().contains("TRIBUTARY_DESTINATION_URL is not set"), e.getMessage());
    }
  }
}
