package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.FunctionHandler.Outcome;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secrets never leave the function: not in a response body (success or error), not in state, not
 * in a log line — also when the connector's own exceptions quote them, raw or URL-encoded.
 */
class SecretsHygieneTest {
  static final String API_KEY = "sk_live_7Hq2xN9pLm4RzT";
  static final String PASSWORD = "s3cr3t p@ss/w+rd&x=1";
  static final Map<String, Object> SECRETS = Map.of(
      "apiKey", API_KEY,
      "auth", Map.of("user", "etl-reader", "password", PASSWORD));

  static final Instant T0 = Instant.parse("2024-05-01T09:00:00Z");

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();

  /** How {@link LeakyConnector} misbehaves on its next calls. */
  enum Mode {
    WORKS,
    /** read throws an IOException quoting the request URL with the secrets in it. */
    IO_FAILURE_QUOTING_SECRETS,
    /** read throws an IllegalStateException quoting the secrets. */
    RUNTIME_FAILURE_QUOTING_SECRETS,
    /** read requires a secret the connection does not have. */
    MISSING_SECRET,
    /** read throws a MissingSecretException whose message (wrongly) quotes a secret. */
    MALFORMED_SECRET_QUOTING_IT,
    /** the setup test fails with an IOException quoting the secrets. */
    SETUP_TEST_FAILS_QUOTING_SECRETS,
    /** asking the source's clock fails with an IOException quoting the secrets. */
    SOURCE_CLOCK_FAILS_QUOTING_SECRETS
  }

  /** A connector over a simulated source whose failures quote the connection's secrets. */
  static final class LeakyConnector implements Connector {
    final SimulatedSource source;
    Mode mode = Mode.WORKS;

    LeakyConnector(SimulatedSource source) {
      this.source = source;
    }

    @Override
    public Schema schema() {
      return source.schema();
    }

    @Override
    public Page read(TableRead read) throws IOException {
      Secrets s = read.secrets();
      String key = s.require("apiKey");
      String password = s.object("auth").orElseThrow().require("password");
      switch (mode) {
        case IO_FAILURE_QUOTING_SECRETS:
          throw new IOException("GET https://api.example.com/v1/orders?api_key=" + key
              + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
              + " returned 401 (password was '" + password + "')");
        case RUNTIME_FAILURE_QUOTING_SECRETS:
          throw new IllegalStateException("cannot parse reply for key " + key + " and password "
              + password);
        case MISSING_SECRET:
          s.require("accountId");
          throw new AssertionError("require should have thrown");
        case MALFORMED_SECRET_QUOTING_IT:
          throw new MissingSecretException("secret apiKey '" + key + "' is malformed");
        default:
          return source.read(read);
      }
    }

    @Override
    public void test(Secrets secrets) throws IOException {
      if (mode == Mode.SETUP_TEST_FAILS_QUOTING_SECRETS) {
        throw new IOException("login to https://etl-reader:"
            + URLEncoder.encode(secrets.object("auth").orElseThrow().require("password"),
                StandardCharsets.UTF_8)
            + "@api.example.com with key " + secrets.require("apiKey") + " refused");
      }
    }

    @Override
    public Optional<Instant> sourceClock(Secrets secrets) throws IOException {
      if (mode == Mode.SOURCE_CLOCK_FAILS_QUOTING_SECRETS) {
        throw new IOException("SELECT now() failed for " + secrets.require("apiKey") + ":"
            + secrets.object("auth").orElseThrow().require("password"));
      }
      return Optional.empty();
    }
  }

  LeakyConnector connector() {
    SimulatedSource src = new SimulatedSource(Table.incremental("orders").primaryKey("id")
        .cursor("updated_at").tiebreaker("id", ValueType.NUMBER));
    for (long id = 1; id <= 6; id++) {
      src.upsert("orders", id, T0.plusSeconds(id * 60), Map.of("note", "row " + id));
    }
    return new LeakyConnector(src);
  }

  FakeFivetran fivetran(Connector c) {
    EngineConfig cfg = EngineConfig.builder().clock(clock).maxRowsPerResponse(2)
        .logSink(log::add).build();
    return new FakeFivetran(new FunctionHandler(c, cfg), clock, Duration.ofMinutes(1), 6_000_000)
        .secrets(SECRETS);
  }

  /** Every form in which a secret could leak: raw, URL-encoded both ways, JSON-escaped. */
  static Set<String> forbidden() {
    Set<String> out = new LinkedHashSet<>();
    for (String v : List.of(API_KEY, PASSWORD)) {
      out.add(v);
      out.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
      out.add(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
      out.add(v.replace("\\", "\\\\").replace("\"", "\\\""));
    }
    // distinctive fragments, so a partially masked value also fails the test
    out.add("7Hq2xN9pLm4RzT");
    out.add("s3cr3t");
    return out;
  }

  static void assertNoSecretIn(String where, String text) {
    for (String secret : forbidden()) {
      assertFalse(text.contains(secret), "'" + secret + "' appears in " + where + ": " + text);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void noSecretAppearsInAnyBodyOrLogLineOverASyncWithFailures() {
    LeakyConnector c = connector();
    FakeFivetran ft = fivetran(c);

    ft.call(Map.of("setup_test", true));
    assertTrue(ft.call().accepted());
    for (Mode m : List.of(Mode.IO_FAILURE_QUOTING_SECRETS, Mode.RUNTIME_FAILURE_QUOTING_SECRETS,
        Mode.MISSING_SECRET, Mode.MALFORMED_SECRET_QUOTING_IT)) {
      c.mode = m;
      assertFalse(ft.call().accepted(), m.name());
      assertFalse(ft.call(Map.of("sync_id", "sync-" + API_KEY)).accepted(), m.name());
    }
    c.mode = Mode.SETUP_TEST_FAILS_QUOTING_SECRETS;
    assertFalse(ft.call(Map.of("setup_test", true)).accepted());
    c.mode = Mode.WORKS;
    ft.call(Map.of("sync_id", "sync-" + API_KEY));
    ft.sync();

    assertEquals(6, ft.rowsById("orders").size(), "the sync still completes");
    assertNoSecretIn("a response body", ft.allBodies());
    assertFalse(log.isEmpty());
    for (String line : log) {
      assertNoSecretIn("a log line", line);
    }
  }

  @Test
  void sourceClockFailureQuotingSecretsIsRedacted() {
    LeakyConnector c = connector();
    c.mode = Mode.SOURCE_CLOCK_FAILS_QUOTING_SECRETS;
    FakeFivetran ft = fivetran(c);

    FakeFivetran.Call call = ft.call();

    assertFalse(call.accepted());
    assertEquals(Outcome.SOURCE_FAILURE.httpStatus(), call.httpStatus());
    assertEquals("SourceError", call.body().path("errorType").asText());
    assertNoSecretIn("the error body", call.body().toString());
    log.forEach(line -> assertNoSecretIn("a log line", line));
  }

  @Test
  void secretsNeverEnterState() {
    FakeFivetran ft = fivetran(connector());

    List<FakeFivetran.Call> calls = ft.sync();

    for (FakeFivetran.Call call : calls) {
      assertNoSecretIn("state", call.body().path("state").toString());
      assertFalse(call.body().path("state").toString().contains("apiKey"));
    }
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(Mode.IO_FAILURE_QUOTING_SECRETS, Outcome.SOURCE_FAILURE, "SourceError", "returned 401"),
        Arguments.of(Mode.RUNTIME_FAILURE_QUOTING_SECRETS, Outcome.CONNECTOR_FAILURE, "ConnectorError",
            "IllegalStateException"),
        Arguments.of(Mode.MISSING_SECRET, Outcome.BAD_REQUEST, "ConfigurationError", "secrets.accountId"),
        Arguments.of(Mode.MALFORMED_SECRET_QUOTING_IT, Outcome.BAD_REQUEST, "ConfigurationError",
            "is malformed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void failureMapsToOutcomeAndErrorTypeAndKeepsTheLastAcceptedState(Mode mode, Outcome outcome,
      String errorType, String stillSays) {
    LeakyConnector c = connector();
    FakeFivetran ft = fivetran(c);
    assertTrue(ft.call().hasMore(), "a sync in progress");
    ObjectNode accepted = ft.state().deepCopy();

    c.mode = mode;
    FakeFivetran.Call failed = ft.call();

    JsonNode body = failed.body();
    assertFalse(failed.accepted());
    assertEquals(outcome.httpStatus(), failed.httpStatus(), body.toString());
    assertEquals(errorType, body.path("errorType").asText(), body.toString());
    assertEquals(Set.of("errorMessage", "errorType"), fieldNames(body), body.toString());
    assertFalse(body.has("state"), "a failed call carries no state: " + body);
    assertTrue(body.path("errorMessage").asText().contains(stillSays),
        "the message still says what went wrong: " + body);
    assertNoSecretIn("the error body", body.toString());
    assertEquals(accepted, ft.state(), "the last accepted state stays in place");

    c.mode = Mode.WORKS;
    ft.sync();
    assertEquals(6, ft.rowsById("orders").size(), "resuming from the kept state loses nothing");
  }

  @Test
  void failedSetupTestIsASourceErrorThatLeavesStateAlone() {
    LeakyConnector c = connector();
    FakeFivetran ft = fivetran(c);
    ft.call();
    ObjectNode accepted = ft.state().deepCopy();

    c.mode = Mode.SETUP_TEST_FAILS_QUOTING_SECRETS;
    FakeFivetran.Call failed = ft.call(Map.of("setup_test", true));

    assertEquals(Outcome.SOURCE_FAILURE.httpStatus(), failed.httpStatus());
    assertEquals("SourceError", failed.body().path("errorType").asText());
    assertTrue(failed.body().path("errorMessage").asText().contains("refused"), failed.body().toString());
    assertNoSecretIn("the error body", failed.body().toString());
    assertEquals(accepted, ft.state());
  }

  @Test
  void failureLogLineCarriesTheRedactedErrorAndOutcome() throws IOException {
    LeakyConnector c = connector();
    FakeFivetran ft = fivetran(c);
    c.mode = Mode.IO_FAILURE_QUOTING_SECRETS;

    ft.call();

    assertEquals(1, log.size(), String.join("\n", log));
    JsonNode line = FakeFivetran.MAPPER.readTree(log.get(0));
    assertEquals("ERROR", line.path("level").asText());
    assertEquals("source_failure", line.path("outcome").asText());
    assertEquals("SourceError", line.path("error_type").asText());
    assertTrue(line.path("error").asText().contains("***"), line.toString());
    assertNoSecretIn("the failure log line", log.get(0));
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> out = new LinkedHashSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
