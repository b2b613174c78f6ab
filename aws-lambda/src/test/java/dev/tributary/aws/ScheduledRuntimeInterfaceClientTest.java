package dev.tributary.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.scheduled.testing.SourceItems;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TributaryScheduledHandler} as EventBridge Scheduler drives it: the real AWS Lambda Java
 * runtime interface client, in its own JVM, runs the handler by its handler string and gets a
 * real {@code ScheduledEvent} payload from a Runtime API on loopback whose invocations end after
 * 3 s; the connector reads a PostgreSQL table and the ticks write into PostgreSQL.
 */
class ScheduledRuntimeInterfaceClientTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long INVOCATION_MILLIS = 3_000;

  SourceItems pg;
  LoopbackRuntimeApi api;
  Process runtime;
  Path output;

  @AfterEach
  void stop() throws Exception {
    if (runtime != null) {
      runtime.destroy();
      if (!runtime.waitFor(10, TimeUnit.SECONDS)) {
        runtime.destroyForcibly();
      }
    }
    if (api != null) {
      api.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  void start() throws Exception {
    pg = new SourceItems(1);
    api = new LoopbackRuntimeApi(INVOCATION_MILLIS);
    output = Files.createTempFile("ric-scheduled-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
    command.add("dev.tributary.aws.ItemsScheduledHandler::handleRequest");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    var env = pb.environment();
    env.put("AWS_LAMBDA_RUNTIME_API", api.address());
    env.put("AWS_LAMBDA_FUNCTION_NAME", "tributary-scheduled");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("LAMBDA_TASK_ROOT", new File(".").getAbsolutePath());
    env.put("TRIBUTARY_DESTINATION_URL", pg.destinationUrl());
    env.put("TRIBUTARY_DESTINATION_PASSWORD", pg.destinationPassword);
    env.put("TRIBUTARY_CONNECTION", "items");
    env.put("TRIBUTARY_SECRETS", pg.secrets(100).toString());
    env.put("TRIBUTARY_SETTLE_LAG_SECONDS", "0");
    env.put("TRIBUTARY_PAGE_SIZE", "25");
    env.put("TRIBUTARY_MAX_ROWS", "60");
    env.put("TRIBUTARY_DEADLINE_MARGIN_MS", "100");
    env.put("TRIBUTARY_APPLY_MARGIN_MS", "200");
    runtime = pb.start();
  }

  /** One tick: the scheduled event through the runtime; the summary line it returned. */
  JsonNode tick() throws Exception {
    byte[] reply;
    try {
      reply = api.invoke(event(), 60, runtime);
    } catch (Exception e) {
      throw new AssertionError("runtime interface client output:\n" + Files.readString(output), e);
    }
    JsonNode r = JSON.readTree(reply);
    assertTrue(r.isTextual(), "the handler returns the summary line: " + r);
    return JSON.readTree(r.asText());
  }

  static byte[] event() throws Exception {
    try (InputStream in = ScheduledRuntimeInterfaceClientTest.class
        .getResourceAsStream("/fixtures/scheduled-event.json")) {
      return in.readAllBytes();
    }
  }

  @Test
  void ticksOnScheduledEventsKeepPostgresEqualToTheSourceAndResumeAfterTheDeadline() throws Exception {
    start();
    pg.insert(40);
    JsonNode first = tick();
    assertEquals("caught_up", first.path("stop_reason").asText(), first.toString());
    assertEquals(40, first.path("tables").path("items").path("upserted").asInt());
    assertEquals(pg.live(), pg.destination());

    pg.insert(20);
    pg.change(10, 5);
    JsonNode second = tick();
    assertEquals("caught_up", second.path("stop_reason").asText(), second.toString());
    assertEquals(pg.live(), pg.destination());

    // More than one 3 s invocation can read at 25 rows per 100 ms.
    pg.insert(1500);
    JsonNode cut = tick();
    assertEquals("deadline", cut.path("stop_reason").asText(), cut.toString());
    int landed = pg.destination().size();
    assertTrue(landed > 55 && landed < 1555, landed + " rows after the tick that hit the deadline");
    JsonNode resumed = cut;
    for (int i = 0; i < 8 && resumed.path("stop_reason").asText().equals("deadline"); i++) {
      resumed = tick();
    }
    assertEquals("caught_up", resumed.path("stop_reason").asText(), resumed.toString());
    assertEquals(pg.live(), pg.destination());

    pg.change(30, 12);
    JsonNode last = tick();
    assertEquals("caught_up", last.path("stop_reason").asText(), last.toString());
    assertEquals(pg.live(), pg.destination());

    String log = Files.readString(output);
    assertTrue(log.contains("\"event\":\"scheduled_sync\""), log);
    assertFalse(log.contains(pg.password) || log.contains(pg.destinationPassword),
        "a password in the function's output");
  }

  @Test
  void aFailedTickIsAnInvocationErrorWithoutSecrets() throws Exception {
    start();
    pg.insert(10);
    assertEquals("caught_up", tick().path("stop_reason").asText());
    try (Connection c = SourceItems.admin(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE " + pg.sourceSchema + ".items");
    }

    String reply = new String(api.invoke(event(), 60, runtime));

    assertTrue(reply.startsWith("{\"runtimeError\":"), reply);
    JsonNode error = JSON.readTree(reply).path("runtimeError");
    assertEquals("dev.tributary.scheduled.ScheduledSyncException", error.path("errorType").asText(), reply);
    assertTrue(error.path("errorMessage").asText().contains("items"), reply);
    assertFalse(reply.contains(pg.password) || reply.contains(pg.destinationPassword), reply);
    assertEquals(10, pg.destination().size(), "the committed rows stay");
  }
}
