package dev.tributary.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeSet;

/** Compares what a {@link FakeFivetran} destination holds with a source's snapshot. */
public final class DestinationAssertions {
  private DestinationAssertions() {}

  /**
   * Asserts the destination holds exactly the snapshot's rows, column for column, with values in
   * their wire form (timestamps as ISO-8601 UTC strings).
   */
  public static void assertMatchesSource(Map<Long, Map<String, Object>> snapshot,
      Map<Long, JsonNode> destination) {
    assertEquals(new TreeSet<>(snapshot.keySet()), new TreeSet<>(destination.keySet()),
        "ids in the destination");
    for (Map.Entry<Long, Map<String, Object>> e : snapshot.entrySet()) {
      JsonNode want = toJson(e.getValue());
      JsonNode got = destination.get(e.getKey());
      if (!want.equals(got)) {
        throw new AssertionError("row " + e.getKey() + " differs: expected " + clip(want)
            + " but the destination holds " + clip(got));
      }
    }
  }

  /** The row as the wire carries it, re-read so numbers compare as a parsed response's do. */
  public static JsonNode toJson(Map<String, Object> values) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    values.forEach((k, v) -> n.set(k, FakeFivetran.MAPPER.valueToTree(wire(v))));
    try {
      return FakeFivetran.MAPPER.readTree(n.toString());
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private static String clip(JsonNode n) {
    String s = String.valueOf(n);
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  private static Object wire(Object v) {
    if (v instanceof Instant) {
      return DateTimeFormatter.ISO_INSTANT.format((Instant) v);
    }
    if (v instanceof OffsetDateTime) {
      return DateTimeFormatter.ISO_INSTANT.format(((OffsetDateTime) v).toInstant());
    }
    if (v instanceof ZonedDateTime) {
      return DateTimeFormatter.ISO_INSTANT.format(((ZonedDateTime) v).toInstant());
    }
    if (v instanceof java.time.LocalDate) {
      return v.toString();
    }
    return v;
  }
}
