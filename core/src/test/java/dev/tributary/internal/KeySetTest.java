package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.Row;
import dev.tributary.Table;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeySetTest {
  @Test
  void holdsWhatWasAddedAndNothingElse() {
    KeySet keys = new KeySet();
    Set<Long> expected = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 50_000; i++) {
      long h = i % 1000 == 0 ? 0L : random.nextLong();
      assertEquals(expected.add(h), keys.add(h));
    }
    assertEquals(expected.size(), keys.size());
    for (long h : expected) {
      assertTrue(keys.contains(h));
    }
    for (int i = 0; i < 10_000; i++) {
      long h = random.nextLong();
      assertEquals(expected.contains(h), keys.contains(h));
    }
  }

  @Test
  void takesLessThanSixteenBytesPerKeyAtEverySize() {
    KeySet keys = new KeySet();
    Random random = new Random(11);
    for (int n = 1; n <= 200_000; n++) {
      keys.add(random.nextLong());
      if (n >= 1024) {
        double perKey = (double) keys.footprintBytes() / keys.size();
        assertTrue(perKey < 16, n + " keys take " + perKey + " bytes each");
      }
    }
  }

  @Test
  void keysThatFivetranStoresAlikeHashAlike() {
    Table t = Table.incremental("orders").primaryKey("id", "region").cursor("updated_at");
    long a = KeySet.keyHash(t, Row.of(Map.of("id", 1, "region", "eu")));
    assertEquals(a, KeySet.keyHash(t, Row.of(Map.of("id", 1L, "region", "eu"))));
    assertEquals(a, KeySet.keyHash(t, Row.of(Map.of("id", new java.math.BigDecimal("1.00"), "region", "eu"))));
    assertEquals(a, KeySet.keyHash(t, Row.of(Map.of("id", 1.0d, "region", "eu"))));
    assertFalse(a == KeySet.keyHash(t, Row.of(Map.of("id", 2, "region", "eu"))));
    assertFalse(a == KeySet.keyHash(t, Row.of(Map.of("id", 1, "region", "us"))));
    Table other = Table.incremental("refunds").primaryKey("id", "region").cursor("updated_at");
    assertFalse(a == KeySet.keyHash(other, Row.of(Map.of("id", 1, "region", "eu"))),
        "the same key in another table is another key");
    // A huge exponent hashes without being expanded.
    KeySet.keyHash(t, Row.of(Map.of("id", new java.math.BigDecimal("1e999999999"), "region", "eu")));
  }
}
