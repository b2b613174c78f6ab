package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The timestamp fast path reads exactly what the general ISO-8601 parser reads, and nothing it
 * refuses: for well-formed texts in many offsets and precisions, and for the same texts with a
 * character changed, either both give the same instant or the fast path steps aside.
 */
class CommonInstantProperties {
  @Property(tries = 3000)
  void readsWhatTheGeneralParserReads(@ForAll("texts") String text) {
    Instant general = general(text);
    Instant fast = Normalizer.parseCommonInstant(text);
    if (fast != null) {
      assertEquals(general, fast, text);
    }
  }

  @Property(tries = 3000)
  void aChangedCharacterIsReadAlikeOrLeftToTheGeneralParser(@ForAll("texts") String text,
      @ForAll("positions") int at, @ForAll("characters") char c) {
    String changed = text.substring(0, at % text.length()) + c + text.substring(at % text.length() + 1);
    Instant fast = Normalizer.parseCommonInstant(changed);
    if (fast != null) {
      assertEquals(general(changed), fast, changed);
    }
  }

  @Property(tries = 500)
  void theCommonShapesTakeTheFastPath(@ForAll("instants") Instant i) {
    String text = DateTimeFormatter.ISO_INSTANT.format(i);
    assertEquals(i, Normalizer.parseCommonInstant(text), text);
  }

  @Property(tries = 300)
  void textTheGeneralParserRefusesIsRefusedByBoth(@ForAll("texts") String text) {
    String bad = text.replace("T", "T9");
    if (general(bad) == null) {
      assertNull(Normalizer.parseCommonInstant(bad), bad);
    }
  }

  /** The normaliser's answer without its fast path: what it answered before there was one. */
  private static Instant general(String text) {
    String s = text.trim();
    if (s.length() > 10 && s.charAt(10) == ' ') {
      s = s.substring(0, 10) + 'T' + s.substring(11);
    }
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs().between(-62_167_219_200L, 253_402_300_799L)
        .flatMap(s -> Arbitraries.integers().between(0, 999_999_999)
            .map(n -> Instant.ofEpochSecond(s, n % 3 == 0 ? 0 : n)));
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<ZoneOffset> offsets = Arbitraries.integers().between(-18 * 60, 18 * 60)
        .map(m -> ZoneOffset.ofTotalSeconds(m * 60));
    Arbitrary<String> patterns = Arbitraries.of("yyyy-MM-dd'T'HH:mm:ssXXX",
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
        "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", "yyyy-MM-dd HH:mm:ss.SXXX",
        "yyyy-MM-dd'T'HH:mm:ss.SSxxx", "yyyy-MM-dd'T'HH:mm:ssx", "uuuu-MM-dd'T'HH:mm:ssZ");
    return Combinators.combine(instants(), offsets, patterns).as((i, o, p) ->
        DateTimeFormatter.ofPattern(p).format(i.atOffset(o)));
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, 40);
  }

  @Provide
  Arbitrary<Character> characters() {
    return Arbitraries.of('0', '9', '1', '2', '3', '5', '6', '-', '+', ':', '.', 'T', 't', 'Z', 'z',
        ' ', 'x', '\u0661');
  }
}
