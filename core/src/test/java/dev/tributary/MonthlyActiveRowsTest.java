package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Monthly active rows: a row the destination already holds as it is is not sent again — a
 * full-refresh table's unchanged rows and a lookback window's re-read rows — within the digest's
 * bound, and an opted-in full-refresh table deletes the rows its source stopped returning, once a
 * pass over it is complete. Past the bound, rows are re-sent, never skipped.
 */
class MonthlyActiveRowsTest {
  static final Table ITEMS = Table.fullRefresh("items").primaryKey("id")
      .tiebreaker("id", ValueType.NUMBER);
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();

  EngineConfig.Builder config() {
    return EngineConfig.builder().clock(clock).logSink(log::add);
  }

  FakeFivetran fivetran(Connector connector, EngineConfig cfg) {
    return new FakeFivetran(new FunctionHandler(connector, cfg), clock, Duration.ofMinutes(1),
        cfg.maxResponseBytes());
  }

  static Instant at(long secondsAfterEleven) {
    return Instant.parse("2024-05-01T11:00:00Z").plusSeconds(secondsAfterEleven);
  }

  /** Ids inserted by the calls of one sync, in order. */
  static List<Long> inserted(List<FakeFivetran.Call> calls, String table) {
    List<Long> ids = new ArrayList<>();
    for (FakeFivetran.Call c : calls) {
      c.body().path("insert").path(table).forEach(r -> ids.add(r.path("id").asLong()));
    }
    return ids;
  }

  static Set<Long> deleted(List<FakeFivetran.Call> calls, String table) {
    Set<Long> ids = new TreeSet<>();
    for (FakeFivetran.Call c : calls) {
      c.body().path("delete").path(table).forEach(r -> ids.add(r.path("id").asLong()));
    }
    return ids;
  }

  static void assertMirrors(SimulatedSource src, FakeFivetran ft, String table) {
    Map<Long, Map<String, Object>> source = src.snapshot(table);
    Map<Long, JsonNode> dest = ft.rowsById(table);
    assertEquals(source.keySet(), dest.keySet(), "keys of " + table);
    source.forEach((id, row) -> assertEquals(String.valueOf(row.get("name")),
        dest.get(id).path("name").asText(), "row " + id + " of " + table));
  }

  SimulatedSource items(Table table, int n) {
    SimulatedSource src = new SimulatedSource(table);
    for (long id = 1; id <= n; id++) {
      src.upsert("items", id, at(0), Map.of("name", "item " + id));
    }
    return src;
  }

  @Test
  void aFullRefreshTableSendsOnlyNewAndChangedRowsAfterItsFirstSync() {
    SimulatedSource src = items(ITEMS, 50);
    FakeFivetran ft = fivetran(src, config().maxRowsPerResponse(7).pageSize(5).build());
    assertEquals(50, inserted(ft.sync(), "items").size());

    src.upsert("items", 3, at(0), Map.of("name", "item 3, renamed"));
    src.upsert("items", 51, at(0), Map.of("name", "item 51"));
    clock.advance(Duration.ofHours(1));
    List<FakeFivetran.Call> second = ft.sync();

    assertEquals(List.of(3L, 51L), inserted(second, "items"));
    assertMirrors(src, ft, "items");
    assertTrue(log.stream().anyMatch(l -> l.contains("\"unchanged_rows_not_sent\"")), log.toString());

    clock.advance(Duration.ofHours(1));
    assertEquals(List.of(), inserted(ft.sync(), "items"), "nothing changed: nothing sent");
  }

  @Test
  void rowsRemovedFromAnOptedInFullRefreshTableAreDeletedAfterACompletePass() {
    for (boolean soft : new boolean[] {false, true}) {
      Table table = soft ? ITEMS.deleteMissing().softDelete() : ITEMS.deleteMissing();
      SimulatedSource src = items(table, 30);
      FakeFivetran ft = fivetran(src, config().maxRowsPerResponse(4).pageSize(3).build());
      ft.sync();

      src.remove("items", 2);
      src.remove("items", 17);
      src.remove("items", 30);
      clock.advance(Duration.ofHours(1));
      List<FakeFivetran.Call> second = ft.sync();

      assertEquals(Set.of(2L, 17L, 30L), deleted(second, "items"));
      // Only once the pass is complete: every response before the one that reached the end
      // of the table deletes nothing.
      for (FakeFivetran.Call c : second) {
        if (c.body().path("delete").has("items")) {
          assertTrue(c.body().path("state").path("sync").path("done").isEmpty()
              || !c.hasMore(), "deletes only after the last page");
        }
      }
      int lastPage = -1;
      for (int i = 0; i < second.size(); i++) {
        if (second.get(i).body().path("insert").has("items") || second.get(i).rows() == 0) {
          lastPage = i;
        }
      }
      for (int i = 0; i < second.size(); i++) {
        if (second.get(i).body().path("delete").has("items")) {
          assertTrue(i >= lastPage, "a delete before the pass reached the end, in call " + i);
        }
      }
      assertMirrors(src, ft, "items");
      if (soft) {
        assertTrue(ft.table("items").get("2|").path("_fivetran_deleted").asBoolean());
      } else {
        assertFalse(ft.table("items").containsKey("2|"));
      }
      clock.advance(Duration.ofHours(1));
      List<FakeFivetran.Call> third = ft.sync();
      assertEquals(Set.of(), deleted(third, "items"), "a delete is sent once");
      assertEquals(List.of(), inserted(third, "items"));
    }
  }

  @Test
  void deletesThatDoNotFitOneResponseGoInTheNext() {
    SimulatedSource src = items(ITEMS.deleteMissing(), 40);
    FakeFivetran ft = fivetran(src, config().maxRowsPerResponse(5).build());
    ft.sync();
    for (long id = 1; id <= 40; id += 2) {
      src.remove("items", id);
    }
    clock.advance(Duration.ofHours(1));
    List<FakeFivetran.Call> second = ft.sync();
    assertEquals(20, deleted(second, "items").size());
    assertTrue(second.size() >= 4, "20 deletes at 5 rows a response");
    assertMirrors(src, ft, "items");
  }

  @Test
  void aPassThatFailsPartWayDeletesNothing() {
    SimulatedSource src = items(ITEMS.deleteMissing(), 20);
    FakeFivetran ft = fivetran(src, config().maxRowsPerResponse(4).pageSize(4).build());
    ft.sync();
    src.remove("items", 5);
    int[] reads = {0};
    src.failWhen(r -> ++reads[0] == 3); // the third read of the second sync fails
    clock.advance(Duration.ofHours(1));
    List<FakeFivetran.Call> second = ft.sync(100, 5);
    assertTrue(second.stream().anyMatch(c -> !c.accepted()), "a call failed");
    assertEquals(Set.of(5L), deleted(second, "items"));
    assertMirrors(src, ft, "items");
  }

  @Test
  void withoutDeleteMissingARemovedRowStaysAndIsForgotten() {
    SimulatedSource src = items(ITEMS, 10);
    FakeFivetran ft = fivetran(src, config().build());
    ft.sync();
    src.remove("items", 4);
    clock.advance(Duration.ofHours(1));
    List<FakeFivetran.Call> second = ft.sync();
    assertEquals(Set.of(), deleted(second, "items"));
    assertTrue(ft.rowsById("items").containsKey(4L), "not opted in: the row stays");
    JsonNode digest = ft.state().path("tables").path("items").path("digest");
    assertFalse(digest.path("delivered").has("[4]"), digest.toString());
    assertEquals(9, digest.path("delivered").size());
  }

  @Test
  void pastTheBoundRowsAreReSentNeverSkipped() {
    SimulatedSource src = items(ITEMS.deleteMissing(), 30);
    FakeFivetran ft = fivetran(src, config().maxDigestRows(10).build());
    ft.sync();
    src.upsert("items", 25, at(0), Map.of("name", "changed"));
    src.remove("items", 29);
    clock.advance(Duration.ofHours(1));
    List<FakeFivetran.Call> second = ft.sync();

    List<Long> sent = inserted(second, "items");
    // The digest remembers the last 10 rows delivered (21–30): 1–20 come again, 25 changed.
    List<Long> expected = new ArrayList<>();
    for (long id = 1; id <= 20; id++) {
      expected.add(id);
    }
    expected.add(25L);
    assertEquals(expected, sent);
    assertEquals(Set.of(29L), deleted(second, "items"));
    assertMirrors(src, ft, "items");
    assertTrue(log.stream().anyMatch(l -> l.contains("TRIBUTARY_MAX_DIGEST_ROWS")), log.toString());
    assertTrue(ft.state().toString().length() < 2_000, "the digest stays within its bound");
  }

  @Test
  void aResetStateSendsEverythingAgainAndFindsNoDeletes() {
    SimulatedSource src = items(ITEMS.deleteMissing(), 10);
    FakeFivetran ft = fivetran(src, config().build());
    ft.sync();
    src.remove("items", 3);
    ft.setState(FakeFivetran.MAPPER.createObjectNode()); // an operator resets the connection's state
    clock.advance(Duration.ofHours(1));
    List<FakeFivetran.Call> second = ft.sync();
    assertEquals(9, inserted(second, "items").size());
    assertEquals(Set.of(), deleted(second, "items"), "what was delivered before the reset is unknown");
    assertTrue(ft.rowsById("items").containsKey(3L));
  }

  @Test
  void aLookbackWindowSendsOnlyTheRowsThatChangedOrCameLate() {
    Table orders = ORDERS.lookback(Duration.ofMinutes(30));
    SimulatedSource src = new SimulatedSource(orders);
    for (long id = 1; id <= 40; id++) {
      src.upsert("orders", id, at(id * 60), Map.of("name", "order " + id)); // 11:01 … 11:40
    }
    clock.set(Instant.parse("2024-05-01T11:45:00Z"));
    FakeFivetran ft = fivetran(src, config().maxRowsPerResponse(6).pageSize(4).build());
    assertEquals(40, inserted(ft.sync(), "orders").size());

    // Inside the window (after 11:10): a row changed without its cursor moving (what a lookback
    // is for: the source's clock or a late commit) and a late row with an old cursor.
    src.upsert("orders", 35, at(35 * 60), Map.of("name", "order 35, corrected"));
    src.upsert("orders", 100, at(38 * 60 + 30), Map.of("name", "late order"));
    clock.set(Instant.parse("2024-05-01T11:50:00Z"));
    List<FakeFivetran.Call> second = ft.sync();

    assertEquals(List.of(35L, 100L), inserted(second, "orders"));
    assertMirrors(src, ft, "orders");

    // Many syncs later the digest holds only what the window can re-read, not the whole table.
    for (int s = 0; s < 5; s++) {
      clock.advance(Duration.ofHours(1));
      src.upsert("orders", 200 + s, clock.peek().minusSeconds(120), Map.of("name", "new " + s));
      assertEquals(List.of(200L + s), inserted(ft.sync(), "orders"));
    }
    JsonNode digest = ft.state().path("tables").path("orders").path("digest");
    assertTrue(digest.path("delivered").size() <= 2, digest.toString());
  }

  @Test
  void aChangedPrimaryKeyForgetsTheDigestWithANotice() {
    SimulatedSource src = items(ITEMS, 5);
    FakeFivetran ft = fivetran(src, config().build());
    ft.sync();
    ObjectNode state = ft.state().deepCopy();
    ((ObjectNode) state.path("tables").path("items").path("digest")).putArray("key").add("sku");
    ft.setState(state);
    clock.advance(Duration.ofHours(1));
    assertEquals(5, inserted(ft.sync(), "items").size());
    assertTrue(log.stream().anyMatch(l -> l.contains("had primary key [sku]")), log.toString());
  }

  @Test
  void aDigestThatIsNotOneIsAClearErrorThatChangesNothing() {
    SimulatedSource src = items(ITEMS, 5);
    FakeFivetran ft = fivetran(src, config().build());
    ft.sync();
    ObjectNode state = ft.state().deepCopy();
    ((ObjectNode) state.path("tables").path("items").path("digest").path("delivered"))
        .put("[1]", "not a hash");
    ft.setState(state);
    FakeFivetran.Call c = ft.call();
    assertEquals(400, c.httpStatus(), c.body().toString());
    String message = c.body().path("errorMessage").asText();
    assertTrue(message.contains("state.tables.items.digest.delivered"), message);
    assertTrue(message.contains("remove it"), message);
  }
}
