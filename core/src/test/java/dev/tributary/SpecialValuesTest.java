package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Legal values a real database holds in a cursor column: the infinities, BC years and years past
 * 9999. Each is read from a row, ordered, kept in state and handed back in {@code read.after()}
 * exactly; rows at +infinity are delivered in every sync instead of never.
 */
class SpecialValuesTest {
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);
  static final Table BY_DAY = Table.incremental("orders").primaryKey("id")
      .cursor("day", ValueType.DATE).tiebreaker("id", ValueType.NUMBER);

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");

  /**
   * A keyset source over rows whose cursor the test gives as any raw value: reads strictly after
   * the position, and below {@code upTo} or at +infinity, the way the PostgreSQL example queries.
   */
  static final class InfinitySource implements Connector {
    final Table table;
    final List<Object[]> rows = new ArrayList<>(); // {normalised cursor, id, raw cursor}
    final List<TableRead> reads = new ArrayList<>();

    InfinitySource(Table table) {
      this.table = table;
    }

    InfinitySource put(Object raw, long id) {
      Position p = table.positionOf(Row.of(Map.of("id", id, table.cursorColumn().get(), raw)));
      rows.add(new Object[] {p, id, raw});
      rows.sort(Comparator.comparing(r -> (Position) r[0]));
      return this;
    }

    @Override
    public Schema schema() {
      return Schema.of(table);
    }

    @Override
    public Page read(TableRead read) {
      reads.add(read);
      List<Row> out = new ArrayList<>();
      boolean more = false;
      for (Object[] r : rows) {
        Position p = (Position) r[0];
        if (read.after().isPresent() && p.compareTo(read.after().get()) <= 0) {
          continue;
        }
        boolean below = read.upTo().isEmpty()
            || Position.compareValues(p.cursor(), read.upTo().get()) < 0;
        if (!below && !p.isCursorPositiveInfinity()) {
          continue;
        }
        if (out.size() == read.pageSize()) {
          more = true;
          break;
        }
        out.add(Row.of(Map.of("id", r[1], table.cursorColumn().get(), r[2])));
      }
      return new Page(out, more);
    }
  }

  FakeFivetran fivetran(Connector c, EngineConfig.Builder cfg) {
    EngineConfig config = cfg.clock(clock).logSink(l -> {}).build();
    return new FakeFivetran(new FunctionHandler(c, config), clock, Duration.ofMinutes(1),
        config.maxResponseBytes());
  }

  static JsonNode position(FakeFivetran ft) {
    return ft.state().path("tables").path("orders").path("position");
  }

  @Test
  void timestampsOfEveryEraRoundTripExactlyThroughStateAndBackToTheSource() {
    InfinitySource src = new InfinitySource(ORDERS)
        .put("-infinity", 1)
        .put(OffsetDateTime.MIN, 2)
        .put("-0043-03-15T12:00:00.123456789Z", 3)          // 44 BC
        .put("2024-04-30T10:00:00.000000001+02:00", 4)
        .put("+10000-01-01T00:00:00Z", 5);                  // past 9999: after the horizon
    FakeFivetran ft = fivetran(src, EngineConfig.builder().pageSize(1).maxRowsPerResponse(1));
    List<String> positions = new ArrayList<>();
    while (true) {
      FakeFivetran.Call c = ft.call();
      assertTrue(c.accepted(), c.body().toString());
      positions.add(position(ft).toString());
      if (!c.hasMore()) {
        break;
      }
    }
    assertEquals(List.of("[\"-infinity\",1]", "[\"-infinity\",2]",
        "[\"-0043-03-15T12:00:00.123456789Z\",3]", "[\"2024-04-30T08:00:00.000000001Z\",4]"),
        positions);
    // Every read resumed exactly where the state said.
    List<Object> afters = new ArrayList<>();
    for (TableRead r : src.reads) {
      afters.add(r.after().map(p -> p.cursor()).orElse(null));
    }
    assertTrue(afters.contains(Instant.MIN));
    assertTrue(afters.contains(Instant.parse("-0043-03-15T12:00:00.123456789Z")));
    // Row 5 (year 10000) is in the future: it waits, like any future row.
    assertFalse(ft.rowsById("orders").containsKey(5L));
    assertEquals(4, ft.rowsById("orders").size());
  }

  @Test
  void rowsAtPlusInfinityAreDeliveredInEverySyncAndNeverMoveThePosition() {
    InfinitySource src = new InfinitySource(ORDERS).put("2024-05-01T10:00:00Z", 1);
    for (long id = 10; id < 15; id++) {
      src.put(id % 2 == 0 ? "infinity" : OffsetDateTime.MAX, id);
    }
    FakeFivetran ft = fivetran(src, EngineConfig.builder().pageSize(2).maxRowsPerResponse(2));
    ft.sync();
    assertEquals(6, ft.rowsById("orders").size(), "the five rows at +infinity are delivered");
    assertEquals("[\"2024-05-01T10:00:00Z\",1]", position(ft).toString());
    assertFalse(ft.state().has("sync"), "the sync ended");
    ft.deliveries("orders").forEach((k, n) -> assertEquals(1, n, k));

    src.put("2024-05-01T11:00:00Z", 2);
    clock.advance(Duration.ofHours(1));
    ft.sync();
    assertEquals(7, ft.rowsById("orders").size(), "a later finite row is still found");
    assertEquals("[\"2024-05-01T11:00:00Z\",2]", position(ft).toString());
    for (long id = 10; id < 15; id++) {
      assertEquals(2, ft.deliveries("orders").get(id + "|"), "row " + id + ": once per sync");
    }
    assertEquals(1, ft.deliveries("orders").get("1|"));
  }

  @Test
  void datesAtTheirExtremesAndBeforeTheCommonEraSync() {
    InfinitySource src = new InfinitySource(BY_DAY)
        .put("-infinity", 1)
        .put(LocalDate.MIN, 2)
        .put(LocalDate.of(-43, 3, 15), 3)
        .put("2024-04-01", 4)
        .put(LocalDate.MAX, 5)
        .put("infinity", 6);
    FakeFivetran ft = fivetran(src, EngineConfig.builder().pageSize(2).maxRowsPerResponse(2));
    ft.sync();
    assertEquals(6, ft.rowsById("orders").size());
    assertEquals("[\"2024-04-01\",4]", position(ft).toString());
    assertEquals("-infinity", ft.rowsById("orders").get(1L).path("day").asText());
    assertEquals("-0043-03-15", ft.rowsById("orders").get(3L).path("day").asText());
  }

  @Test
  void lookbackFromTheSmallestPositionsDoesNotOverflow() {
    for (Table t : List.of(ORDERS.lookback(Duration.ofDays(3)), BY_DAY.lookback(Duration.ofDays(3)))) {
      String smallest = t.cursorType() == ValueType.DATE ? "-999999999-01-01" : "-infinity";
      for (String cursor : List.of(smallest, "-infinity")) {
        InfinitySource src = new InfinitySource(t).put(cursor, 1);
        FakeFivetran ft = fivetran(src, EngineConfig.builder());
        ObjectNode state = (ObjectNode) FakeFivetran.MAPPER.valueToTree(Map.of("version", 1,
            "tables", Map.of("orders", new TreeMap<>(Map.of(
                "cursor", t.cursorColumn().get(), "cursor_type", t.cursorType().stateName(),
                "tiebreaker", "id", "tiebreaker_type", "number",
                "position", List.of(cursor, 1))))));
        ft.setState(state);
        List<FakeFivetran.Call> calls = ft.sync();
        assertTrue(calls.get(calls.size() - 1).accepted(), t + " " + cursor);
        assertEquals(1, ft.rowsById("orders").size(), "the lookback re-reads the row at " + cursor);
      }
    }
  }
}
