package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.Position;
import dev.tributary.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A child table's partitions in state version 2: one block of columns instead of a
 * {@code [cursor, tiebreaker]} pair per parent key, in the same order (oldest first, the order
 * finished partitions are forgotten in).
 *
 * <pre>{@code
 * "partitions": {"keys": [991, 992, ["eu", 7]],
 *                "cursors": ["2024-05-01T09:59:58.123456Z", 37000, -1500],
 *                "tiebreakers": [3, 1, 2]}
 * }</pre>
 *
 * <ul>
 *   <li>{@code keys}: each parent's key, the canonical JSON array of its primary key: a
 *       one-column whole-number key as that number, another key as the array itself, and a key
 *       whose text would not come back the same from its JSON as a string of that text.
 *   <li>{@code cursors} (absent for a table without a cursor) and {@code tiebreakers}: a JSON
 *       number is a difference from the entry before it, in the type's unit — microseconds for
 *       timestamps, days for dates, one for numbers (a number after an entry that is not a whole
 *       number, or first, is a difference from 0: the number itself). Anything else is the value
 *       as version 1 writes it: timestamps and dates where the entry before has none to add to
 *       (the first, after {@code infinity}, or with nanoseconds), strings, fractional and huge
 *       numbers, {@code null}.
 * </ul>
 *
 * <p>An entry's columns never take more than its version-1 bytes plus {@link #SLACK_PER_ENTRY},
 * counting the growth its change can cause in the entry after it: what {@link Budget} allows a
 * partition so a response never carries state over its cap.
 */
final class PartitionBlock {
  /** The unit value of something that cannot be a difference. */
  private static final long NONE = Long.MIN_VALUE;
  private static final long MAX_SAFE_JSON_INTEGER = 1L << 53;
  /** Timestamps within ±10^12 s of the epoch (about ±31,700 years) are coded as differences. */
  private static final long MAX_CODED_SECONDS = 1_000_000_000_000L;

  /**
   * Bytes an entry's change may add beyond its version-1 position and key: per column, how
   * much longer than its plain form the entry's own difference may be, plus how much the entry
   * after it may grow when its reference changes. Timestamps: a difference (at most 20
   * characters) is never longer than the plain form (at least 22); the next entry grows from 1
   * character to at most 31 ({@code "-29719-…T…:….ffffffZ"}): 30. Dates: 1 + 17. Numbers
   * (whole, below 2^53): a difference has at most 18 characters, the plain number at least 1,
   * so 17 + 17. The larger column bound, twice.
   */
  static final int SLACK_PER_ENTRY = 2 * 34;

  private static final String KEYS = "keys";
  private static final String CURSORS = "cursors";
  private static final String TIEBREAKERS = "tiebreakers";

  private final Json json;
  private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(64);
  private final JsonGenerator scratchGenerator;

  PartitionBlock(Json json) {
    this.json = json;
    try {
      this.scratchGenerator = json.factory().createGenerator(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    scratchGenerator.setRootValueSeparator(null);
  }

  /** Bytes of {@code ,"partitions":{…}} with no entry, with and without the cursors column. */
  static int framing(boolean cursors) {
    return (",\"partitions\":{\"keys\":[],\"tiebreakers\":[]}").length()
        + (cursors ? ",\"cursors\":[]".length() : 0);
  }

  /**
   * At least the bytes a partition key takes in a block (its largest form, a JSON string of
   * its text, UTF-8), so the budget never counts it short.
   */
  static long keyBytesBound(String key) {
    long n = 2;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '"' || c == '\\') {
        n += 2;
      } else if (c < 0x20) {
        n += 6;
      } else if (c < 0x80) {
        n += 1;
      } else if (c < 0x800 || Character.isSurrogate(c)) {
        n += Character.isSurrogate(c) ? 3 : 2;
      } else {
        n += 3;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing.

  /**
   * Writes {@code "partitions": {…}}; nothing if there are none.
   *
   * @param cursorType the cursor's type, null for a table without a cursor
   */
  void write(JsonGenerator g, ValueType cursorType, ValueType tiebreakerType,
      Map<String, Position> parts) throws IOException {
    if (parts.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart("partitions");
    g.writeArrayFieldStart(KEYS);
    for (String key : parts.keySet()) {
      writeKey(g, key);
    }
    g.writeEndArray();
    if (cursorType != null) {
      g.writeArrayFieldStart(CURSORS);
      long prev = NONE;
      for (Position p : parts.values()) {
        prev = writeValue(g, cursorType, p.cursor(), prev);
      }
      g.writeEndArray();
    }
    g.writeArrayFieldStart(TIEBREAKERS);
    long prev = NONE;
    for (Position p : parts.values()) {
      prev = writeValue(g, tiebreakerType, p.tiebreaker().orElse(null), prev);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private void writeKey(JsonGenerator g, String key) throws IOException {
    if (isWholeNumberKey(key)) {
      g.writeRawValue(key, 1, key.length() - 2);
    } else if (isArrayKey(key)) {
      g.writeRawValue(key);
    } else {
      g.writeString(key);
    }
  }

  /** Writes one column's value after one whose unit value was {@code prev}; returns its own. */
  private static long writeValue(JsonGenerator g, ValueType type, Object v, long prev)
      throws IOException {
    long unit = unit(type, v);
    if (unit != NONE && (prev != NONE || type == ValueType.NUMBER)) {
      g.writeNumber(unit - (prev == NONE ? 0 : prev));
    } else {
      Values.writeState(g, v);
    }
    return unit;
  }

  /** {@code [digits]}: a one-column key of a whole number, at most 18 digits, canonical. */
  static boolean isWholeNumberKey(String key) {
    int n = key.length();
    if (n < 3 || key.charAt(0) != '[' || key.charAt(n - 1) != ']') {
      return false;
    }
    int i = 1;
    if (key.charAt(i) == '-') {
      i++;
    }
    int digits = n - 1 - i;
    if (digits < 1 || digits > 18 || (key.charAt(i) == '0' && (digits > 1 || i > 1))) {
      return false; // leading zero, or -0
    }
    for (int j = i; j < n - 1; j++) {
      char c = key.charAt(j);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** A key whose JSON array reads back to the same text: written as the array itself. */
  private boolean isArrayKey(String key) {
    if (key.isEmpty() || key.charAt(0) != '[') {
      return false;
    }
    try {
      JsonNode node = json.mapper().readTree(key);
      return node != null && node.isArray() && !hasFraction(node) && key.equals(keyText(node));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean hasFraction(JsonNode node) {
    if (node.isNumber()) {
      return !node.isIntegralNumber();
    }
    for (JsonNode child : node) {
      if (hasFraction(child)) {
        return true;
      }
    }
    return false;
  }

  private String keyText(JsonNode array) throws IOException {
    return json.mapper().writeValueAsString(array);
  }

  /**
   * A value in its column's unit — microseconds since the epoch, days since the epoch, the
   * number — or {@link #NONE} if it is not written as a difference.
   */
  private static long unit(ValueType type, Object v) {
    if (v == null) {
      return NONE;
    }
    switch (type) {
      case TIMESTAMP -> {
        Instant i = (Instant) v;
        long s = i.getEpochSecond();
        if (s > MAX_CODED_SECONDS || s < -MAX_CODED_SECONDS || i.getNano() % 1000 != 0) {
          return NONE; // the infinities lie far outside
        }
        return s * 1_000_000L + i.getNano() / 1000;
      }
      case DATE -> {
        LocalDate d = (LocalDate) v;
        return d.equals(LocalDate.MAX) || d.equals(LocalDate.MIN) ? NONE : d.toEpochDay();
      }
      case NUMBER -> {
        BigDecimal d = (BigDecimal) v;
        if (d.scale() > 0 || d.precision() - d.scale() > 16) {
          return NONE;
        }
        long n = d.longValueExact();
        return n < MAX_SAFE_JSON_INTEGER && n > -MAX_SAFE_JSON_INTEGER ? n : NONE;
      }
      default -> {
        return NONE;
      }
    }
  }

  private static Object fromUnit(ValueType type, long unit) {
    return switch (type) {
      case TIMESTAMP -> Instant.ofEpochSecond(Math.floorDiv(unit, 1_000_000L),
          Math.floorMod(unit, 1_000_000L) * 1000L);
      case DATE -> LocalDate.ofEpochDay(unit);
      case NUMBER -> BigDecimal.valueOf(unit);
      case STRING -> throw new IllegalStateException("strings are never differences");
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Reading.

  /**
   * Reads a block written by {@link #write}.
   *
   * @param cursorType null for a table without a cursor
   * @param where {@code state.tables.<table>.partitions}, for messages
   * @throws ProtocolFailure naming the entry that cannot be read and what to do
   */
  Map<String, Position> read(JsonNode block, ValueType cursorType, ValueType tiebreakerType,
      String where) throws ProtocolFailure {
    String fix = "; fix it or remove " + where + " to re-read the children";
    if (!block.isObject()) {
      throw new ProtocolFailure(where + " is not an object; remove it to re-read the children");
    }
    for (Iterator<String> it = block.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals(KEYS) && !f.equals(CURSORS) && !f.equals(TIEBREAKERS)) {
        throw new ProtocolFailure(where + " has a member '" + f + "' a version-2 partition block"
            + " does not have (keys, cursors, tiebreakers)" + fix);
      }
    }
    JsonNode keys = column(block, KEYS, where, fix);
    JsonNode tiebreakers = column(block, TIEBREAKERS, where, fix);
    JsonNode cursors = cursorType == null ? null : column(block, CURSORS, where, fix);
    int n = keys.size();
    if (tiebreakers.size() != n || (cursors != null && cursors.size() != n)) {
      throw new ProtocolFailure(where + " has " + n + " keys but " + tiebreakers.size()
          + " tiebreakers" + (cursors == null ? "" : " and " + cursors.size() + " cursors")
          + ": every column has one value per key" + fix);
    }
    Object[] cursorValues = cursors == null ? new Object[n]
        : readColumn(cursors, cursorType, where + "." + CURSORS, fix);
    Object[] tiebreakerValues = readColumn(tiebreakers, tiebreakerType, where + "." + TIEBREAKERS, fix);
    Map<String, Position> parts = new LinkedHashMap<>(Math.max(16, n * 4 / 3 + 1));
    for (int i = 0; i < n; i++) {
      String key = readKey(keys.get(i), where + "." + KEYS + "[" + i + "]", fix);
      if (cursorType != null && cursorValues[i] == null) {
        throw new ProtocolFailure(where + "." + CURSORS + "[" + i + "] is null: a partition of a"
            + " table with a cursor needs a cursor value" + fix);
      }
      if (cursorType == null && tiebreakerValues[i] == null) {
        throw new ProtocolFailure(where + "." + TIEBREAKERS + "[" + i + "] is null: a partition"
            + " of a table without a cursor needs its key" + fix);
      }
      if (parts.put(key, Position.of(cursorValues[i], tiebreakerValues[i])) != null) {
        throw new ProtocolFailure(where + "." + KEYS + "[" + i + "] repeats an earlier key" + fix);
      }
    }
    return parts;
  }

  private static JsonNode column(JsonNode block, String name, String where, String fix)
      throws ProtocolFailure {
    JsonNode c = block.get(name);
    if (c == null || !c.isArray()) {
      throw new ProtocolFailure(where + "." + name + (c == null ? " is missing" : " is not an array")
          + " (a version-2 partition block is {\"keys\": […], \"cursors\": […], \"tiebreakers\": […]})"
          + fix);
    }
    return c;
  }

  private String readKey(JsonNode k, String where, String fix) throws ProtocolFailure {
    if (k.isTextual()) {
      return k.textValue();
    }
    if (k.isIntegralNumber()) {
      return "[" + k.bigIntegerValue() + "]";
    }
    if (k.isArray()) {
      try {
        return keyText(k);
      } catch (IOException e) {
        throw new ProtocolFailure(where + " cannot be written back as a key" + fix);
      }
    }
    throw new ProtocolFailure(where + " is a JSON " + k.getNodeType().name().toLowerCase()
        + ", not a parent key (a whole number, an array or a string)" + fix);
  }

  private static Object[] readColumn(JsonNode column, ValueType type, String where, String fix)
      throws ProtocolFailure {
    Object[] values = new Object[column.size()];
    long prev = NONE;
    for (int i = 0; i < values.length; i++) {
      JsonNode n = column.get(i);
      Object v;
      if (n.isNumber() && type != ValueType.STRING) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
          throw new ProtocolFailure(where + "[" + i + "] is not a whole-number difference in "
              + unitName(type) + fix);
        }
        long ref = prev;
        if (ref == NONE) {
          if (type != ValueType.NUMBER) {
            throw new ProtocolFailure(where + "[" + i + "] is a difference, but the entry before"
                + " it has no " + type.stateName() + " to add it to: write the value itself"
                + " (as version 1 does)" + fix);
          }
          ref = 0;
        }
        try {
          v = fromUnit(type, Math.addExact(ref, n.longValue()));
        } catch (ArithmeticException | DateTimeException e) {
          throw new ProtocolFailure(where + "[" + i + "] is a difference that leaves the range of a "
              + type.stateName() + fix);
        }
      } else {
        try {
          v = Values.readState(type, n);
        } catch (IllegalArgumentException e) {
          throw new ProtocolFailure(where + "[" + i + "] " + e.getMessage() + fix);
        }
      }
      values[i] = v;
      prev = unit(type, v);
    }
    return values;
  }

  private static String unitName(ValueType type) {
    return switch (type) {
      case TIMESTAMP -> "microseconds";
      case DATE -> "days";
      default -> "units";
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Sizes.

  /**
   * Bytes of the block as it shrinks: walk the entries in order, calling {@link #shift} once for
   * each, then {@link #drop} or {@link #keep} it. The sum of what they return is the exact
   * change of the encoded state.
   */
  final class Walk {
    private final ValueType cursorType;
    private final ValueType tiebreakerType;
    private int remaining;
    private long originalCursor = NONE;
    private long originalTiebreaker = NONE;
    private long keptCursor = NONE;
    private long keptTiebreaker = NONE;
    private int current;

    Walk(ValueType cursorType, ValueType tiebreakerType, int entries) {
      this.cursorType = cursorType;
      this.tiebreakerType = tiebreakerType;
      this.remaining = entries;
    }

    /**
     * How many bytes more the entry takes once the entries dropped before it are gone (its
     * differences then count from an earlier entry).
     */
    long shift(Position p) {
      Object c = p.cursor();
      Object t = p.tiebreaker().orElse(null);
      int cursorNow = cursorType == null ? 0 : valueBytes(cursorType, c, originalCursor);
      int tiebreakerNow = valueBytes(tiebreakerType, t, originalTiebreaker);
      int cursorAfter = cursorType == null ? 0 : valueBytes(cursorType, c, keptCursor);
      int tiebreakerAfter = valueBytes(tiebreakerType, t, keptTiebreaker);
      if (cursorType != null) {
        originalCursor = unit(cursorType, c);
      }
      originalTiebreaker = unit(tiebreakerType, t);
      current = cursorAfter + tiebreakerAfter;
      return (long) cursorAfter + tiebreakerAfter - cursorNow - tiebreakerNow;
    }

    /** Drops the entry last shifted: the bytes that go with it. */
    long drop(String key) {
      remaining--;
      long bytes = keyBytes(key) + current;
      int columns = cursorType == null ? 2 : 3;
      return remaining == 0 ? bytes + framing(cursorType != null) : bytes + columns;
    }

    /** Keeps the entry last shifted: the next entry's differences count from it. */
    void keep(Position p) {
      if (cursorType != null) {
        keptCursor = unit(cursorType, p.cursor());
      }
      keptTiebreaker = unit(tiebreakerType, p.tiebreaker().orElse(null));
    }
  }

  Walk walk(ValueType cursorType, ValueType tiebreakerType, int entries) {
    return new Walk(cursorType, tiebreakerType, entries);
  }

  private int keyBytes(String key) {
    return measure(g -> writeKey(g, key));
  }

  private int valueBytes(ValueType type, Object v, long prev) {
    long unit = unit(type, v);
    if (unit != NONE && (prev != NONE || type == ValueType.NUMBER)) {
      long d = unit - (prev == NONE ? 0 : prev);
      return d < 0 ? stringSize(-d) + 1 : stringSize(d);
    }
    int known = IsoText.stateLength(v);
    return known >= 0 ? known : measure(g -> Values.writeState(g, v));
  }

  private static int stringSize(long nonNegative) {
    long p = 10;
    for (int i = 1; i < 19; i++) {
      if (nonNegative < p) {
        return i;
      }
      p *= 10;
    }
    return 19;
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private int measure(Writer w) {
    scratch.reset();
    try {
      w.write(scratchGenerator);
      scratchGenerator.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return scratch.size();
  }
}
