package dev.tributary;

import static dev.tributary.testing.DestinationAssertions.assertMatchesSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A primary key appears at most once per response: Fivetran applies a response's {@code insert}
 * and {@code delete} in no defined order (the stand-in here applies inserts first, the worst
 * case), so a key that comes twice goes in the next response instead.
 */
class OneKeyPerResponseTest {
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();

  FakeFivetran fivetran(Connector connector) {
    EngineConfig cfg = EngineConfig.builder().clock(clock).logSink(log::add).build();
    return new FakeFivetran(new FunctionHandler(connector, cfg), clock, Duration.ofMinutes(1),
        cfg.maxResponseBytes());
  }

  static Instant t(String iso) {
    return Instant.parse(iso);
  }

  @Test
  void keyDeletedAndInsertedAgainBetweenSyncsEndsLive() {
    FeedSource src = new FeedSource(FeedSource.Mode.TOMBSTONE_TABLE, ORDERS);
    src.upsert("orders", 1, t("2024-05-01T11:00:00Z"), Map.of("status", "new"));
    src.upsert("orders", 2, t("2024-05-01T11:01:00Z"), Map.of("status", "new"));
    FakeFivetran ft = fivetran(src);
    ft.sync();

    src.delete("orders", 1, t("2024-05-01T12:01:00Z"));
    src.upsert("orders", 1, t("2024-05-01T12:01:01Z"), Map.of("status", "again"));
    clock.set(t("2024-05-01T12:10:00Z"));
    List<FakeFivetran.Call> second = ft.sync();

    assertMatchesSource(src.snapshot("orders"), ft.rowsById("orders"));
    assertEquals("again", ft.rowsById("orders").get(1L).path("status").asText());
    assertEquals(2, second.size(), "the re-insert goes in a response of its own");
    assertEquals(1, second.get(0).body().path("delete").path("orders").size());
    assertTrue(second.get(0).body().path("insert").path("orders").isMissingNode());
    assertTrue(second.get(0).hasMore());
    assertEquals(1, second.get(1).body().path("insert").path("orders").size());
    assertTrue(log.stream().anyMatch(l -> l.contains("\"stop_reason\":\"repeated_key\"")), log.toString());
    assertEachResponseCarriesEachKeyOnce(ft);
  }

  @Test
  void keyUpdatedThreeTimesInAChangeLogEndsAtItsLastVersion() {
    FeedSource src = new FeedSource(FeedSource.Mode.CHANGE_LOG, ORDERS);
    for (int v = 1; v <= 3; v++) {
      src.upsert("orders", 7, t("2024-05-01T11:00:00Z").plusSeconds(v), Map.of("version", v));
      src.upsert("orders", 8, t("2024-05-01T11:00:00Z").plusSeconds(v), Map.of("version", v));
    }
    FakeFivetran ft = fivetran(src);
    List<FakeFivetran.Call> calls = ft.sync();

    assertEquals(3, calls.size(), "one response per version of the keys");
    assertEquals(3, ft.rowsById("orders").get(7L).path("version").asInt());
    assertEquals(3, ft.rowsById("orders").get(8L).path("version").asInt());
    for (FakeFivetran.Call c : calls) {
      assertEquals(2, c.rows(), "both keys go together in each response");
    }
    assertEachResponseCarriesEachKeyOnce(ft);
  }

  @Test
  void softDeletedAndRevivedKeyIsLiveAndNotMarkedDeleted() {
    FeedSource src = new FeedSource(FeedSource.Mode.CHANGE_LOG, ORDERS.softDelete());
    src.upsert("orders", 1, t("2024-05-01T11:00:00Z"), Map.of("status", "new"));
    src.delete("orders", 1, t("2024-05-01T11:00:01Z"));
    src.upsert("orders", 1, t("2024-05-01T11:00:02Z"), Map.of("status", "revived"));
    FakeFivetran ft = fivetran(src);
    ft.sync();

    JsonNode row = ft.table("orders").get("1|");
    assertFalse(row.path("_fivetran_deleted").asBoolean(false), row.toString());
    assertEquals("revived", row.path("status").asText());
    assertEachResponseCarriesEachKeyOnce(ft);
  }

  /** A child table whose read returns one child key twice (a child change log). */
  @Test
  void childKeyRepeatedUnderOneParentGoesInTheNextResponse() {
    Table parents = Table.fullRefresh("orders").primaryKey("id").tiebreaker("id", ValueType.NUMBER);
    Table lines = Table.incremental("lines").primaryKey("order_id", "line").cursor("updated_at")
        .tiebreaker("seq", ValueType.NUMBER).partitionedBy("orders");
    Connector c = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(parents, lines);
      }

      @Override
      public Page read(TableRead read) {
        if (read.table().name().equals("orders")) {
          List<Row> rows = new ArrayList<>();
          for (Row r : List.of(Row.of(Map.of("id", 1)), Row.of(Map.of("id", 2)))) {
            if (read.after().isEmpty() || parents.positionOf(r).compareTo(read.after().get()) > 0) {
              rows.add(r);
            }
          }
          return new Page(rows, false);
        }
        Object order = read.parent().orElseThrow().get("id");
        List<Row> all = List.of(
            line(order, 1, 1, "2024-05-01T11:00:00Z", "v1"),
            line(order, 2, 2, "2024-05-01T11:00:01Z", "v1"),
            line(order, 1, 3, "2024-05-01T11:00:02Z", "v2"));
        List<Row> after = new ArrayList<>();
        for (Row r : all) {
          if (read.after().isEmpty() || read.table().positionOf(r).compareTo(read.after().get()) > 0) {
            after.add(r);
          }
        }
        return new Page(after, false);
      }
    };
    FakeFivetran ft = fivetran(c);
    List<FakeFivetran.Call> calls = ft.sync();

    assertTrue(calls.size() >= 2, "the repeated child key waits for the next response");
    for (String key : List.of("1|1|", "2|1|")) {
      assertEquals("v2", ft.table("lines").get(key).path("note").asText(), key);
    }
    assertEquals(4, ft.table("lines").size());
    assertEachResponseCarriesEachKeyOnce(ft);
  }

  static Row line(Object order, int line, int seq, String at, String note) {
    return Row.of(Map.of("order_id", order, "line", line, "seq", seq, "updated_at", at,
        "note", note));
  }

  /** Numbers that Fivetran stores as one key ({@code 1}, {@code 1L}, {@code 1.0}) count as one. */
  @Test
  void keysEqualAsNumbersAreTheSameKey() {
    Table t = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("seq", ValueType.NUMBER);
    Connector c = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(t);
      }

      @Override
      public Page read(TableRead read) {
        List<Row> all = List.of(
            Row.of(Map.of("id", 1, "seq", 1, "updated_at", "2024-05-01T11:00:00Z")),
            Row.of(Map.of("id", new java.math.BigDecimal("1.0"), "seq", 2,
                "updated_at", "2024-05-01T11:00:01Z")),
            Row.of(Map.of("id", 1L, "seq", 3, "updated_at", "2024-05-01T11:00:02Z")));
        List<Row> after = new ArrayList<>();
        for (Row r : all) {
          if (read.after().isEmpty() || t.positionOf(r).compareTo(read.after().get()) > 0) {
            after.add(r);
          }
        }
        return new Page(after, false);
      }
    };
    FakeFivetran ft = fivetran(c);
    assertEquals(3, ft.sync().size());
  }

  static void assertEachResponseCarriesEachKeyOnce(FakeFivetran ft) {
    for (FakeFivetran.Call c : ft.calls()) {
      Set<String> keys = new HashSet<>();
      for (String section : List.of("insert", "delete")) {
        c.body().path(section).fields().forEachRemaining(e -> {
          JsonNode pk = c.body().path("schema").path(e.getKey()).path("primary_key");
          for (JsonNode row : e.getValue()) {
            StringBuilder k = new StringBuilder(e.getKey()).append(':');
            pk.forEach(col -> k.append(row.get(col.asText()).asText()).append('|'));
            assertTrue(keys.add(k.toString()), "call " + c.number() + " carries " + k + " twice");
          }
        });
      }
    }
  }
}
