package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * States that once took seconds of CPU, never answered, or answered a 500: each is a prompt 400
 * {@code ProtocolError} naming where the problem is, for a sync and for a setup test alike.
 */
class HostileStateTest {
  static final String ENTRY = "\"orders\": {\"cursor\": \"id\", \"cursor_type\": \"number\","
      + " \"tiebreaker\": \"id\", \"tiebreaker_type\": \"number\", \"position\": [%s, 1]}";

  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of("a position with a huge exponent", String.format(ENTRY, "1e9999999"),
            "state.tables.orders.position[0]"),
        Arguments.of("a larger one", String.format(ENTRY, "1e99999999"),
            "state.tables.orders.position[0]"),
        Arguments.of("one past BigDecimal's scale", String.format(ENTRY, "1e9999999999"),
            "number out of range"),
        // A string is only read as a number when the sync reads its position (a setup test
        // echoes it as text, which costs nothing).
        Arguments.of("a huge exponent as a string (sync)", String.format(ENTRY, "\"1e9999999\""),
            "state.tables.orders.position[0]"),
        Arguments.of("an unknown entry with a tiny number", "\"gone\": {\"x\": 1e-20000}",
            "state.tables.gone.x"),
        Arguments.of("one just past the echo limit", "\"gone\": {\"x\": 1e-3848}",
            "state.tables.gone.x"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void isAPromptProtocolErrorNamingWhere(String what, String tables, String named) throws Exception {
    Table orders = Table.incremental("orders").primaryKey("id").cursor("id", ValueType.NUMBER)
        .tiebreaker("id", ValueType.NUMBER);
    Connector c = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(orders);
      }

      @Override
      public Page read(TableRead read) {
        return Page.empty();
      }
    };
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    FunctionHandler handler = new FunctionHandler(c, EngineConfig.builder().clock(clock)
        .logSink(l -> {}).build());
    boolean syncOnly = what.endsWith("(sync)");
    for (String extra : syncOnly ? new String[] {""} : new String[] {"", ", \"setup_test\": true"}) {
      String request = "{\"state\": {\"version\": 1, \"tables\": {" + tables + "}}" + extra + "}";
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long started = System.nanoTime();
      FunctionHandler.Outcome o = handler.handle(
          new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)), out,
          Instant.parse("2024-05-01T12:05:00Z"));
      long millis = (System.nanoTime() - started) / 1_000_000;
      JsonNode body = FakeFivetran.MAPPER.readTree(out.toByteArray());
      String where = what + (extra.isEmpty() ? "" : " (setup test)");
      assertEquals(FunctionHandler.Outcome.BAD_REQUEST, o, where + ": " + body);
      assertEquals("ProtocolError", body.path("errorType").asText(), where);
      assertTrue(body.path("errorMessage").asText().contains(named), where + ": " + body);
      assertTrue(millis < 2_000, where + " took " + millis + " ms");
    }
  }
}
