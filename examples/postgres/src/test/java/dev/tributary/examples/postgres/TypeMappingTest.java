package dev.tributary.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Column types reach the response's JSON without losing anything the source holds. */
class TypeMappingTest {
  /** Parses numbers exactly, as a careful destination does. */
  private static final ObjectMapper EXACT = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

  private TestDatabase db;

  @BeforeEach
  void createTable() throws Exception {
    db = new TestDatabase();
    db.exec("CREATE TABLE kinds (id integer PRIMARY KEY, n numeric(38,10), at timestamptz,"
            + " local_at timestamp, day date, raw bytea, doc jsonb, plain json, ints int[],"
            + " texts text[], grid int[][], u uuid, flag boolean, ratio double precision,"
            + " big bigint, note text, updated_at timestamptz NOT NULL)",
        "INSERT INTO kinds VALUES (1, 1234567890123456789012345678.0123456789,"
            + " '2024-05-01 10:00:00.123456+02', '2024-05-01 10:00:00.5', '2024-02-29',"
            + " '\\x0001ff'::bytea,"
            + " '{\"a\": 1, \"price\": 12345678901234567890.123456789, \"list\": [true, null],"
            + " \"nested\": {\"s\": \"x\"}}',"
            + " '[1, \"two\"]', '{1,2,3}', '{\"a\",\"b,c\",\"\\\"q\\\"\",NULL}', '{{1,2},{3,4}}',"
            + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, 'NaN', 9223372036854775807,"
            + " 'héllo ✓', '2024-01-01 00:00:00+00')",
        "INSERT INTO kinds (id, updated_at) VALUES (2, '2024-01-01 00:00:01+00')");
  }

  @AfterEach
  void dropTable() throws Exception {
    db.close();
  }

  @Test
  void everyColumnTypeIsSentFaithfully() throws Exception {
    String tables = "[{\"name\": \"kinds\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": \"id\", \"cursor\": \"updated_at\"}]";
    FunctionHandler handler = new FunctionHandler(new PostgresConnector(tables),
        EngineConfig.builder().logSink(line -> { }).build());
    ObjectNode request = EXACT.createObjectNode();
    request.putObject("state");
    request.set("secrets", EXACT.valueToTree(db.secrets(tables)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handle(new ByteArrayInputStream(EXACT.writeValueAsBytes(request)), out,
        Instant.now().plusSeconds(60));
    JsonNode body = EXACT.readTree(out.toByteArray());
    JsonNode rows = body.path("insert").path("kinds");
    assertEquals(2, rows.size(), body.toString());
    JsonNode r = rows.get(0);

    assertTrue(r.get("n").isBigDecimal(), "numeric is a JSON number: " + r.get("n"));
    assertEquals(new BigDecimal("1234567890123456789012345678.0123456789"), r.get("n").decimalValue());
    assertEquals("2024-05-01T08:00:00.123456Z", r.get("at").asText());
    assertEquals("2024-05-01T10:00:00.5", r.get("local_at").asText());
    assertEquals("2024-02-29", r.get("day").asText());
    assertEquals("AAH/", r.get("raw").asText());
    assertEquals(3, Base64.getDecoder().decode(r.get("raw").asText()).length);

    JsonNode doc = r.get("doc");
    assertTrue(doc.isObject(), "jsonb is an object, not a string: " + doc);
    assertEquals(new BigDecimal("12345678901234567890.123456789"), doc.get("price").decimalValue());
    assertEquals(EXACT.readTree("[true, null]"), doc.get("list"));
    assertEquals("x", doc.path("nested").path("s").asText());
    assertEquals(EXACT.readTree("[1, \"two\"]"), r.get("plain"));

    assertEquals(EXACT.readTree("[1, 2, 3]"), r.get("ints"));
    assertEquals(EXACT.readTree("[\"a\", \"b,c\", \"\\\"q\\\"\", null]"), r.get("texts"));
    assertEquals(EXACT.readTree("[[1, 2], [3, 4]]"), r.get("grid"));
    assertEquals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", r.get("u").asText());
    assertTrue(r.get("flag").isBoolean() && r.get("flag").asBoolean());
    assertEquals("NaN", r.get("ratio").asText(), "JSON has no NaN: sent as text");
    assertEquals(new BigDecimal("9223372036854775807"), r.get("big").decimalValue());
    assertEquals("héllo ✓", r.get("note").asText());

    JsonNode nulls = rows.get(1);
    nulls.fieldNames().forEachRemaining(c -> {
      if (!c.equals("id") && !c.equals("updated_at")) {
        assertTrue(nulls.get(c).isNull(), c + " is null: " + nulls.get(c));
      }
    });
    assertEquals(17, nulls.size(), "every column is present, nulls included");
  }
}
