package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link FunctionHandler#handle} hands a written response's memory to the next call: each
 * response still carries exactly its own rows, whatever the one before it left behind.
 */
class ReusedResponseMemoryTest {
  static final Table ITEMS = Table.fullRefresh("items").primaryKey("id").tiebreaker("id", ValueType.NUMBER);
  static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void eachResponseHoldsOnlyItsOwnRowsWhenMemoryIsReused() throws Exception {
    int[] call = {0};
    Connector c = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ITEMS);
      }

      @Override
      public Page read(TableRead read) {
        // Call 0: 3,000 long rows (several full chunks); call 1: 40 short ones; call 2: 2,000.
        int n = call[0] == 0 ? 3000 : call[0] == 1 ? 40 : 2000;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("id", i);
          m.put("text", (call[0] == 0 ? "x" : "call" + call[0] + "-").repeat(call[0] == 0 ? 90 : 3));
          rows.add(Row.of(m));
        }
        return new Page(rows, false);
      }
    };
    FunctionHandler h = new FunctionHandler(c, EngineConfig.builder().settleLag(Duration.ZERO)
        .pageSize(5000).clock(Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC))
        .logSink(l -> {}).build());
    for (; call[0] < 3; call[0]++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      h.handle(new ByteArrayInputStream("{\"state\":{}}".getBytes(StandardCharsets.UTF_8)), out,
          Instant.now().plusSeconds(60));
      JsonNode body = MAPPER.readTree(out.toByteArray());
      JsonNode items = body.path("insert").path("items");
      int expected = call[0] == 0 ? 3000 : call[0] == 1 ? 40 : 2000;
      assertEquals(expected, items.size(), "rows of call " + call[0] + ": " + body.path("errorMessage"));
      for (int i = 0; i < expected; i++) {
        assertEquals(i, items.get(i).path("id").asInt());
        assertEquals((call[0] == 0 ? "x" : "call" + call[0] + "-").repeat(call[0] == 0 ? 90 : 3),
            items.get(i).path("text").asText());
      }
    }
  }
}
