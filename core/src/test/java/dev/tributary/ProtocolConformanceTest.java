package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.FunctionHandler.Outcome;
import dev.tributary.testing.Exchange;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.Fixtures;
import dev.tributary.testing.SimulatedSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire protocol of docs/fivetran-function-protocol.md §2 and §3, request bytes to response
 * bytes, with requests taken from fixture files.
 */
class ProtocolConformanceTest {
  static final Instant T0 = Instant.parse("2024-05-01T09:00:00Z");

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();

  static SimulatedSource ordersSource() {
    SimulatedSource src = new SimulatedSource(Table.incremental("orders").primaryKey("id")
        .cursor("updated_at").tiebreaker("id", ValueType.NUMBER));
    src.upsert("orders", 1, T0);
    src.upsert("orders", 2, T0.plusSeconds(60));
    src.upsert("orders", 3, T0.plusSeconds(120));
    return src;
  }

  EngineConfig.Builder config() {
    return EngineConfig.builder().clock(clock).logSink(log::add);
  }

  FunctionHandler handler(Connector c) {
    return new FunctionHandler(c, config().build());
  }

  static Set<String> keys(JsonNode n) {
    Set<String> out = new LinkedHashSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static void assertCleanError(Exchange x, Outcome outcome, String errorType) {
    assertEquals(outcome, x.outcome(), x.text());
    assertEquals(Set.of("errorMessage", "errorType"), keys(x.body()), x.text());
    assertEquals(errorType, x.errorType(), x.text());
    assertFalse(x.errorMessage().isBlank(), x.text());
    assertFalse(x.body().has("state"), "an error body must not carry state: " + x.text());
    assertEquals(0, x.rows(), x.text());
  }

  // ---------------------------------------------------------------------------------------------
  // §2 setup_test

  @Nested
  class SetupTest {
    @Test
    void docRequestExampleIsAnsweredWithItsOwnStateNoRowsAndHasMoreFalse() {
      SimulatedSource src = ordersSource();
      JsonNode request = Fixtures.json("request-doc-example.json");

      Exchange x = Exchange.send(handler(src), Fixtures.bytes("request-doc-example.json"), clock);

      assertEquals(Outcome.OK, x.outcome(), x.text());
      assertEquals(200, x.outcome().httpStatus());
      assertFalse(x.body().has("errorMessage"), x.text());
      assertEquals(request.get("state"), x.body().get("state"), "state must come back unchanged");
      assertEquals(0, x.rows(), "a setup test reply carries no rows: " + x.text());
      assertTrue(x.body().get("hasMore").isBoolean(), "hasMore must be a JSON boolean: " + x.text());
      assertFalse(x.body().get("hasMore").booleanValue());
      assertTrue(x.bytes().length < 64 * 1024, "setup test reply of " + x.bytes().length + " bytes");
      assertEquals(0, src.reads(), "a setup test reads no rows");
    }

    @Test
    void setupTestReplyStillNamesEveryTableInSchema() {
      Exchange x = Exchange.send(handler(ordersSource()), Fixtures.bytes("request-doc-example.json"), clock);

      assertEquals(List.of("id"), textList(x.body().path("schema").path("orders").path("primary_key")));
    }

    @Test
    void setupTestLogsNoSecretAndOneSetupTestLine() {
      Exchange.send(handler(ordersSource()), Fixtures.bytes("request-doc-example.json"), clock);

      assertEquals(1, log.size(), String.join("\n", log));
      assertTrue(log.get(0).contains("\"event\":\"setup_test\""), log.get(0));
      assertTrue(log.get(0).contains("468b681-c376-4117-bbc0-25d8ae02ace1"), "sync_id on the log line");
    }

    @Test
    void failingConnectionTestIsASourceFailureWithACleanErrorBody() {
      Connector failing = new DelegatingConnector(ordersSource()) {
        @Override
        public void test(Secrets secrets) throws IOException {
          throw new IOException("api.example.com refused the token (HTTP 401)");
        }
      };

      Exchange x = Exchange.send(handler(failing), Fixtures.bytes("request-doc-example.json"), clock);

      assertCleanError(x, Outcome.SOURCE_FAILURE, "SourceError");
      assertEquals(502, x.outcome().httpStatus());
      assertFalse(x.body().has("insert"));
      assertTrue(x.errorMessage().contains("refused the token (HTTP 401)"), x.errorMessage());
    }

    @Test
    void docStateOnASyncCallIsALegacyCursorMapThatNamesTheUnknownKey() {
      // {"cursor": "…"} has no version, so StateCodec reads it as a v0 {"<table>": "<cursor>"} map;
      // "cursor" is no table of this connector, so it cannot be migrated.
      SimulatedSource src = ordersSource();

      Exchange x = Exchange.send(handler(src), Fixtures.bytes("request-doc-example-sync.json"), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertTrue(x.errorMessage().contains("'cursor'"), x.errorMessage());
      assertEquals(0, src.reads());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §2 tolerant decoding

  @Nested
  class TolerantDecoding {
    @ParameterizedTest
    @ValueSource(strings = {
        "request-state-missing.json",
        "request-state-null.json",
        "request-secrets-missing.json",
        "request-secrets-null.json",
        "request-unknown-root-keys.json",
        "request-sync-id-numeric.json",
        "request-sync-id-odd.json"})
    void isAcceptedAsAFirstSync(String fixture) {
      SimulatedSource src = ordersSource();

      Exchange x = Exchange.send(handler(src), Fixtures.bytes(fixture), clock);

      assertEquals(Outcome.OK, x.outcome(), x.text());
      assertFalse(x.body().has("errorMessage"), x.text());
      assertTrue(src.readLog().get(0).after().isEmpty(), "a first sync reads from the start");
      assertEquals(3, x.body().path("insert").path("orders").size(), x.text());
      assertEquals(2, x.body().path("state").path("version").asInt(), x.text());
      assertFalse(x.body().get("hasMore").booleanValue(), x.text());
    }

    @Test
    void nullStateIsAFirstSync() {
      SimulatedSource withNull = ordersSource();
      SimulatedSource withEmpty = ordersSource();
      ObjectNode empty = (ObjectNode) Fixtures.json("request-state-null.json").deepCopy();
      empty.putObject("state");

      Exchange a = Exchange.send(handler(withNull), Fixtures.bytes("request-state-null.json"), clock);
      Exchange b = Exchange.send(handler(withEmpty), empty.toString(), clock);

      assertEquals(b.body().get("insert"), a.body().get("insert"));
      assertEquals(b.body().get("state"), a.body().get("state"));
    }

    @Test
    void numericSyncIdIsLoggedAsText() {
      Exchange.send(handler(ordersSource()), Fixtures.bytes("request-sync-id-numeric.json"), clock);

      JsonNode line = callLine();
      assertEquals("1234567890", line.path("sync_id").asText(), line.toString());
    }

    @Test
    void oddSyncIdIsLoggedAsSentWithoutValidation() {
      Exchange.send(handler(ordersSource()), Fixtures.bytes("request-sync-id-odd.json"), clock);

      JsonNode line = callLine();
      assertEquals("not a uuid: sync#7 / ünïcødé", line.path("sync_id").asText(), line.toString());
    }

    private JsonNode callLine() {
      assertEquals(1, log.size(), String.join("\n", log));
      try {
        return FakeFivetran.MAPPER.readTree(log.get(0));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §2 strict decoding: bad requests

  @Nested
  class BadRequests {
    static Stream<Arguments> badRequests() {
      return Stream.of(
          Arguments.of("request-malformed.json", List.of("not valid JSON")),
          Arguments.of("request-empty.json", List.of("empty")),
          Arguments.of("request-whitespace-only.json", List.of("empty")),
          Arguments.of("request-two-documents.json", List.of("not valid JSON")),
          Arguments.of("request-array.json", List.of("array", "not an object")),
          Arguments.of("request-state-string.json", List.of("state", "not a string")),
          Arguments.of("request-state-array.json", List.of("state", "not an array")),
          Arguments.of("request-secrets-number.json", List.of("secrets", "number")));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void isABadRequestThatNamesTheProblemAndSyncsNothing(String fixture, List<String> named) {
      SimulatedSource src = ordersSource();

      Exchange x = Exchange.send(handler(src), Fixtures.bytes(fixture), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertEquals(400, x.outcome().httpStatus());
      for (String fragment : named) {
        assertTrue(x.errorMessage().contains(fragment),
            "message should contain '" + fragment + "': " + x.errorMessage());
      }
      assertEquals(0, src.reads(), "nothing is read for a bad request");
    }

    static Stream<byte[]> malformedBodiesWithASecret() {
      byte[] whole = Fixtures.bytes("request-malformed.json");
      String text = new String(whole, StandardCharsets.UTF_8);
      int end = text.indexOf(SECRET_IN_BROKEN_BODY) + SECRET_IN_BROKEN_BODY.length();
      // the fixture as stored, and cut right after the secret (end of input inside the token)
      return Stream.of(whole, Arrays.copyOf(whole, end));
    }

    static final String SECRET_IN_BROKEN_BODY = "sk_live_LEAKED_b4d9e1f7c2";

    @ParameterizedTest
    @MethodSource("malformedBodiesWithASecret")
    void malformedJsonErrorDoesNotQuoteTheRequest(byte[] body) {
      Exchange x = Exchange.send(handler(ordersSource()), body, clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertFalse(x.text().contains(SECRET_IN_BROKEN_BODY), x.text());
      assertFalse(x.text().contains("sk_live"), x.text());
      assertFalse(log.isEmpty(), "a failed call is logged");
      for (String line : log) {
        assertFalse(line.contains(SECRET_IN_BROKEN_BODY), line);
        assertFalse(line.contains("sk_live"), line);
      }
    }

    @Test
    void stateFromANewerVersionIsABadRequestThatNamesTheVersion() {
      SimulatedSource src = ordersSource();

      Exchange x = Exchange.send(handler(src), Fixtures.bytes("request-state-newer-version.json"), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertTrue(x.errorMessage().contains("99"), x.errorMessage());
      assertTrue(x.errorMessage().contains("version"), x.errorMessage());
      assertEquals(0, src.reads(), "nothing is read with a state this version cannot read");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "request-state-position-not-timestamp.json",
        "request-state-position-epoch-number.json"})
    void positionThatIsNotATimestampIsABadRequestThatNamesThePath(String fixture) {
      SimulatedSource src = ordersSource();

      Exchange x = Exchange.send(handler(src), Fixtures.bytes(fixture), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertTrue(x.errorMessage().contains("state.tables.orders.position"), x.errorMessage());
      assertEquals(0, src.reads(), "nothing is read with a state that cannot be read");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // hostile input limits

  @Nested
  class HostileInput {
    /** A first-sync request with {@code custom} nested {@code depth} levels below the root object. */
    String nested(int depth) {
      ObjectNode req = (ObjectNode) Fixtures.json("request-unknown-root-keys.json").deepCopy();
      ObjectNode n = req.putObject("custom");
      for (int i = 2; i < depth; i++) {
        n = n.putObject("a");
      }
      return req.toString();
    }

    @Test
    void nestingAtTheLimitIsAccepted() {
      FunctionHandler h = new FunctionHandler(ordersSource(), config().maxNestingDepth(8).build());

      Exchange x = Exchange.send(h, nested(8), clock);

      assertEquals(Outcome.OK, x.outcome(), x.text());
    }

    @Test
    void nestingDeeperThanTheLimitIsABadRequestNamingTheSetting() {
      SimulatedSource src = ordersSource();
      FunctionHandler h = new FunctionHandler(src, config().maxNestingDepth(8).build());

      Exchange x = Exchange.send(h, nested(40), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertTrue(x.errorMessage().contains("TRIBUTARY_MAX_NESTING_DEPTH"), x.errorMessage());
      assertTrue(x.errorMessage().toLowerCase().contains("nesting"), x.errorMessage());
      assertEquals(0, src.reads());
    }

    @Test
    void nestingOneLevelOverTheLimitIsABadRequest() {
      FunctionHandler h = new FunctionHandler(ordersSource(), config().maxNestingDepth(8).build());

      Exchange x = Exchange.send(h, nested(9), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
    }

    String withSecretOfLength(int chars) {
      ObjectNode req = (ObjectNode) Fixtures.json("request-unknown-root-keys.json").deepCopy();
      req.putObject("secrets").put("apiToken", "k".repeat(chars));
      return req.toString();
    }

    @Test
    void stringAtTheLimitIsAccepted() {
      FunctionHandler h = new FunctionHandler(ordersSource(), config().maxStringLength(1024).build());

      Exchange x = Exchange.send(h, withSecretOfLength(1024), clock);

      assertEquals(Outcome.OK, x.outcome(), x.text());
    }

    @Test
    void stringLongerThanTheLimitIsABadRequestNamingTheSetting() {
      SimulatedSource src = ordersSource();
      FunctionHandler h = new FunctionHandler(src, config().maxStringLength(1024).build());

      Exchange x = Exchange.send(h, withSecretOfLength(5000), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertTrue(x.errorMessage().contains("TRIBUTARY_MAX_STRING_LENGTH"), x.errorMessage());
      assertTrue(x.errorMessage().toLowerCase().contains("string"), x.errorMessage());
      assertFalse(x.text().contains("kkkkkkkk"), "the long value must not be echoed");
      assertEquals(0, src.reads());
    }

    @Test
    void stringOneCharOverTheLimitIsABadRequest() {
      FunctionHandler h = new FunctionHandler(ordersSource(), config().maxStringLength(1024).build());

      Exchange x = Exchange.send(h, withSecretOfLength(1025), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
    }

    /** A valid first-sync request padded with an unknown key to exactly {@code bytes} bytes. */
    byte[] ofSize(int bytes) {
      ObjectNode req = (ObjectNode) Fixtures.json("request-unknown-root-keys.json").deepCopy();
      req.put("padding", "");
      int base = req.toString().getBytes(StandardCharsets.UTF_8).length;
      req.put("padding", "p".repeat(bytes - base));
      byte[] out = req.toString().getBytes(StandardCharsets.UTF_8);
      assertEquals(bytes, out.length);
      return out;
    }

    @Test
    void bodyAtTheLimitIsAccepted() {
      FunctionHandler h = new FunctionHandler(ordersSource(), config().maxRequestBytes(2048).build());

      Exchange x = Exchange.send(h, ofSize(2048), clock);

      assertEquals(Outcome.OK, x.outcome(), x.text());
    }

    @Test
    void bodyBiggerThanTheLimitIsABadRequestNamingTheSetting() {
      SimulatedSource src = ordersSource();
      FunctionHandler h = new FunctionHandler(src, config().maxRequestBytes(2048).build());

      Exchange x = Exchange.send(h, ofSize(2049), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertTrue(x.errorMessage().contains("TRIBUTARY_MAX_REQUEST_BYTES"), x.errorMessage());
      assertTrue(x.errorMessage().contains("2048"), x.errorMessage());
      assertEquals(0, src.reads());
    }

    @Test
    void bodyFarBiggerThanTheLimitIsABadRequest() {
      FunctionHandler h = new FunctionHandler(ordersSource(), config().maxRequestBytes(2048).build());

      Exchange x = Exchange.send(h, ofSize(200_000), clock);

      assertCleanError(x, Outcome.BAD_REQUEST, "ProtocolError");
      assertTrue(x.errorMessage().contains("TRIBUTARY_MAX_REQUEST_BYTES"), x.errorMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // §3 response shape

  @Nested
  class ResponseShape {
    final JsonNode doc = Fixtures.json("response-doc-example.json");

    SimulatedSource transactions() {
      SimulatedSource src = new SimulatedSource(
          Table.incremental("transactions").primaryKey("id").cursor("updated_at")
              .tiebreaker("id", ValueType.NUMBER).softDelete(),
          Table.fullRefresh("currencies").primaryKey("id").tiebreaker("id", ValueType.NUMBER),
          Table.incremental("refunds").primaryKey("id").cursor("updated_at")
              .tiebreaker("id", ValueType.NUMBER));
      src.upsert("transactions", 1001, T0, Map.of("amount", "$1200"));
      src.upsert("transactions", 1000, T0.minusSeconds(60), Map.of("amount", "$80"));
      src.delete("transactions", 1000, T0.plusSeconds(60));
      src.upsert("currencies", 1, T0, Map.of("code", "EUR"));
      return src;
    }

    Exchange firstSync(Connector c) {
      return Exchange.send(handler(c), Fixtures.bytes("request-secrets-missing.json"), clock);
    }

    @Test
    void docResponseExampleIsItselfConsistent() {
      // the fixture's delete rows carry every primary-key column its schema declares
      for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("delete").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<String> pk = textList(doc.path("schema").path(e.getKey()).path("primary_key"));
        for (JsonNode row : e.getValue()) {
          assertEquals(Set.copyOf(pk), keys(row));
        }
      }
    }

    @Test
    void responseHasTheKeysAndTypesOfTheDocExample() {
      Exchange x = firstSync(transactions());
      JsonNode body = x.body();

      assertEquals(Outcome.OK, x.outcome(), x.text());
      assertEquals(keys(doc), keys(body), x.text());
      for (String key : keys(doc)) {
        assertEquals(doc.get(key).getNodeType(), body.get(key).getNodeType(), key + " in " + x.text());
      }
    }

    @Test
    void insertAndDeleteAreMapsOfTableToArraysOfRowObjects() {
      JsonNode body = firstSync(transactions()).body();

      for (String section : List.of("insert", "delete")) {
        JsonNode docRows = doc.get(section).elements().next();
        assertTrue(body.get(section).size() > 0, section);
        for (Iterator<Map.Entry<String, JsonNode>> it = body.get(section).fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          assertTrue(body.path("schema").has(e.getKey()), e.getKey() + " is a declared table");
          assertEquals(docRows.getNodeType(), e.getValue().getNodeType(), section + "." + e.getKey());
          for (JsonNode row : e.getValue()) {
            assertEquals(docRows.get(0).getNodeType(), row.getNodeType(), section + " row");
          }
        }
      }
    }

    @Test
    void deleteRowsCarryThePrimaryKey() {
      JsonNode body = firstSync(transactions()).body();

      JsonNode deletes = body.path("delete").path("transactions");
      assertEquals(1, deletes.size(), body.toString());
      JsonNode row = deletes.get(0);
      for (String pk : textList(body.path("schema").path("transactions").path("primary_key"))) {
        assertTrue(row.hasNonNull(pk), "delete row lacks key " + pk + ": " + row);
      }
      assertEquals(1000, row.get("id").asInt());
      assertFalse(row.has("amount"), "a delete carries the key, not the row's values: " + row);
    }

    @Test
    void softDeleteListsTheTablesThatDeclareIt() {
      JsonNode body = firstSync(transactions()).body();

      JsonNode soft = body.get("softDelete");
      assertEquals(doc.get("softDelete").getNodeType(), soft.getNodeType());
      soft.forEach(n -> assertEquals(JsonNodeType.STRING, n.getNodeType()));
      assertEquals(List.of("transactions"), textList(soft));
    }

    @Test
    void schemaNamesEveryDeclaredTableWithItsPrimaryKey() {
      JsonNode body = firstSync(transactions()).body();

      JsonNode schema = body.get("schema");
      JsonNode docEntry = doc.get("schema").elements().next();
      assertEquals(Set.of("transactions", "currencies", "refunds"), keys(schema),
          "every declared table, also one without rows in this response");
      for (JsonNode entry : schema) {
        assertEquals(keys(docEntry), keys(entry), entry.toString());
        assertEquals(JsonNodeType.ARRAY, entry.get("primary_key").getNodeType());
        entry.get("primary_key").forEach(c -> assertEquals(JsonNodeType.STRING, c.getNodeType()));
      }
      assertEquals(List.of("id"), textList(schema.path("refunds").path("primary_key")));
    }

    @Test
    void withoutDeletesOrSoftDeleteTablesThoseKeysAreLeftOut() {
      Exchange x = firstSync(ordersSource());

      assertFalse(x.body().has("delete"), x.text());
      assertFalse(x.body().has("softDelete"), x.text());
      for (String key : List.of("state", "insert", "schema", "hasMore")) {
        assertEquals(doc.get(key).getNodeType(), x.body().get(key).getNodeType(), key);
      }
    }

    @Test
    void stateIsAnObjectAndTimestampsAreIsoStrings() {
      JsonNode body = firstSync(transactions()).body();

      assertTrue(body.get("state").isObject());
      JsonNode row = body.path("insert").path("transactions").get(0);
      assertTrue(row.get("updated_at").isTextual(), row.toString());
      assertEquals(T0, Instant.parse(row.get("updated_at").asText()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // hasMore

  @Nested
  class HasMore {
    @Test
    void hasMoreIsNeverTheStringFalse() {
      SimulatedSource src = ordersSource();
      for (long id = 4; id <= 9; id++) {
        src.upsert("orders", id, T0.plusSeconds(id * 60));
      }
      FunctionHandler h = new FunctionHandler(src, config().maxRowsPerResponse(2).build());
      FakeFivetran ft = new FakeFivetran(h, clock, Duration.ofMinutes(1), 6_000_000);

      List<FakeFivetran.Call> calls = ft.sync();
      Exchange setup = Exchange.send(h, Fixtures.bytes("request-doc-example.json"), clock);

      assertTrue(calls.size() > 1, "several calls, some with hasMore true");
      assertTrue(calls.get(0).body().get("hasMore").booleanValue());
      for (FakeFivetran.Call c : calls) {
        JsonNode hasMore = c.body().get("hasMore");
        assertNotNull(hasMore, c.body().toString());
        assertTrue(hasMore.isBoolean(), "call " + c.number() + ": " + hasMore);
      }
      assertTrue(setup.body().get("hasMore").isBoolean(), setup.text());
      assertFalse(setup.text().contains("\"hasMore\":\""), setup.text());
      assertFalse(ft.allBodies().contains("\"hasMore\":\""), ft.allBodies());
    }
  }

  static List<String> textList(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Passes everything to another connector; tests override one method. */
  static class DelegatingConnector implements Connector {
    final Connector inner;

    DelegatingConnector(Connector inner) {
      this.inner = inner;
    }

    @Override
    public Schema schema() {
      return inner.schema();
    }

    @Override
    public Page read(TableRead read) throws IOException {
      return inner.read(read);
    }

    @Override
    public void test(Secrets secrets) throws IOException {
      inner.test(secrets);
    }
  }
}
