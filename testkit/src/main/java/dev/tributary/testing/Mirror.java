package dev.tributary.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Assertions that compare what {@link FakeFivetran} holds with what a {@link SimulatedSource}
 * holds, and count what a sync delivered.
 */
public final class Mirror {
  private Mirror() {}

  /** The destination's live rows of {@code table} equal the source's, column by column. */
  public static void assertMirrors(FakeFivetran ft, SimulatedSource src, String table) {
    Map<Long, Map<String, Object>> expected = src.snapshot(table);
    Map<Long, JsonNode> actual = ft.rowsById(table);
    if (!expected.keySet().equals(actual.keySet())) {
      List<Long> missing = new ArrayList<>(expected.keySet());
      missing.removeAll(actual.keySet());
      List<Long> extra = new ArrayList<>(actual.keySet());
      extra.removeAll(expected.keySet());
      throw new AssertionError(table + ": destination differs from source; missing ids " + missing
          + ", extra ids " + extra);
    }
    for (Map.Entry<Long, Map<String, Object>> e : expected.entrySet()) {
      JsonNode row = actual.get(e.getKey());
      for (Map.Entry<String, Object> col : e.getValue().entrySet()) {
        String want = text(col.getValue());
        JsonNode got = row.get(col.getKey());
        String have = got == null || got.isNull() ? null : got.asText();
        if (want == null ? have != null : !want.equals(have)) {
          throw new AssertionError(table + " id " + e.getKey() + " column " + col.getKey()
              + ": expected " + want + " but destination has " + have);
        }
      }
    }
  }

  /** No key of {@code table} was delivered by accepted calls more than {@code max} times. */
  public static void assertDeliveredAtMost(FakeFivetran ft, String table, int max) {
    for (Map.Entry<String, Integer> e : ft.deliveries(table).entrySet()) {
      if (e.getValue() > max) {
        throw new AssertionError(table + " key " + e.getKey() + " delivered " + e.getValue()
            + " times, more than " + max);
      }
    }
  }

  /** The {@code id}s of {@code table} that accepted calls among {@code calls} inserted, in order. */
  public static List<Long> insertedIds(List<FakeFivetran.Call> calls, String table) {
    List<Long> ids = new ArrayList<>();
    for (FakeFivetran.Call c : calls) {
      if (c.accepted()) {
        for (JsonNode row : c.body().path("insert").path(table)) {
          ids.add(row.get("id").asLong());
        }
      }
    }
    return ids;
  }

  private static String text(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Instant) {
      return v.toString();
    }
    return String.valueOf(v);
  }
}
