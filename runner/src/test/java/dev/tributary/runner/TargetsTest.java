package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.functions.invoker.runner.Invoker;
import dev.tributary.runner.Cli.Run;
import dev.tributary.runner.ScriptedHttpFunction.Reply;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same connector (the core's {@code FixtureConnector}, found through {@code ServiceLoader})
 * synced three ways — in process, over HTTP through the real Google Functions Framework invoker,
 * and through the AWS adapter's stream handler — ends in identical warehouses. Plus the CLI's
 * {@code --header}, {@code state --set} and {@code reset}.
 */
class TargetsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ORDERS = "SELECT * EXCLUDE (_fivetran_synced) FROM orders ORDER BY id";
  static final String CURRENCIES = "SELECT * EXCLUDE (_fivetran_synced) FROM currencies ORDER BY code";

  @TempDir Path dir;

  @Test
  void inProcessHttpAndLambdaTargetsFillIdenticalWarehouses() throws Exception {
    Path secrets = dir.resolve("secrets.json");
    Files.writeString(secrets, "{\"api_token\":\"tok-9f8e7d6c5b4a\"}");
    Path inProcess = dir.resolve("in-process");
    Path http = dir.resolve("http");
    Path lambda = dir.resolve("lambda");

    Run a = Cli.run("sync", "--dir", inProcess.toString(), "--secrets", secrets.toString(),
        "--connector", "dev.tributary.testing.FixtureConnector");
    Run b;
    int port = freePort();
    Invoker invoker = new Invoker(port, FixtureEntryPoints.HttpFunction.class.getName(), "http",
        FixtureEntryPoints.HttpFunction.class.getClassLoader());
    invoker.startTestServer();
    try {
      b = Cli.run("sync", "--dir", http.toString(), "--secrets", secrets.toString(),
          "--url", "http://127.0.0.1:" + port + "/");
    } finally {
      invoker.stopServer();
    }
    Run c = Cli.run("sync", "--dir", lambda.toString(), "--secrets", secrets.toString(),
        "--lambda-handler", "dev.tributary.runner.FixtureEntryPoints$LambdaHandler::handleRequest");

    for (Run r : new Run[] {a, b, c}) {
      assertEquals(0, r.exit(), r.all());
      assertTrue(r.out().contains("sync finished"), r.all());
      assertTrue(r.out().contains("33 rows"), r.all());
    }
    assertTrue(b.out().contains("(HTTP: http://127.0.0.1:" + port + "/)"), b.out());
    assertTrue(c.out().contains("(Lambda handler: dev.tributary.runner.FixtureEntryPoints$LambdaHandler::handleRequest)"),
        c.out());

    String orders = query(inProcess, ORDERS);
    assertTrue(orders.contains("(28 rows)"), orders);
    assertEquals(orders, query(http, ORDERS), "HTTP through the GCP invoker");
    assertEquals(orders, query(lambda, ORDERS), "AWS Lambda handler");
    String currencies = query(inProcess, CURRENCIES);
    assertTrue(currencies.contains("(3 rows)"), currencies);
    assertEquals(currencies, query(http, CURRENCIES));
    assertEquals(currencies, query(lambda, CURRENCIES));
    String state = Cli.run("state", "--dir", inProcess.toString()).out();
    assertTrue(JSON.readTree(state).has("version"), state);
    assertEquals(state, Cli.run("state", "--dir", http.toString()).out());
    assertEquals(state, Cli.run("state", "--dir", lambda.toString()).out());
    // The engine's log lines go to function.log, as they would to CloudWatch, not to the console.
    String log = Files.readString(lambda.resolve("function.log"));
    assertTrue(log.lines().count() >= 1, "function.log: " + log);
    assertFalse(c.out().contains("\"event\""), "engine log on the console: " + c.out());
  }

  @Test
  void headersAreSentWithEveryCallAndOnlyTheFirstColonSplits() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.of("{\"state\":{},\"hasMore\":false}"))) {
      Run r = Cli.run("sync", "--dir", dir.toString(), "--url", fn.uri().toString(),
          "--header", "x-functions-key:k3y", "--header", "Authorization: Bearer a:b:c");

      assertEquals(0, r.exit(), r.all());
      assertEquals(2, fn.requests().size());
      for (ScriptedHttpFunction.Request q : fn.requests()) {
        assertEquals("k3y", q.header("x-functions-key"));
        assertEquals("Bearer a:b:c", q.header("Authorization"));
        assertEquals("application/json", q.header("Content-Type"));
      }
    }
  }

  @Test
  void headerWithoutANameIsAUsageError() {
    Run r = Cli.run("sync", "--dir", dir.toString(), "--url", "http://127.0.0.1:9/",
        "--header", "no-colon-here");

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("--header must be name:value, got 'no-colon-here'"), r.all());
    assertFalse(Files.exists(dir.resolve("warehouse.db")));
  }

  @Test
  void twoTargetsAreAUsageError() {
    Run r = Cli.run("sync", "--dir", dir.toString(), "--url", "http://127.0.0.1:9/",
        "--connector", "dev.tributary.testing.FixtureConnector");

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("choose one target: --connector, --url or --lambda-handler"), r.all());
  }

  @Test
  void stateSetReplacesTheStateTheNextSyncStartsFrom() throws Exception {
    Path file = dir.resolve("operator-state.json");
    Files.writeString(file, "{\"cursor\": 41, \"note\": \"set by an operator\"}");

    Run set = Cli.run("state", "--dir", dir.toString(), "--set", file.toString());
    assertEquals(0, set.exit(), set.all());
    assertTrue(set.out().contains("\"cursor\" : 41"), "prints the new state, pretty: " + set.out());
    Run show = Cli.run("state", "--dir", dir.toString());
    assertEquals(set.out(), show.out());

    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.of("{\"state\":{\"cursor\":42},\"hasMore\":false}"))) {
      assertEquals(0, Cli.run("sync", "--dir", dir.toString(), "--url", fn.uri().toString()).exit());
      assertEquals(JSON.readTree(file.toFile()), fn.requests().get(0).body().get("state"));
    }
    assertTrue(Cli.run("state", "--dir", dir.toString()).out().contains("\"cursor\" : 42"));
  }

  @Test
  void stateSetRefusesAnythingButAnObject() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "[1, 2]");

    Run r = Cli.run("state", "--dir", dir.toString(), "--set", file.toString());

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("must hold a JSON object"), r.all());
    assertFalse(Files.exists(dir.resolve("warehouse.db")), "nothing was opened");
  }

  @Test
  void stateOfANewConnectionIsEmptyAndReadingItCreatesNothing() {
    Run r = Cli.run("state", "--dir", dir.toString());

    assertEquals(0, r.exit(), r.all());
    assertEquals("{ }", r.out().strip());
    assertFalse(Files.exists(dir.resolve("warehouse.db")));
  }

  @Test
  void resetDropsTheTablesAndTheStateSoTheNextSyncIsHistorical() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.of("{\"state\":{\"cursor\":2},\"insert\":{\"orders\":[{\"id\":1}]},"
            + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}"))) {
      assertEquals(0, Cli.run("sync", "--dir", dir.toString(), "--url", fn.uri().toString()).exit());
      assertTrue(Cli.run("state", "--dir", dir.toString()).out().contains("\"cursor\" : 2"));

      Run reset = Cli.run("reset", "--dir", dir.toString());
      assertEquals(0, reset.exit(), reset.all());
      assertTrue(reset.out().contains("reset connection default in duckdb:"), reset.out());
      assertTrue(reset.out().contains(": its tables and state dropped"), reset.out());
      assertEquals("{ }", Cli.run("state", "--dir", dir.toString()).out().strip());
      Run query = Cli.run("query", "--dir", dir.toString(), "SELECT count(*) AS n FROM"
          + " information_schema.tables WHERE table_name = 'orders'");
      assertEquals(0, query.exit(), query.all());
      assertTrue(query.out().lines().anyMatch("0"::equals), "orders is dropped: " + query.out());
      Run again = Cli.run("reset", "--dir", dir.toString());
      assertTrue(again.out().contains("nothing to reset: connection default has no state and no"
          + " tables"), again.all());

      assertEquals(0, Cli.run("sync", "--dir", dir.toString(), "--url", fn.uri().toString()).exit());
      assertEquals(JSON.createObjectNode(), fn.requests().get(1).body().get("state"),
          "after a reset the first call carries {}");
    }
  }

  static String query(Path workspace, String sql) {
    Run r = Cli.run("query", "--dir", workspace.toString(), sql);
    assertEquals(0, r.exit(), r.all());
    return r.out();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
