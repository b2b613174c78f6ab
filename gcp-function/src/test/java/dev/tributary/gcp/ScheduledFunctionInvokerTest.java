package dev.tributary.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.EngineConfig;
import dev.tributary.scheduled.ScheduledConfig;
import dev.tributary.scheduled.testing.SourceItems;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * {@link TributaryScheduledFunction} as Cloud Scheduler drives it: POSTs to the function served by
 * the real Functions Framework invoker, each one tick from a PostgreSQL table into PostgreSQL,
 * each tick given 3 s ({@code TRIBUTARY_TIMEOUT_SECONDS}).
 */
class ScheduledFunctionInvokerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  SourceItems pg;
  InvokerServer server;
  final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void serve() throws Exception {
    pg = new SourceItems(2);
    ItemsScheduledFunction.config = ScheduledConfig.builder()
        .destinationUrl(pg.destinationUrl()).destinationPassword(pg.destinationPassword)
        .connection("items").secrets(pg.secrets(100)).applyMargin(Duration.ofMillis(200))
        .engine(EngineConfig.builder().settleLag(Duration.ZERO).pageSize(25).maxRowsPerResponse(60)
            .deadlineMargin(Duration.ofMillis(100)).callTimeout(Duration.ofSeconds(3))
            .logSink(log::add).build())
        .build();
    server = InvokerServer.serving(ItemsScheduledFunction.class);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    pg.close();
  }

  /** What Cloud Scheduler sends: a POST with the job's body (here, none of ours matters). */
  HttpResponse<byte[]> post() throws Exception {
    return server.post("{}".getBytes(StandardCharsets.UTF_8), "application/json");
  }

  JsonNode tick() throws Exception {
    HttpResponse<byte[]> r = post();
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    return JSON.readTree(r.body());
  }

  @Test
  void ticksKeepPostgresEqualToTheSourceAndATickCutByItsDeadlineResumesOnTheNext() throws Exception {
    pg.insert(50);
    assertEquals("caught_up", tick().path("stop_reason").asText());
    assertEquals(pg.live(), pg.destination());

    pg.insert(15);
    pg.change(12, 6);
    JsonNode second = tick();
    assertEquals("caught_up", second.path("stop_reason").asText(), second.toString());
    assertEquals(6, second.path("tables").path("items").path("deleted").asInt(), second.toString());
    assertEquals(pg.live(), pg.destination());

    pg.insert(1500);
    JsonNode cut = tick();
    assertEquals("deadline", cut.path("stop_reason").asText(), cut.toString());
    int landed = pg.destination().size();
    assertTrue(landed > 59 && landed < 1559, landed + " rows after the tick that hit the deadline");
    JsonNode resumed = cut;
    for (int i = 0; i < 8 && resumed.path("stop_reason").asText().equals("deadline"); i++) {
      resumed = tick();
    }
    assertEquals("caught_up", resumed.path("stop_reason").asText(), resumed.toString());
    assertEquals(pg.live(), pg.destination());

    pg.change(20, 9);
    assertEquals("caught_up", tick().path("stop_reason").asText());
    assertEquals(pg.live(), pg.destination());
    String all = String.join("\n", log);
    assertFalse(all.contains(pg.password) || all.contains(pg.destinationPassword));
  }

  @Test
  void aFailedTickAnswers500WithTheSummarySoTheSchedulerSeesIt() throws Exception {
    pg.insert(10);
    assertEquals("caught_up", tick().path("stop_reason").asText());
    try (Connection c = SourceItems.admin(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE " + pg.sourceSchema + ".items");
    }

    HttpResponse<byte[]> r = post();

    assertEquals(500, r.statusCode());
    JsonNode summary = JSON.readTree(r.body());
    assertEquals("failed", summary.path("stop_reason").asText());
    assertTrue(summary.path("error").asText().contains("items"), summary.toString());
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertFalse(body.contains(pg.password) || body.contains(pg.destinationPassword), body);
    assertEquals(10, pg.destination().size());
  }

  @Test
  void onlyPostStartsATick() throws Exception {
    HttpResponse<byte[]> r = server.send(HttpRequest.newBuilder().GET());

    assertEquals(405, r.statusCode());
    assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
    assertTrue(log.stream().noneMatch(l -> l.contains("scheduled_sync")), log.toString());
  }
}
