package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The structured log: one JSON line per call with counts and sizes, never a row value. */
class CallLogTest {
  static final String SYNC_ID = "468b681-c376-4117-bbc0-25d8ae02ace1";
  static final String ROW_VALUE = "ZEBRA-CROSSING-4242";
  static final String DELETED_ROW_VALUE = "QUOKKA-DELETED-7171";
  static final Instant T0 = Instant.parse("2024-05-01T09:00:00Z");

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();

  SimulatedSource source() {
    SimulatedSource src = new SimulatedSource(
        Table.incremental("orders").primaryKey("id").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER),
        Table.fullRefresh("customers").primaryKey("id").tiebreaker("id", ValueType.NUMBER));
    for (long id = 1; id <= 7; id++) {
      src.upsert("orders", id, T0.plusSeconds(id * 60),
          Map.of("note", ROW_VALUE, "amount", "$" + (1000 + id)));
    }
    src.upsert("orders", 8, T0.minusSeconds(600), Map.of("note", DELETED_ROW_VALUE));
    src.delete("orders", 8, T0.plusSeconds(3600));
    src.upsert("customers", 1, T0, Map.of("name", ROW_VALUE));
    src.upsert("customers", 2, T0, Map.of("name", ROW_VALUE));
    return src;
  }

  FakeFivetran fivetran(Connector c, int maxRows) {
    EngineConfig cfg = EngineConfig.builder().clock(clock).maxRowsPerResponse(maxRows)
        .logSink(log::add).build();
    return new FakeFivetran(new FunctionHandler(c, cfg), clock, Duration.ofMinutes(1), 6_000_000);
  }

  static JsonNode parse(String line) {
    try {
      return FakeFivetran.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException("log line is not JSON: " + line, e);
    }
  }

  static List<JsonNode> events(List<String> lines, String event) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : lines) {
      JsonNode n = parse(line);
      if (event.equals(n.path("event").asText())) {
        out.add(n);
      }
    }
    return out;
  }

  /** Runs a whole sync, one call at a time, keeping each call's log lines. */
  List<Map.Entry<FakeFivetran.Call, List<String>>> syncCallByCall(FakeFivetran ft) {
    List<Map.Entry<FakeFivetran.Call, List<String>>> out = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      log.clear();
      FakeFivetran.Call c = ft.call();
      out.add(Map.entry(c, List.copyOf(log)));
      assertTrue(c.accepted(), c.body().toString());
      if (!c.hasMore()) {
        return out;
      }
    }
    throw new AssertionError("sync did not finish");
  }

  @Test
  void eachSuccessfulCallLogsExactlyOneCallLine() {
    List<Map.Entry<FakeFivetran.Call, List<String>>> calls = syncCallByCall(fivetran(source(), 3));

    assertTrue(calls.size() > 2, "several calls");
    for (Map.Entry<FakeFivetran.Call, List<String>> e : calls) {
      List<String> lines = e.getValue();
      assertEquals(1, events(lines, "call").size(), "call " + e.getKey().number() + ": " + lines);
      for (String line : lines) {
        assertFalse(line.contains("\n"), "one line: " + line);
      }
    }
  }

  @Test
  void callLineCarriesSyncIdHasMoreStopReasonRowsBytesAndDuration() {
    List<Map.Entry<FakeFivetran.Call, List<String>>> calls = syncCallByCall(fivetran(source(), 3));

    for (Map.Entry<FakeFivetran.Call, List<String>> e : calls) {
      FakeFivetran.Call c = e.getKey();
      JsonNode line = events(e.getValue(), "call").get(0);
      String at = "call " + c.number() + ": " + line;
      assertEquals("INFO", line.path("level").asText(), at);
      assertEquals(SYNC_ID, line.path("sync_id").asText(), at);
      assertEquals("ok", line.path("outcome").asText(), at);
      assertTrue(line.path("has_more").isBoolean(), at);
      assertEquals(c.hasMore(), line.path("has_more").booleanValue(), at);
      assertEquals(c.hasMore() ? "row_budget" : "caught_up", line.path("stop_reason").asText(), at);
      assertTrue(line.path("rows").isIntegralNumber(), at);
      assertEquals(c.rows(), line.path("rows").asInt(), at);
      assertTrue(line.path("response_bytes").isIntegralNumber(), at);
      assertEquals(c.bytes(), line.path("response_bytes").asLong(), "exact size of the body; " + at);
      assertTrue(line.path("duration_ms").isIntegralNumber(), at);
      assertTrue(line.path("duration_ms").asLong() >= 0, at);
    }
  }

  @Test
  void callLineCountsRowsDeletesAndBytesPerTable() {
    List<Map.Entry<FakeFivetran.Call, List<String>>> calls = syncCallByCall(fivetran(source(), 3));

    int sawDeletes = 0;
    for (Map.Entry<FakeFivetran.Call, List<String>> e : calls) {
      JsonNode body = e.getKey().body();
      JsonNode tables = events(e.getValue(), "call").get(0).path("tables");
      String at = "call " + e.getKey().number() + ": " + tables + " for " + body;
      long total = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = tables.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> t = it.next();
        JsonNode stats = t.getValue();
        int inserts = body.path("insert").path(t.getKey()).size();
        int deletes = body.path("delete").path(t.getKey()).size();
        assertEquals(inserts, stats.path("rows").asInt(), t.getKey() + " rows; " + at);
        assertEquals(deletes, stats.path("deletes").asInt(), t.getKey() + " deletes; " + at);
        assertTrue(stats.path("bytes").asLong() > 0, t.getKey() + " bytes; " + at);
        total += inserts + deletes;
        sawDeletes += deletes;
      }
      assertEquals(e.getKey().rows(), total, "every row is counted under its table; " + at);
      for (String section : List.of("insert", "delete")) {
        body.path(section).fieldNames().forEachRemaining(
            t -> assertTrue(tables.has(t), "table " + t + " is in the log line; " + at));
      }
    }
    assertEquals(1, sawDeletes, "the delete is counted once");
  }

  @Test
  void perTableBytesMatchTheSerialisedRows() {
    List<Map.Entry<FakeFivetran.Call, List<String>>> calls = syncCallByCall(fivetran(source(), 100));

    FakeFivetran.Call only = calls.get(0).getKey();
    JsonNode tables = events(calls.get(0).getValue(), "call").get(0).path("tables");
    // rows of one table are joined by commas inside their array: bytes = sum(row) + (n - 1)
    JsonNode customers = only.body().path("insert").path("customers");
    long expected = customers.size() - 1;
    for (JsonNode row : customers) {
      expected += row.toString().length();
    }
    assertEquals(expected, tables.path("customers").path("bytes").asLong(), tables.toString());
  }

  @Test
  void logLinesNeverCarryRowValues() {
    syncCallByCall(fivetran(source(), 3));
    List<String> all = new ArrayList<>(log);
    FakeFivetran ft = fivetran(source(), 2);
    log.clear();
    ft.sync();
    all.addAll(log);

    assertTrue(ft.allBodies().contains(ROW_VALUE), "the value is in the responses");
    for (String line : all) {
      assertFalse(line.contains(ROW_VALUE), line);
      assertFalse(line.contains(DELETED_ROW_VALUE), line);
      assertFalse(line.contains("$1001"), line);
    }
  }

  @Test
  void migrationNoticeIsItsOwnLineAndTheCallLineIsStillOne() {
    FakeFivetran ft = fivetran(source(), 100);
    ObjectNode legacy = JsonNodeFactory.instance.objectNode();
    legacy.put("orders", "2024-05-01T09:03:00Z");
    ft.setState(legacy);

    FakeFivetran.Call c = ft.call();

    assertTrue(c.accepted(), c.body().toString());
    assertEquals(1, events(log, "call").size(), String.join("\n", log));
    List<JsonNode> notices = events(log, "notice");
    assertEquals(1, notices.size(), String.join("\n", log));
    assertEquals(SYNC_ID, notices.get(0).path("sync_id").asText(), "sync_id on every line");
    assertTrue(notices.get(0).path("message").asText().contains("migrated"), notices.get(0).toString());
  }

  @Test
  void failedCallLogsOneErrorLineWithTheSyncId() {
    SimulatedSource src = source().failWhen(r -> true);
    FakeFivetran ft = fivetran(src, 3);

    FakeFivetran.Call c = ft.call();

    assertFalse(c.accepted());
    List<JsonNode> lines = events(log, "call");
    assertEquals(1, log.size(), String.join("\n", log));
    assertEquals(1, lines.size());
    JsonNode line = lines.get(0);
    assertEquals("ERROR", line.path("level").asText());
    assertEquals(SYNC_ID, line.path("sync_id").asText());
    assertEquals("source_failure", line.path("outcome").asText());
    assertEquals("SourceError", line.path("error_type").asText());
    assertTrue(line.path("duration_ms").isIntegralNumber(), line.toString());
  }
}
