package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Pass-through rows: records copied into the response as the source sent them. */
class JsonRowsTest {
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);
  static final ObjectMapper MAPPER = new ObjectMapper();

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static final String PAGE = "[{\"id\":1,\"updated_at\":\"2024-05-01T09:00:00.5Z\",\"amount\": 12.50 ,"
      + "\"tags\":{\"a\":[1,2,{\"b\":null}]}, \"note\":\"caf\\u00e9 \u00e9\"},"
      + "{\"updated_at\":\"2024-05-01T09:00:01Z\",\"id\":2,\"deleted_at\":\"2024-05-01T09:00:01Z\"},"
      + "{\"id\":3,\"updated_at\":\"2024-05-01T11:00:02+02:00\",\"deleted_at\":null}]";

  /** Answers one call over a connector serving {@code rows(page)} and returns the body. */
  static String call(Function<byte[], List<Row>> rows) throws IOException {
    byte[] page = utf8(PAGE);
    Connector c = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ORDERS);
      }

      @Override
      public Page read(TableRead read) {
        return read.after().isPresent() ? Page.empty() : new Page(rows.apply(page), false);
      }
    };
    FunctionHandler h = new FunctionHandler(c, EngineConfig.builder().settleLag(Duration.ZERO)
        .clock(java.time.Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), java.time.ZoneOffset.UTC))
        .logSink(l -> {}).build());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    h.handle(new ByteArrayInputStream(utf8("{\"state\":{}}")), out, Instant.now().plusSeconds(60));
    return out.toString(StandardCharsets.UTF_8);
  }

  static List<Row> passThrough(byte[] page) {
    try {
      return JsonRows.of(ORDERS).deleteWhen("deleted_at").array(page);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void recordsGoIntoTheResponseByteForByte() throws IOException {
    String body = call(JsonRowsTest::passThrough);

    assertTrue(body.contains("\"insert\":{\"orders\":[{\"id\":1,\"updated_at\":\"2024-05-01T09:00:00.5Z\","
        + "\"amount\": 12.50 ,\"tags\":{\"a\":[1,2,{\"b\":null}]}, \"note\":\"caf\\u00e9 \u00e9\"},"
        + "{\"id\":3,\"updated_at\":\"2024-05-01T11:00:02+02:00\",\"deleted_at\":null}]}"), body);
    // A delete carries its key only, as every delete does.
    assertTrue(body.contains("\"delete\":{\"orders\":[{\"id\":2}]}"), body);
    JsonNode state = MAPPER.readTree(body).path("state").path("tables").path("orders");
    assertEquals("[\"2024-05-01T09:00:02Z\",3]", state.path("position").toString());
  }

  @Test
  void eachRecordIsExactlyItsBytesWhateverTheWhitespaceAround() throws IOException {
    String first = "{ \"id\" : 1 ,\n \"updated_at\":\"2024-05-01T09:00:00Z\", \"n\": {\"x\" : [ {} ] } }";
    String second = "{\"id\":2,\"updated_at\":\"2024-05-01T09:00:01Z\",\"s\":\"}{\\\"\"}";
    String third = "{}";
    byte[] page = utf8("\n [\t" + first + " ,\r\n  " + second + "," + third + " ] \n");
    JsonRows reader = JsonRows.of(ORDERS);
    List<Row> rows = new java.util.ArrayList<>(reader.array(page));
    try (JsonParser p = new JsonFactory().createParser(page)) {
      p.nextToken();
      assertEquals(rows.size(), reader.array(p, page).size());
    }
    for (int i = 0; i < rows.size(); i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      rows.get(i).writeSourceJsonTo(out);
      assertEquals(List.of(first, second, third).get(i), out.toString(StandardCharsets.UTF_8));
    }
    assertEquals(1L, rows.get(0).get("id"));
    assertEquals("2024-05-01T09:00:01Z", rows.get(1).get("updated_at"));
  }

  @Test
  void theSameRowsAsMapsGiveTheSameStateAndKeys() throws IOException {
    JsonNode raw = MAPPER.readTree(call(JsonRowsTest::passThrough));
    JsonNode maps = MAPPER.readTree(call(page -> {
      try {
        List<Map<String, Object>> records = MAPPER.readValue(page,
            new com.fasterxml.jackson.core.type.TypeReference<>() {});
        return records.stream().map(m -> m.get("deleted_at") != null ? Row.delete(m) : Row.of(m)).toList();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));

    assertTrue(raw.path("state").has("tables"), raw.toString());
    assertEquals(maps.path("state"), raw.path("state"));
    assertEquals(maps.path("delete"), raw.path("delete"));
    assertEquals(maps.path("insert").path("orders").size(), raw.path("insert").path("orders").size());
    assertEquals(maps.path("hasMore"), raw.path("hasMore"));
  }

  @Test
  void aRowReadsItsKeyColumnsUpFrontAndTheRestOnDemand() throws IOException {
    Row row = JsonRows.of(ORDERS).array(utf8(PAGE)).get(0);

    assertTrue(row.isSourceJson());
    assertEquals(1L, row.get("id"));
    assertEquals("2024-05-01T09:00:00.5Z", row.get("updated_at"));
    assertEquals(new BigDecimal("12.50"), row.get("amount"));
    assertEquals("café é", row.get("note"));
    assertEquals(MAPPER.readTree("{\"a\":[1,2,{\"b\":null}]}"), row.get("tags"));
    assertEquals(List.of("id", "updated_at", "amount", "tags", "note"), List.copyOf(row.values().keySet()));
    assertFalse(row.isDelete());
    assertTrue(row.asDelete().isDelete());
  }

  @Test
  void anArrayInsideAnEnvelopeIsReadFromTheParser() throws IOException {
    byte[] body = utf8("{\"has_more\":true,\"data\":" + PAGE + ",\"next\":\"t2\"}");
    List<Row> rows = null;
    String next = null;
    try (JsonParser p = new JsonFactory().createParser(body)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("data")) {
          rows = JsonRows.of(ORDERS).array(p, body);
        } else if (field.equals("next")) {
          next = p.getText();
        } else {
          p.skipChildren();
        }
      }
    }
    assertEquals(3, rows.size());
    assertEquals("t2", next);
    assertEquals(3L, rows.get(2).get("id"));
  }

  @Test
  void whatIsNotAnArrayOfRecordsIsRefused() {
    JsonRows rows = JsonRows.of(ORDERS);
    assertThrows(IOException.class, () -> rows.array(utf8("{\"id\":1}")));
    assertThrows(IOException.class, () -> rows.array(utf8("[1,2]")));
    assertThrows(IOException.class, () -> rows.array(utf8("[{\"id\":1}")));
    assertThrows(IOException.class, () -> rows.row(utf8("{\"id\":1} {}")));
  }
}
