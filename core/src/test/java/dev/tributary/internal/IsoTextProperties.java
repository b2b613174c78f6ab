package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tributary.EngineConfig;
import dev.tributary.Position;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The engine's own instant writer and state-size counter give exactly what the general
 * formatter and the state codec's writer give, for every value (the extremes included).
 */
class IsoTextProperties {
  static final Json JSON = new Json(EngineConfig.builder().build());
  static final StateCodec CODEC = new StateCodec(JSON,
      Schema.of(Table.incremental("t").primaryKey("id").cursor("at").tiebreaker("id")));

  @Property(tries = 3000)
  void writesEveryInstantAsIsoInstantDoes(@ForAll("instants") Instant i) {
    assertEquals(DateTimeFormatter.ISO_INSTANT.format(i), IsoText.instant(i));
  }

  @Property(tries = 3000)
  void countsAPositionsStateBytesAsWritingItDoes(@ForAll("values") Object cursor,
      @ForAll("values") Object tiebreaker) {
    Position p = Position.of(cursor, tiebreaker);
    assertEquals(CODEC.writtenPositionBytes(p), CODEC.positionBytes(p), p.toString());
  }

  @Property(tries = 2000)
  void countsEveryValueAsValuesWritesIt(@ForAll("values") Object v) throws IOException {
    int counted = IsoText.stateLength(v);
    if (counted < 0) {
      return; // measured by writing
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.factory().createGenerator(out)) {
      Values.writeState(g, v);
    }
    assertEquals(out.size(), counted, String.valueOf(v));
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(-62_167_219_200L - 86_400L * 800,
            253_402_300_800L + 86_400L * 800).flatMap(s -> nanos().map(n -> Instant.ofEpochSecond(s, n)))),
        net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(Instant.MIN.getEpochSecond(),
            Instant.MAX.getEpochSecond()).flatMap(s -> nanos().map(n -> Instant.ofEpochSecond(s, n)))),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(Instant.MIN, Instant.MAX, Instant.EPOCH,
            Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Instant.parse("2000-02-29T12:00:00Z"), Instant.parse("1900-03-01T00:00:00Z"))));
  }

  private static Arbitrary<Integer> nanos() {
    return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(m -> m * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(u -> u * 1000),
        Arbitraries.integers().between(0, 999_999_999));
  }

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> decimals = Arbitraries.oneOf(
        Arbitraries.longs().map(l -> (Object) ValueType.NUMBER.normalize(l)),
        Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
            .flatMap(u -> Arbitraries.integers().between(-5, 40)
                .map(scale -> (Object) ValueType.NUMBER.normalize(new BigDecimal(u, scale)))),
        Arbitraries.of(1L << 53, (1L << 53) - 1, -(1L << 53), -(1L << 53) + 1, 0L)
            .map(l -> (Object) ValueType.NUMBER.normalize(l)));
    Arbitrary<Object> dates = Arbitraries.longs().between(LocalDate.MIN.toEpochDay(), LocalDate.MAX.toEpochDay())
        .map(d -> (Object) LocalDate.ofEpochDay(d));
    Arbitrary<Object> nearDates = Arbitraries.longs().between(-800_000, 3_000_000)
        .map(d -> (Object) LocalDate.ofEpochDay(d));
    Arbitrary<Object> strings = Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(20),
        Arbitraries.strings().all().ofMaxLength(8),
        Arbitraries.strings().withChars("\"\\\n\t\u0001é€😀/").ofMaxLength(6)).map(x -> (Object) x);
    return Arbitraries.oneOf(instants().map(i -> (Object) i), decimals, dates, nearDates, strings,
        Arbitraries.of(LocalDate.MIN, LocalDate.MAX));
  }
}
