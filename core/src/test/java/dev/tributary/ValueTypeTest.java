package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** How values are normalised and compared, as positions hold them. */
class ValueTypeTest {
  @Test
  void numbersHaveOneFormAndPrintPlainly() {
    Object ten = ValueType.NUMBER.normalize(10L);
    assertEquals(ten, ValueType.NUMBER.normalize(new BigDecimal("10.00")));
    assertEquals(ten, ValueType.NUMBER.normalize("10"));
    assertEquals("10", ten.toString(), "a connector puts this in a query string");
    assertEquals("12345678901234567890", ValueType.NUMBER.normalize(new BigInteger("12345678901234567890")).toString());
    assertEquals("0.5", ValueType.NUMBER.normalize(0.5d).toString());
  }

  @Test
  void timestampsCompareAsInstantsWhateverTheEncoding() {
    Instant a = (Instant) ValueType.TIMESTAMP.normalize("2021-05-17T20:41:16Z");
    for (Object same : new Object[] {"2021-05-17T20:41:16.000000+00:00", "2021-05-17 20:41:16+00",
        "2021-05-17T22:41:16+0200", OffsetDateTime.of(2021, 5, 17, 15, 41, 16, 0, ZoneOffset.ofHours(-5))}) {
      assertEquals(a, ValueType.TIMESTAMP.normalize(same), String.valueOf(same));
    }
    Instant micro = (Instant) ValueType.TIMESTAMP.normalize("2021-05-17T20:41:16.123456Z");
    assertTrue(Position.compareValues(micro, ValueType.TIMESTAMP.normalize("2021-05-17T20:41:16.123457Z")) < 0, "never rounded");
  }

  @Test
  void ambiguousValuesAreRejectedWithoutQuotingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ValueType.TIMESTAMP.normalize("2021-05-17T20:41:16"));
    assertTrue(e.getMessage().contains("offset") && !e.getMessage().contains("20:41"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ValueType.TIMESTAMP.normalize(1621284076L));
    assertThrows(IllegalArgumentException.class, () -> ValueType.STRING.normalize(42));
  }

  @Test
  void stringsCompareByCodePoint() {
    // U+1F600 (a surrogate pair in UTF-16) sorts after U+FFFD by code point, before it by char.
    assertTrue(Position.compareValues("\uD83D\uDE00", "\uFFFD") > 0);
  }
}
