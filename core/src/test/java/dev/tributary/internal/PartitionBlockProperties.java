package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Version 2's partition blocks: every value the engine holds reads back as it was written, in
 * order, and a version-2 state round-trips byte for byte; a version-1 state migrates to the
 * same partitions; the sizes the state cap relies on are exact (forgetting) or never short (the
 * budget's allowance); a malformed block is a protocol error naming the table and what to do.
 */
class PartitionBlockProperties {
  static final Json JSON = new Json(EngineConfig.defaults());

  /** A child table's declaration and its partitions. */
  record Case(ValueType cursorType, ValueType tiebreakerType, Map<String, Position> parts) {
    Table parent() {
      return Table.fullRefresh("parents").primaryKey("id");
    }

    Table child() {
      Table t = cursorType == null ? Table.fullRefresh("lines").primaryKey("parent_id", "k")
          : Table.incremental("lines").primaryKey("parent_id", "k").cursor("c", cursorType);
      return t.tiebreaker("k", tiebreakerType).partitionedBy("parents");
    }

    Schema schema() {
      return Schema.of(parent(), child());
    }

    StateCodec codec() {
      return new StateCodec(JSON, schema());
    }

    StateSnapshot state(Map<String, Position> partitions) {
      StateSnapshot.TableEntry lines = new StateSnapshot.TableEntry(
          cursorType == null ? null : "c", cursorType, "k", tiebreakerType, null, null, null, null,
          partitions);
      return new StateSnapshot(null, List.of(), Map.of(), 0, Map.of("lines", lines), Map.of());
    }

    StateSnapshot state() {
      return state(parts);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Values: every type, with the edges the engine supports.

  /** Values close together: differences of a character or two. */
  static Arbitrary<Object> dense(ValueType type) {
    Arbitrary<Object> raw = switch (type) {
      case TIMESTAMP -> Arbitraries.longs().between(1_700_000_000_000_000L, 1_700_000_000_000_030L)
          .map(m -> (Object) Instant.ofEpochSecond(m / 1_000_000L, m % 1_000_000L * 1000));
      case DATE -> Arbitraries.longs().between(19_000, 19_005).map(d -> (Object) LocalDate.ofEpochDay(d));
      case NUMBER -> Arbitraries.longs().between(0, 9).map(n -> (Object) n);
      case STRING -> Arbitraries.strings().withCharRange('a', 'c').ofMaxLength(2).map(x -> (Object) x);
    };
    return raw.map(type::normalize);
  }

  static Arbitrary<Object> values(ValueType type) {
    Arbitrary<Object> raw = switch (type) {
      // Dense values (differences of a character or two) and the edges, so a change next to
      // them makes the largest difference in size there is.
      case TIMESTAMP -> Arbitraries.frequencyOf(
          Tuple.of(4, Arbitraries.longs().between(1_700_000_000_000_000L, 1_700_000_000_000_030L)
              .map(m -> (Object) Instant.ofEpochSecond(m / 1_000_000L, m % 1_000_000L * 1000))),
          Tuple.of(5, Arbitraries.longs().between(1_700_000_000_000_000L, 1_700_100_000_000_000L)
              .map(m -> (Object) Instant.ofEpochSecond(Math.floorDiv(m, 1_000_000L),
                  Math.floorMod(m, 1_000_000L) * 1000))),
          // Every instant an OffsetDateTime holds (years ±999,999,999), as the engine reads them.
          Tuple.of(2, Arbitraries.longs().between(LocalDateTime.MIN.toEpochSecond(ZoneOffset.UTC),
                  LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC))
              .flatMap(s -> Arbitraries.integers().between(0, 999_999_999)
                  .map(n -> (Object) Instant.ofEpochSecond(s, n)))),
          Tuple.of(2, Arbitraries.of(Instant.MIN, Instant.MAX,
              Instant.parse("-0043-03-15T12:00:00.123456Z"), Instant.parse("+10000-01-01T00:00:00Z"),
              Instant.ofEpochSecond(1_000_000_000_000L), Instant.ofEpochSecond(1_000_000_000_001L),
              Instant.ofEpochSecond(-1_000_000_000_000L, 999_999_000),
              Instant.ofEpochSecond(-1_000_000_000_001L), Instant.parse("2024-05-01T09:59:58.123456789Z"),
              Instant.EPOCH)));
      case DATE -> Arbitraries.frequencyOf(
          Tuple.of(4, Arbitraries.longs().between(19_000, 19_005).map(d -> (Object) LocalDate.ofEpochDay(d))),
          Tuple.of(5, Arbitraries.longs().between(19_000, 21_000).map(d -> (Object) LocalDate.ofEpochDay(d))),
          Tuple.of(2, Arbitraries.longs().between(LocalDate.MIN.toEpochDay(), LocalDate.MAX.toEpochDay())
              .map(d -> (Object) LocalDate.ofEpochDay(d))),
          Tuple.of(1, Arbitraries.of(LocalDate.MIN, LocalDate.MAX, LocalDate.of(-43, 3, 15),
              LocalDate.of(10_000, 1, 1))));
      case NUMBER -> Arbitraries.frequencyOf(
          Tuple.of(4, Arbitraries.longs().between(0, 9).map(n -> (Object) n)),
          Tuple.of(1, Arbitraries.longs().between(-3, 3).map(n -> (Object) ((1L << 53) - 4 + n))),
          Tuple.of(4, Arbitraries.longs().between(-1_000, 10_000_000).map(n -> (Object) n)),
          Tuple.of(2, Arbitraries.longs().map(n -> (Object) n)),
          Tuple.of(2, Arbitraries.longs().between(-3, 3).map(n -> (Object) ((1L << 53) * (n < 0 ? -1 : 1) + n))),
          Tuple.of(2, Arbitraries.longs().flatMap(u -> Arbitraries.integers().between(1, 12)
              .map(s -> (Object) BigDecimal.valueOf(u, s)))),
          Tuple.of(1, Arbitraries.strings().numeric().ofMinLength(20).ofMaxLength(120)
              .map(d -> (Object) new BigDecimal(new BigInteger("1" + d)))),
          Tuple.of(1, Arbitraries.of((Object) new BigDecimal("1E+20"), BigDecimal.ZERO,
              new BigDecimal("-0.000"), new BigDecimal("123.4500"))));
      case STRING -> Arbitraries.frequencyOf(
          Tuple.of(3, Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s)),
          Tuple.of(1, Arbitraries.of((Object) "", "\"", "\\", "\u0000", "日本", "😀", "infinity", "12")));
    };
    return raw.map(type::normalize);
  }

  static Arbitrary<String> keys() {
    Arbitrary<Object> column = Arbitraries.oneOf(
        Arbitraries.longs().map(n -> (Object) n),
        Arbitraries.strings().ofMaxLength(6).map(s -> (Object) s),
        Arbitraries.longs().map(u -> (Object) BigDecimal.valueOf(u, 2)),
        Arbitraries.of((Object) Boolean.TRUE, new BigInteger("123456789012345678901234567890")));
    Arbitrary<String> canonical = column.list().ofMinSize(1).ofMaxSize(3).map(values -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JsonGenerator g = JSON.factory().createGenerator(out)) {
        g.writeStartArray();
        for (Object v : values) {
          RowJson.writeValue(g, v, "id");
        }
        g.writeEndArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString(StandardCharsets.UTF_8);
    });
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.longs().map(n -> "[" + n + "]")),
        Tuple.of(4, canonical),
        Tuple.of(1, Arbitraries.of("[007]", "[-0]", "[1.50]", "[1e5]", "[ 1]", "[1,2", "plain",
            "", "[\"a\",\"b\"]", "[\"\\u00e9\"]", "[null]", "[]", "[[1],{\"a\":1}]")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(8)));
  }

  static Arbitrary<Position> positions(ValueType cursorType, ValueType tiebreakerType) {
    return positions(cursorType, tiebreakerType, false);
  }

  static Arbitrary<Position> positions(ValueType cursorType, ValueType tiebreakerType,
      boolean dense) {
    Arbitrary<Object> tiebreakers = dense ? dense(tiebreakerType) : values(tiebreakerType);
    Arbitrary<Object> tiebreaker = cursorType == null ? tiebreakers
        : Arbitraries.frequencyOf(Tuple.of(9, tiebreakers), Tuple.of(1, Arbitraries.just(null)));
    Arbitrary<Object> cursor = cursorType == null ? Arbitraries.just(null)
        : dense ? dense(cursorType) : values(cursorType);
    return Combinators.combine(cursor, tiebreaker).as(Position::of);
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<ValueType> cursorTypes = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(ValueType.TIMESTAMP)), Tuple.of(1, Arbitraries.just(ValueType.DATE)),
        Tuple.of(1, Arbitraries.just(ValueType.NUMBER)), Tuple.of(1, Arbitraries.just(ValueType.STRING)),
        Tuple.of(1, Arbitraries.just(null)));
    return Combinators.combine(cursorTypes, Arbitraries.of(ValueType.values()),
        Arbitraries.of(false, true)).flatAs((c, t, dense) ->
        Combinators.combine(keys(), positions(c, t, dense)).as(Map::entry).list().ofMaxSize(40)
            .map(list -> {
              Map<String, Position> parts = new LinkedHashMap<>();
              list.forEach(e -> parts.putIfAbsent(e.getKey(), e.getValue()));
              return new Case(c, t, parts);
            }));
  }

  static StateSnapshot decode(StateCodec codec, byte[] bytes) throws Exception {
    return codec.decode((ObjectNode) JSON.mapper().readTree(bytes)).state();
  }

  static Map<String, Position> partitionsOf(StateSnapshot s) {
    StateSnapshot.TableEntry e = s.tables().get("lines");
    return e == null ? Map.of() : e.partitions();
  }

  // ---------------------------------------------------------------------------------------------
  // Round trips.

  @Property(tries = 500)
  void everyBlockReadsBackAsWrittenAndAgainByteForByte(@ForAll("cases") Case c) throws Exception {
    StateCodec codec = c.codec();
    byte[] bytes = codec.encode(c.state());
    StateSnapshot read = decode(codec, bytes);
    assertEquals(new ArrayList<>(c.parts().entrySet()), new ArrayList<>(partitionsOf(read).entrySet()),
        "the same partitions in the same order: " + new String(bytes, StandardCharsets.UTF_8));
    assertArrayEquals(bytes, codec.encode(read));
    assertArrayEquals(bytes, codec.encode(SyncState.from(read).snapshot()));
    assertEquals(2, JSON.mapper().readTree(bytes).path("version").asInt());
  }

  @Property(tries = 300)
  void aVersionOneStateMigratesToTheSamePartitions(@ForAll("cases") Case c) throws Exception {
    StateCodec codec = c.codec();
    ObjectNode v1 = (ObjectNode) JSON.mapper().readTree(codec.encode(c.state()));
    v1.put("version", 1);
    if (!c.parts().isEmpty()) {
      ((ObjectNode) v1.path("tables").path("lines")).set("partitions",
          versionOnePartitions(c.parts()));
    }
    StateCodec.Decoded d = codec.decode(v1);
    assertEquals(new ArrayList<>(c.parts().entrySet()),
        new ArrayList<>(partitionsOf(d.state()).entrySet()));
    if (c.parts().isEmpty()) {
      assertEquals(List.of(), d.notices(), "only the version number changed");
    } else {
      assertEquals(1, d.notices().size(), d.notices().toString());
      assertTrue(d.notices().get(0).startsWith("state migrated from version 1 to 2"), d.notices().toString());
    }
    assertArrayEquals(codec.encode(c.state()), codec.encode(d.state()));
  }

  /** {@code {"<key>": [cursor, tiebreaker]}} as version 1 wrote it. */
  static JsonNode versionOnePartitions(Map<String, Position> parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.factory().createGenerator(out)) {
      g.writeStartObject();
      for (Map.Entry<String, Position> e : parts.entrySet()) {
        g.writeArrayFieldStart(e.getKey());
        Values.writeState(g, e.getValue().cursor());
        Values.writeState(g, e.getValue().tiebreaker().orElse(null));
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    return JSON.mapper().readTree(out.toByteArray());
  }

  /** The design doc's example block reads as it says, and is what the engine writes. */
  @Test
  void theDesignDocExampleReadsAsItSays() throws Exception {
    String block = "{\"keys\":[989,990,991],\"cursors\":[\"2024-05-01T09:59:27.500Z\",37000,"
        + "\"infinity\"],\"tiebreakers\":[3,1,2]}";
    Case c = new Case(ValueType.TIMESTAMP, ValueType.NUMBER, Map.of());
    StateCodec codec = c.codec();
    Map<String, Position> parts = partitionsOf(codec.decode(state(block)).state());
    Instant first = Instant.parse("2024-05-01T09:59:27.500Z");
    assertEquals(List.of(Map.entry("[989]", Position.of(first, BigDecimal.valueOf(3))),
        Map.entry("[990]", Position.of(first.plusMillis(37), BigDecimal.valueOf(4))),
        Map.entry("[991]", Position.of(Instant.MAX, BigDecimal.valueOf(6)))),
        new ArrayList<>(parts.entrySet()));
    String written = new String(codec.encode(c.state(parts)), StandardCharsets.UTF_8);
    assertTrue(written.contains("\"partitions\":" + block), written);
  }

  @Test
  void versionZeroMigratesThroughOneWithOneNotice() throws Exception {
    Table orders = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
    StateCodec codec = new StateCodec(JSON, Schema.of(orders));
    StateCodec.Decoded d = codec.decode(
        (ObjectNode) JSON.mapper().readTree("{\"orders\": \"2024-05-01T10:00:00Z\"}"));
    assertEquals(1, d.notices().size(), d.notices().toString());
    assertTrue(d.notices().get(0).startsWith("state migrated from version 0 to 2"), d.notices().toString());
    assertEquals(Position.of(Instant.parse("2024-05-01T10:00:00Z"), null),
        d.state().tables().get("orders").position());
  }

  @Test
  void theStateShapeTheBenchmarkMeasuresIsUnderTwentyFiveBytesAPartition() throws Exception {
    Case c = new Case(ValueType.TIMESTAMP, ValueType.NUMBER, new LinkedHashMap<>());
    Instant base = Instant.parse("2024-05-01T09:00:00.123456Z");
    for (int i = 0; i < 1000; i++) {
      c.parts().put("[" + (1_000_000 + i) + "]", Position.of(base.plusMillis(i * 37L + 1),
          BigDecimal.valueOf(5_000_000L + i * 3L)));
    }
    StateCodec codec = c.codec();
    int per = (codec.encode(c.state()).length - codec.encode(c.state(Map.of())).length) / 1000;
    assertTrue(per < 25, per + " bytes per partition");
  }

  // ---------------------------------------------------------------------------------------------
  // Sizes the state cap relies on.

  /** Forgetting any entries, walked in order, changes the encoded state by exactly the sum. */
  @Property(tries = 400)
  void theWalkCountsForgottenPartitionsExactly(@ForAll("cases") Case c,
      @ForAll long dropSeed) throws Exception {
    StateCodec codec = c.codec();
    long size = codec.encode(c.state()).length;
    PartitionBlock.Walk walk = codec.partitionWalk(c.cursorType(), c.tiebreakerType(), c.parts().size());
    Map<String, Position> kept = new LinkedHashMap<>();
    java.util.Random random = new java.util.Random(dropSeed);
    for (Map.Entry<String, Position> e : c.parts().entrySet()) {
      size += walk.shift(e.getValue());
      if (random.nextBoolean()) {
        size -= walk.drop(e.getKey());
      } else {
        walk.keep(e.getValue());
        kept.put(e.getKey(), e.getValue());
      }
    }
    long actual = codec.encode(c.state(kept)).length;
    if (kept.isEmpty() && !c.parts().isEmpty()) {
      assertTrue(size >= actual, "an emptied table's entry goes too: " + size + " >= " + actual);
    } else {
      assertEquals(actual, size);
    }
  }

  /**
   * Any partitions changed, added or removed add no more to the encoded state than the budget
   * allows those slots (their position, key and {@link PartitionBlock#SLACK_PER_ENTRY}).
   */
  @Property(tries = 600)
  void changedPartitionsNeverTakeMoreThanTheBudgetAllowsThem(@ForAll("cases") Case c,
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int changes) throws Exception {
    if (c.parts().isEmpty()) {
      return; // a new block's framing is the table's fixed allowance
    }
    StateCodec codec = c.codec();
    java.util.Random random = new java.util.Random(seed);
    List<Position> fresh = positions(c.cursorType(), c.tiebreakerType()).list().ofSize(changes)
        .generator(1000).next(random).value();
    List<String> newKeys = keys().list().ofSize(changes).generator(1000).next(random).value();
    Map<String, Position> after = new LinkedHashMap<>(c.parts());
    long allowed = 0;
    for (int i = 0; i < changes; i++) {
      List<String> existing = new ArrayList<>(after.keySet());
      int op = random.nextInt(3);
      if (op == 0 || existing.isEmpty()) {
        String key = newKeys.get(i);
        after.put(key, fresh.get(i));
        allowed += need(codec, key, after.get(key));
      } else if (op == 1) {
        String key = existing.get(random.nextInt(existing.size()));
        after.put(key, fresh.get(i));
        allowed += need(codec, key, fresh.get(i));
      } else {
        String key = existing.get(random.nextInt(existing.size()));
        allowed += need(codec, key, after.remove(key));
      }
    }
    long grew = codec.encode(c.state(after)).length - (long) codec.encode(c.state()).length;
    assertTrue(grew <= allowed, "grew " + grew + " bytes, allowed " + allowed);
  }

  /**
   * The largest growth there is: an entry between two close neighbours (one-character
   * differences) becomes a value that is not a difference, so the next entry is written whole.
   */
  @ParameterizedTest(name = "{0} cursor, {1} tiebreaker")
  @CsvSource({"TIMESTAMP, NUMBER", "DATE, DATE", "NUMBER, NUMBER", "TIMESTAMP, TIMESTAMP",
      "STRING, NUMBER"})
  void theWorstChangeNextToCloseNeighboursStaysWithinTheAllowance(ValueType cursorType,
      ValueType tiebreakerType) throws Exception {
    Map<String, Position> parts = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      parts.put("[" + i + "]", Position.of(close(cursorType, i), close(tiebreakerType, i)));
    }
    Case c = new Case(cursorType, tiebreakerType, parts);
    StateCodec codec = c.codec();
    long before = codec.encode(c.state()).length;
    for (Object[] extreme : new Object[][] {{far(cursorType, -1), far(tiebreakerType, -1)},
        {far(cursorType, 1), far(tiebreakerType, 1)}, {close(cursorType, 0), far(tiebreakerType, 1)}}) {
      Map<String, Position> after = new LinkedHashMap<>(parts);
      Position changed = Position.of(extreme[0], extreme[1]);
      after.put("[1]", changed);
      long grew = codec.encode(c.state(after)).length - before;
      assertTrue(grew <= need(codec, "[1]", changed), "grew " + grew + ", allowed "
          + need(codec, "[1]", changed));
    }
  }

  private static Object close(ValueType type, int i) {
    return switch (type) {
      case TIMESTAMP -> Instant.parse("2024-05-01T09:59:58.123456Z").plusNanos(i * 1000L);
      case DATE -> LocalDate.of(2024, 5, 1).plusDays(i);
      case NUMBER -> BigDecimal.valueOf(i);
      case STRING -> "s" + i;
    };
  }

  /** A value that is not written as a difference, as short as such values get. */
  private static Object far(ValueType type, int sign) {
    return switch (type) {
      case TIMESTAMP -> sign < 0 ? Instant.MIN : Instant.MAX;
      case DATE -> sign < 0 ? LocalDate.MIN : LocalDate.MAX;
      case NUMBER -> sign < 0 ? new BigDecimal("0.5") : new BigDecimal("9007199254740993");
      case STRING -> "";
    };
  }

  /** What {@link Budget#allow} sets aside for a partition slot holding {@code p}. */
  static long need(StateCodec codec, String key, Position p) {
    Budget b = Budget.forCall(EngineConfig.defaults(), false, Instant.now().plusSeconds(600));
    b.measureState(0, 0);
    return b.allow(Slot.partition("lines", key), codec.positionBytes(p));
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed blocks.

  static final String GOOD = "{\"keys\": [1, 2], \"cursors\": [\"2024-05-01T00:00:00Z\", 1000000],"
      + " \"tiebreakers\": [7, 1]}";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      not an object            | [1, 2]                                                                            | is not an object
      a version-1 block        | {"[1]": ["2024-05-01T00:00:00Z", 3]}                                              | a version-2 partition block does not have
      no keys                  | {"cursors": [], "tiebreakers": []}                                                | keys is missing
      keys not an array        | {"keys": 1, "cursors": [], "tiebreakers": []}                                     | keys is not an array
      no cursors               | {"keys": [1], "tiebreakers": [1]}                                                 | cursors is missing
      columns of two lengths   | {"keys": [1, 2], "cursors": ["2024-05-01T00:00:00Z"], "tiebreakers": [1, 2]}      | every column has one value per key
      a first difference       | {"keys": [1], "cursors": [5], "tiebreakers": [1]}                                 | cursors[0] is a difference
      after infinity           | {"keys": [1, 2], "cursors": ["infinity", 5], "tiebreakers": [1, 1]}               | cursors[1] is a difference
      a fractional difference  | {"keys": [1, 2], "cursors": ["2024-05-01T00:00:00Z", 1.5], "tiebreakers": [1, 1]} | cursors[1] is not a whole-number difference
      a difference too large   | {"keys": [1, 2], "cursors": ["2024-05-01T00:00:00Z", 99999999999999999999], "tiebreakers": [1, 1]} | cursors[1] is not a whole-number difference
      an overflowing sum       | {"keys": [1, 2], "cursors": ["2024-05-01T00:00:00Z", 1], "tiebreakers": [9007199254740000, 9223372036854775807]} | tiebreakers[1] is a difference that leaves the range
      a bad timestamp          | {"keys": [1], "cursors": ["yesterday"], "tiebreakers": [1]}                       | cursors[0]
      a null cursor            | {"keys": [1], "cursors": [null], "tiebreakers": [1]}                              | cursors[0] is null
      a key of the wrong kind  | {"keys": [true], "cursors": ["2024-05-01T00:00:00Z"], "tiebreakers": [1]}         | keys[0] is a JSON boolean
      a fractional key         | {"keys": [1.5], "cursors": ["2024-05-01T00:00:00Z"], "tiebreakers": [1]}          | keys[0] is a JSON number
      a repeated key           | {"keys": [1, "[1]"], "cursors": ["2024-05-01T00:00:00Z", 0], "tiebreakers": [1, 1]} | keys[1] repeats an earlier key
      """)
  void aMalformedBlockIsAProtocolErrorNamingTheTable(String what, String block, String says)
      throws Exception {
    Case c = new Case(ValueType.TIMESTAMP, ValueType.NUMBER, Map.of());
    StateCodec codec = c.codec();
    codec.decode(state(GOOD)); // the good one reads
    ProtocolFailure f = assertThrows(ProtocolFailure.class, () -> codec.decode(state(block)), what);
    assertTrue(f.getMessage().contains("state.tables.lines.partitions"), f.getMessage());
    assertTrue(f.getMessage().contains(says), f.getMessage());
    assertTrue(f.getMessage().contains("remove") && f.getMessage().contains("re-read the children"),
        f.getMessage());
  }

  @Test
  void aFullRefreshChildNeedsItsKeyAndHasNoCursorColumn() throws Exception {
    Case c = new Case(null, ValueType.NUMBER, Map.of());
    StateCodec codec = c.codec();
    assertEquals(Map.of("[1]", Position.of(null, BigDecimal.valueOf(4))), partitionsOf(codec.decode(
        fullRefreshState("{\"keys\": [1], \"tiebreakers\": [4]}")).state()));
    ProtocolFailure f = assertThrows(ProtocolFailure.class, () -> codec.decode(
        fullRefreshState("{\"keys\": [1], \"tiebreakers\": [null]}")));
    assertTrue(f.getMessage().contains("state.tables.lines.partitions.tiebreakers[0] is null"),
        f.getMessage());
  }

  @Test
  void aMalformedBlockThroughTheHandlerIsA400AndTheStateStaysAsItWas() throws Exception {
    Case c = new Case(ValueType.TIMESTAMP, ValueType.NUMBER, Map.of());
    Connector connector = new Connector() {
      @Override
      public Schema schema() {
        return c.schema();
      }

      @Override
      public Page read(TableRead read) {
        return Page.empty();
      }
    };
    FunctionHandler handler = new FunctionHandler(connector,
        EngineConfig.builder().logSink(l -> {}).build());
    String request = "{\"state\": " + state("{\"keys\": [1], \"cursors\": [5], \"tiebreakers\": [1]}")
        + "}";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FunctionHandler.Outcome o = handler.handle(
        new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)), out,
        Instant.now().plusSeconds(300));
    JsonNode body = JSON.mapper().readTree(out.toByteArray());
    assertEquals(FunctionHandler.Outcome.BAD_REQUEST, o, body.toString());
    assertEquals("ProtocolError", body.path("errorType").asText());
    assertTrue(body.path("errorMessage").asText().contains("state.tables.lines.partitions.cursors[0]"),
        body.toString());
    assertTrue(body.path("state").isMissingNode(), "an error carries no state: " + body);
  }

  static ObjectNode state(String block) throws IOException {
    return (ObjectNode) JSON.mapper().readTree("{\"version\": 2, \"tables\": {\"lines\": {"
        + "\"cursor\": \"c\", \"cursor_type\": \"timestamp\", \"tiebreaker\": \"k\","
        + " \"tiebreaker_type\": \"number\", \"position\": null, \"partitions\": " + block + "}}}");
  }

  static ObjectNode fullRefreshState(String block) throws IOException {
    return (ObjectNode) JSON.mapper().readTree("{\"version\": 2, \"tables\": {\"lines\": {"
        + "\"tiebreaker\": \"k\", \"tiebreaker_type\": \"number\", \"position\": null,"
        + " \"partitions\": " + block + "}}}");
  }
}
