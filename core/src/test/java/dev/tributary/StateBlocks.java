package dev.tributary;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a child table's partitions out of a version-2 state as the design doc describes them,
 * for tests that look into the state: {@code {"keys": […], "cursors": […], "tiebreakers": […]}},
 * a number in a timestamp or number column being a difference from the entry before it.
 */
final class StateBlocks {
  private StateBlocks() {}

  /** A partition's position as state keeps it: the cursor (ISO or null) and the tiebreaker. */
  record Part(Instant cursor, BigDecimal tiebreaker) {}

  /** The parent keys, as canonical JSON text, oldest first; none if {@code block} is missing. */
  static List<String> keys(JsonNode block) {
    List<String> keys = new ArrayList<>();
    for (JsonNode k : block.path("keys")) {
      keys.add(k.isTextual() ? k.textValue() : k.isNumber() ? "[" + k.asText() + "]" : k.toString());
    }
    return keys;
  }

  /**
   * Positions per key of a table with a timestamp cursor and a number tiebreaker (the shape the
   * scenarios use).
   */
  static Map<String, Part> timestampNumber(JsonNode block) {
    List<String> keys = keys(block);
    Map<String, Part> parts = new LinkedHashMap<>();
    Instant cursor = null;
    BigDecimal tiebreaker = null;
    for (int i = 0; i < keys.size(); i++) {
      JsonNode c = block.path("cursors").get(i);
      cursor = c.isNumber() ? cursor.plusNanos(c.longValue() * 1000) : Instant.parse(c.asText());
      JsonNode t = block.path("tiebreakers").get(i);
      BigDecimal prev = tiebreaker == null || tiebreaker.scale() > 0 ? BigDecimal.ZERO : tiebreaker;
      tiebreaker = t.isNumber() ? prev.add(t.decimalValue()) : new BigDecimal(t.asText());
      parts.put(keys.get(i), new Part(cursor, tiebreaker));
    }
    return parts;
  }
}
