package dev.tributary.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What DuckDB alone does, as a person opening the runner's warehouse.db sees it: the column types
 * {@link ColumnType} documents for DuckDB, and integers beyond 64 bits ({@code HUGEINT}) and
 * beyond 128 (text).
 */
class DuckDbDestinationTest {
  @TempDir Path dir;

  Destination open() {
    return Destination.open("duckdb:" + dir.resolve("warehouse.db"));
  }

  void apply(Destination d, String response) {
    try (Lease lease = d.lease("c")) {
      JsonNode r = Destination.reader().readTree(response);
      lease.apply(lease.state(), r);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  Map<String, String> types(Destination d, String table) {
    Map<String, String> out = new LinkedHashMap<>();
    for (List<String> row : d.query("SELECT column_name, data_type FROM information_schema.columns"
        + " WHERE table_name = '" + table + "' ORDER BY ordinal_position").rows()) {
      out.put(row.get(0), row.get(1));
    }
    return out;
  }

  @Test
  void columnsHaveTheDocumentedDuckDbTypes() {
    try (Destination d = open()) {
      apply(d, "{\"state\":{\"n\":1},\"insert\":{\"samples\":[{\"id\":1,"
          + "\"at\":\"2024-05-01T08:00:00.123456Z\",\"day\":\"2024-05-01\",\"flag\":true,"
          + "\"ratio\":0.25,\"big\":123456789012345678901234,\"doc\":{\"a\":1},\"name\":\"x\"}],"
          + "\"events\":[{\"kind\":\"view\"}]},"
          + "\"schema\":{\"samples\":{\"primary_key\":[\"id\"]}},\"hasMore\":false}");

      Map<String, String> samples = types(d, "samples");
      assertEquals("TIMESTAMP WITH TIME ZONE", samples.get("_fivetran_synced"));
      assertEquals("BOOLEAN", samples.get("_fivetran_deleted"));
      assertEquals("BIGINT", samples.get("id"));
      assertEquals("TIMESTAMP WITH TIME ZONE", samples.get("at"));
      assertEquals("DATE", samples.get("day"));
      assertEquals("BOOLEAN", samples.get("flag"));
      assertEquals("DOUBLE", samples.get("ratio"));
      assertEquals("HUGEINT", samples.get("big"));
      assertEquals("JSON", samples.get("doc"));
      assertEquals("VARCHAR", samples.get("name"));
      Map<String, String> events = types(d, "events");
      assertEquals("BIGINT", events.get("_fivetran_batch"), "the connection's apply count");
      assertEquals("BIGINT", events.get("_fivetran_index"));
    }
  }

  @Test
  void integersBeyond64BitsAreHugeintAndBeyond128BitsText() {
    String beyond = "1" + "0".repeat(40); // more than 128 bits
    try (Destination d = open()) {
      apply(d, "{\"state\":{},\"insert\":{\"n\":[{\"id\":1,\"huge\":123456789012345678901234,"
          + "\"beyond\":" + beyond + "}]},\"schema\":{\"n\":{\"primary_key\":[\"id\"]}},"
          + "\"hasMore\":false}");

      Map<String, Object> row = d.rows("n").get(0);
      assertEquals(new BigInteger("123456789012345678901234"),
          new BigInteger(row.get("huge").toString()));
      assertEquals("VARCHAR", types(d, "n").get("beyond"));
      assertEquals(beyond, row.get("beyond"));
    }
  }
}
