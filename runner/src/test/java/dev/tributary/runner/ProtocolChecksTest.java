package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.destination.Destination;
import dev.tributary.runner.Cli.Run;
import dev.tributary.runner.ScriptedHttpFunction.Reply;
import dev.tributary.testing.Fixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every protocol check of the runner, each triggered by a deliberately broken function: the sync
 * stops with the right exit code and a message naming the call, the destination keeps the last
 * accepted state, and never sees the offending response's rows (ids 100 and up).
 */
class ProtocolChecksTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "tok-9f8e7d6c5b4a";
  /** The state of fixtures/responses/first-page.json, accepted before the broken call. */
  static final String FIRST_STATE = "{\"cursor\":1}";

  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------------
  // Malformed responses: the second call breaks the protocol.

  static Stream<Arguments> brokenSecondResponses() {
    return Stream.of(
        Arguments.of("a body that is not JSON", "not-json.txt",
            "call 2: response is not JSON"),
        Arguments.of("two JSON documents in one body", "two-documents.txt",
            "call 2: response is not JSON"),
        Arguments.of("a JSON array instead of an object", "array-not-object.json",
            "call 2: response is a JSON array, not an object"),
        Arguments.of("state missing", "state-missing.json",
            "call 2: state is missing"),
        Arguments.of("state a string, not an object", "state-not-object.json",
            "call 2: state is a JSON string, not an object"),
        Arguments.of("hasMore missing", "hasmore-missing.json",
            "call 2: hasMore is missing"),
        Arguments.of("hasMore the string \"false\"", "hasmore-string-false.json",
            "call 2: hasMore is a JSON string (\"false\"), not a boolean"),
        Arguments.of("delete without schema", "delete-without-schema.json",
            "call 2: delete for table orders without a primary key in schema"),
        Arguments.of("an inserted row missing its primary-key column", "row-missing-primary-key.json",
            "call 2: insert.orders[1] has no value for primary-key column id"),
        Arguments.of("a deleted row missing its primary-key column", "delete-missing-primary-key.json",
            "call 2: delete.orders[0] has no value for primary-key column id"),
        Arguments.of("a primary key naming no column", "primary-key-empty.json",
            "call 2: schema.orders.primary_key must name at least one column, got []"),
        Arguments.of("one key twice in insert", "key-twice-in-insert.json",
            "call 2: table orders carries key id=7 twice (in insert)"),
        Arguments.of("one key in insert and in delete", "key-in-insert-and-delete.json",
            "call 2: table orders carries key id=7 twice (in insert and delete)"));
  }

  @ParameterizedTest(name = "{0} stops the sync at call 2")
  @MethodSource("brokenSecondResponses")
  void brokenResponseIsAProtocolViolationThatAdvancesNothing(String what, String fixture,
      String message) throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.fixture("responses/" + fixture))) {
      Run r = sync(fn);

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: " + message), r.all());
      assertTrue(r.out().contains("sync stopped: protocol violation: 2 calls"), r.all());
      assertEquals(2, fn.requests().size());
      assertStateIs(FIRST_STATE);
      assertWarehouseHoldsOnly(1, 2);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // One key per response: the same row twice is a violation too (the function would not be
  // cutting its responses at a repeated key), not only two different versions.

  @Test
  void sameRowTwiceIsAViolationEvenWithEqualValues() throws Exception {
    String body = "{\"state\":{},\"insert\":{\"orders\":[{\"id\":7},{\"id\":7}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}";
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(Reply.of(body))) {
      Run r = sync(fn);

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 1: table orders carries key id=7 twice (in insert)"),
          r.all());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Limits.

  @Test
  void responseOverLimitBytesIsAViolation() throws Exception {
    ObjectNode big = (ObjectNode) Fixtures.json("responses/first-page.json");
    big.put("hasMore", false).set("state", JSON.readTree("{\"cursor\":2}"));
    big.withArray("/insert/orders").removeAll()
        .addObject().put("id", 101).put("note", "x".repeat(2_000));
    int size = big.toString().getBytes(StandardCharsets.UTF_8).length;
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.of(big))) {
      Run r = sync(fn, "--limit-bytes", "1000");

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 2: response of " + size + " bytes exceeds the limit"
          + " of 1000 (--limit-bytes"), r.all());
      assertStateIs(FIRST_STATE);
      assertWarehouseHoldsOnly(1, 2);
    }
  }

  @Test
  void stateOverStateLimitBytesIsAViolationCountedInBytes() throws Exception {
    ObjectNode body = (ObjectNode) Fixtures.json("responses/first-page.json");
    body.put("hasMore", false);
    body.putObject("state").put("cursor", "é".repeat(60)); // 60 characters, 120 bytes
    body.withArray("/insert/orders").removeAll().addObject().put("id", 101);
    int stateBytes = body.get("state").toString().getBytes(StandardCharsets.UTF_8).length;
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.of(body))) {
      Run r = sync(fn, "--state-limit-bytes", "100");

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 2: state of " + stateBytes + " bytes exceeds its"
          + " cap of 100 (--state-limit-bytes)"), r.all());
      assertStateIs(FIRST_STATE);
      assertWarehouseHoldsOnly(1, 2);
    }
  }

  @Test
  void moreThanTenConsecutiveEmptyResponsesWithHasMoreEndTheSync() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(n -> n == 1
        ? Reply.fixture("responses/first-page.json")
        : Reply.of(emptyWithHasMore(n)))) {
      Run r = sync(fn);

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 12: more than 10 consecutive empty responses with"
          + " hasMore: true; Fivetran ends the connection"), r.all());
      assertEquals(12, fn.requests().size());
      // Calls 2 to 11 were ten empty responses: accepted; the eleventh is not.
      assertStateIs("{\"cursor\":11}");
    }
  }

  @Test
  void tenConsecutiveEmptyResponsesAreStillAccepted() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(n -> n == 1
        ? Reply.fixture("responses/first-page.json")
        : n <= 11 ? Reply.of(emptyWithHasMore(n))
        : Reply.of("{\"state\":{\"cursor\":12},\"hasMore\":false}"))) {
      Run r = sync(fn);

      assertEquals(0, r.exit(), r.all());
      assertEquals(12, fn.requests().size());
      assertStateIs("{\"cursor\":12}");
    }
  }

  @Test
  void syncOverTimeLimitIsStoppedBeforeItsNextCall() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(n -> Reply.of(
        "{\"state\":{\"cursor\":" + n + "},\"insert\":{\"orders\":[{\"id\":" + n + "}]},"
            + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":true}")
        .after(Duration.ofMillis(250)))) {
      Run r = sync(fn, "--time-limit", "PT0.6S");

      assertEquals(2, r.exit(), r.all());
      Matcher m = Pattern.compile("error: call (\\d+): the sync ran over its time limit of PT0.6S"
          + " \\(--time-limit; Fivetran stops a sync after 6 hours\\)").matcher(r.out());
      assertTrue(m.find(), r.all());
      int stoppedAt = Integer.parseInt(m.group(1));
      assertTrue(stoppedAt >= 2, r.all());
      assertEquals(stoppedAt - 1, fn.requests().size(), "the call over the limit is never made");
      assertStateIs("{\"cursor\":" + (stoppedAt - 1) + "}");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Error responses: a connector error, not a protocol violation.

  @Test
  void errorResponseIsPrintedAndLeavesTheStateWhereItWas() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.fixture("responses/error.json").status(502))) {
      Run r = sync(fn);

      assertEquals(3, r.exit(), r.all());
      assertTrue(r.out().contains("call 2: the function answered an error (SourceFailure, HTTP 502):"
          + " GET https://api.example.com/orders failed: 503 Service Unavailable — state not"
          + " advanced"), r.all());
      assertTrue(r.out().contains("sync stopped: connector error"), r.all());
      assertStateIs(FIRST_STATE);
      assertWarehouseHoldsOnly(1, 2);
    }
  }

  @Test
  void nextSyncAfterAnErrorRepeatsTheCallWithTheLastAcceptedState() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.fixture("responses/error.json").status(500),
        Reply.of("{\"state\":{\"cursor\":2},\"hasMore\":false}"))) {
      assertEquals(3, sync(fn).exit());
      Run again = sync(fn);

      assertEquals(0, again.exit(), again.all());
      assertEquals(JSON.readTree(FIRST_STATE), fn.requests().get(1).body().get("state"));
      assertEquals(JSON.readTree(FIRST_STATE), fn.requests().get(2).body().get("state"));
      assertStateIs("{\"cursor\":2}");
    }
  }

  @Test
  void connectorThatThrowsInProcessIsAConnectorError() throws Exception {
    Path secrets = secretsFile("{\"api_token\":\"" + SECRET + "\",\"mode\":\"bug\"}");
    Run r = Cli.run("sync", "--dir", dir.toString(), "--connector",
        "dev.tributary.testing.FixtureConnector", "--secrets", secrets.toString());

    assertEquals(3, r.exit(), r.all());
    assertTrue(r.out().contains("call 1: the function answered an error ("), r.all());
    assertTrue(r.out().contains("— state not advanced"), r.all());
    assertNoState();
  }

  @Test
  void errorStatusWithABodyThatIsNotAnErrorIsAViolation() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"),
        Reply.of("{\"state\":{\"cursor\":2},\"insert\":{\"orders\":[{\"id\":101}]},"
            + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}").status(500))) {
      Run r = sync(fn);

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 2: HTTP 500 with a body that is not an error response"),
          r.all());
      assertStateIs(FIRST_STATE);
      assertWarehouseHoldsOnly(1, 2);
    }
  }

  @Test
  void unreachableFunctionIsAConnectorError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Run r = Cli.run("sync", "--dir", dir.toString(), "--url", "http://127.0.0.1:" + port + "/");

    assertEquals(3, r.exit(), r.all());
    assertTrue(r.out().contains("error: call 1: calling the function (HTTP: http://127.0.0.1:"
        + port + "/) failed: connection refused: nothing listens at 127.0.0.1:" + port
        + "; start the function"), r.all());
    assertFalse(r.out().contains("null"), r.all());
    assertNoState();
  }

  // ---------------------------------------------------------------------------------------------
  // Secrets.

  @Test
  void secretInARowIsAViolationAndIsNotPrinted() throws Exception {
    String body = "{\"state\":{\"cursor\":2},\"insert\":{\"orders\":[{\"id\":101,"
        + "\"note\":\"GET /orders?api_token=" + SECRET + "\"}]},"
        + "\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}";
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.of(body))) {
      Run r = sync(fn, "--secrets", secretsFile("{\"api_token\":\"" + SECRET + "\"}").toString());

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 2: a secret value appears in the response"), r.all());
      assertFalse(r.all().contains(SECRET), "the runner must not print the secret: " + r.all());
      assertStateIs(FIRST_STATE);
      assertWarehouseHoldsOnly(1, 2);
    }
  }

  @Test
  void secretInStateIsAViolation() throws Exception {
    String body = "{\"state\":{\"cursor\":2,\"auth\":{\"token\":\"" + SECRET + "\"}},"
        + "\"hasMore\":false}";
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.of(body))) {
      Run r = sync(fn, "--secrets", secretsFile("{\"nested\":{\"api_token\":\"" + SECRET + "\"}}")
          .toString());

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 2: a secret value appears in the response"), r.all());
      assertStateIs(FIRST_STATE);
      try (Destination w = warehouse()) {
        assertFalse(w.state("default").toString().contains(SECRET));
      }
    }
  }

  @ParameterizedTest(name = "secret {0} is found however the response escapes it")
  @ValueSource(strings = {"pa\"ss\\word", "\u00fcber-geheim", "tok/9f8e7d"})
  void secretIsFoundEvenWhenTheResponseEscapesIt(String secret) throws Exception {
    ObjectNode secrets = JSON.createObjectNode().put("password", secret);
    // Every character as \\uXXXX: the same JSON string value, none of the secret's bytes.
    StringBuilder escaped = new StringBuilder();
    secret.chars().forEach(c -> escaped.append(String.format("\\u%04x", c)));
    String body = "{\"state\":{\"cursor\":2},\"insert\":{\"orders\":[{\"id\":101,"
        + "\"note\":\"" + escaped + "\"}]},\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},"
        + "\"hasMore\":false}";
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.of(body))) {
      Run r = sync(fn, "--secrets", secretsFile(secrets.toString()).toString());

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("error: call 2: a secret value appears in the response"), r.all());
      assertStateIs(FIRST_STATE);
      assertWarehouseHoldsOnly(1, 2);
    }
  }

  @Test
  void secretsAreSentToTheFunctionInEveryRequest() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.of("{\"state\":{},\"hasMore\":false}"))) {
      Run r = sync(fn, "--secrets", secretsFile("{\"api_token\":\"" + SECRET + "\"}").toString());

      assertEquals(0, r.exit(), r.all());
      for (ScriptedHttpFunction.Request q : fn.requests()) {
        assertEquals(SECRET, q.body().path("secrets").path("api_token").asText());
        assertTrue(q.body().path("sync_id").isTextual());
      }
      assertEquals(JSON.createObjectNode(), fn.requests().get(0).body().get("state"));
      assertEquals(JSON.readTree(FIRST_STATE), fn.requests().get(1).body().get("state"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // --json

  @Test
  void jsonSummaryOfAViolationIsMachineReadable() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.fixture("responses/first-page.json"), Reply.fixture("responses/state-missing.json"))) {
      Run r = sync(fn, "--json");

      assertEquals(2, r.exit(), r.all());
      JsonNode s = JSON.readTree(r.out());
      assertEquals("protocol_violation", s.get("result").asText());
      assertEquals(2, s.get("exit_code").asInt());
      assertEquals("HTTP: " + fn.uri(), s.get("target").asText());
      assertEquals(2, s.get("calls").asInt());
      assertEquals(2, s.get("rows").asInt());
      assertEquals(2, s.path("tables").path("orders").path("upserted").asInt());
      assertTrue(s.get("bytes").asLong() > 0);
      assertEquals(List.of("error: call 2: state is missing"), texts(s.get("problems")));
    }
  }

  @Test
  void jsonSummaryOfASuccessCarriesCounts() throws Exception {
    String body = "{\"state\":{\"cursor\":1},\"insert\":{\"orders\":[{\"id\":7},{\"id\":8},"
        + "{\"id\":9}]},\"schema\":{\"orders\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}";
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(Reply.of(body))) {
      Run r = sync(fn, "--json");

      assertEquals(0, r.exit(), r.all());
      assertEquals(1, r.out().lines().count(), "one JSON line, no progress: " + r.out());
      JsonNode s = JSON.readTree(r.out());
      assertEquals("success", s.get("result").asText());
      assertEquals(0, s.get("exit_code").asInt());
      assertEquals(1, s.get("calls").asInt());
      assertEquals(3, s.path("tables").path("orders").path("upserted").asInt());
      assertEquals(0, s.path("tables").path("orders").path("deleted").asInt());
      assertEquals(0, s.get("problems").size(), r.out());
    }
  }

  // ---------------------------------------------------------------------------------------------

  Run sync(ScriptedHttpFunction fn, String... extra) {
    List<String> args = new ArrayList<>(List.of("sync", "--dir", dir.toString(),
        "--url", fn.uri().toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(new String[0]));
  }

  Path secretsFile(String json) throws IOException {
    Path p = dir.resolve("secrets.json");
    Files.writeString(p, json);
    return p;
  }

  static String emptyWithHasMore(int call) {
    ObjectNode n = (ObjectNode) Fixtures.json("responses/empty-has-more.json");
    n.putObject("state").put("cursor", call);
    return n.toString();
  }

  Destination warehouse() {
    return Destination.open("duckdb:" + dir.resolve("warehouse.db"));
  }

  /** The connection's committed state is {@code json}. */
  void assertStateIs(String json) throws IOException {
    try (Destination w = warehouse()) {
      assertEquals(JSON.readTree(json), w.state("default"), "the committed state");
    }
  }

  /** No state was ever committed: a first sync's {@code {}}. */
  void assertNoState() {
    if (Files.exists(dir.resolve("warehouse.db"))) {
      try (Destination w = warehouse()) {
        assertEquals(JSON.createObjectNode(), w.state("default"), "the committed state");
      }
    }
  }

  /** The orders table holds exactly these ids: nothing of the rejected response. */
  void assertWarehouseHoldsOnly(long... ids) throws Exception {
    List<Long> want = new ArrayList<>();
    for (long id : ids) {
      want.add(id);
    }
    try (Destination w = warehouse()) {
      List<Object> have = new ArrayList<>();
      for (Map<String, Object> row : w.rows("orders")) {
        have.add(row.get("id"));
      }
      assertEquals(want, have, "ids in the warehouse");
    }
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
