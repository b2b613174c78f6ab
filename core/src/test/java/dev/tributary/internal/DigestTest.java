package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The delivered digest: what it holds, what it forgets, what a complete pass leaves missing. */
class DigestTest {
  static long hash(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return RowHash.of(b, 0, b.length);
  }

  @Test
  void aRowIsHeldOnlyWithTheHashItWasLastMetWith() {
    Digest d = Digest.empty();
    d.met("[1]", hash("{\"id\":1,\"v\":\"a\"}"), 10);
    assertTrue(d.holds("[1]", hash("{\"id\":1,\"v\":\"a\"}")));
    assertFalse(d.holds("[1]", hash("{\"id\":1,\"v\":\"b\"}")));
    assertFalse(d.holds("[2]", hash("{\"id\":1,\"v\":\"a\"}")));
    d.met("[1]", hash("{\"id\":1,\"v\":\"b\"}"), 10);
    assertFalse(d.holds("[1]", hash("{\"id\":1,\"v\":\"a\"}")), "A then B then A is sent again");
  }

  @Test
  void aCompletePassLeavesTheKeysItDidNotMeetMissing() {
    Digest d = Digest.empty();
    for (int i = 1; i <= 5; i++) {
      d.met("[" + i + "]", i, 10);
    }
    d.passComplete();
    d.met("[1]", 1, 10);
    d.met("[3]", 33, 10);
    d.met("[6]", 6, 10);
    assertEquals(List.of("[2]", "[4]", "[5]"), d.missing(10));
    assertEquals(List.of("[2]"), d.missing(1));
    d.deleted("[2]");
    assertEquals(List.of("[4]", "[5]"), d.missing(10));
    d.passComplete();
    assertEquals(Set.of("[1]", "[3]", "[6]"), d.delivered().keySet());
    assertTrue(d.seen().isEmpty());
  }

  @Test
  void overItsBoundItForgetsTheOldestAndCountsThem() {
    Digest d = Digest.empty();
    for (int i = 0; i < 10; i++) {
      d.met("[" + i + "]", i, 4);
    }
    assertEquals(Set.of("[6]", "[7]", "[8]", "[9]"), d.seen().keySet());
    assertEquals(6, d.forgotten());
    assertFalse(d.holds("[0]", 0), "a forgotten row is sent again, never skipped");
  }

  @Test
  void growthIsCountedOnlyForKeysItDidNotHold() {
    Digest d = new Digest(Map.of("[1]", 1L), Map.of());
    assertEquals(0, d.met("[1]", 2, 10));
    assertEquals(Digest.entryBytes("[2]"), d.met("[2]", 2, 10));
    assertEquals("\"[2]\":\"AAAAAAAAAAI\",".length(), Digest.entryBytes("[2]"));
    assertEquals("\"[\\\"a\\\"]\":\"AAAAAAAAAAI\",".length(), Digest.entryBytes("[\"a\"]"));
  }

  @Test
  void shedFreesTheOldestEntriesFirst() {
    Map<String, Long> seen = new java.util.LinkedHashMap<>();
    seen.put("[2]", 2L);
    seen.put("[3]", 3L);
    Digest d = new Digest(Map.of("[1]", 1L), seen);
    long freed = d.shed(Digest.entryBytes("[1]") + 1);
    assertEquals(2 * Digest.entryBytes("[1]"), freed);
    assertEquals(1, d.size());
    assertTrue(d.seen().containsKey("[3]"));
  }

  @Property(tries = 200)
  void hashesRoundTripThroughTheirText(@ForAll long h) {
    String t = RowHash.text(h);
    assertEquals(11, t.length());
    assertEquals(h, RowHash.parse(t));
  }

  @Test
  void aHashOfTheWrongShapeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RowHash.parse("abc"));
    assertThrows(IllegalArgumentException.class, () -> RowHash.parse("!!!!!!!!!!!"));
  }

  @Test
  void theHashIsStableAcrossReleases() {
    // Part of the state format: these values must never change (a new function is a new state
    // version).
    assertEquals("4VBawdjaDks", RowHash.text(hash("")));
    assertEquals("Y6dKFwOsgk0", RowHash.text(hash("{\"id\":1,\"name\":\"caf\u00e9\",\"amount\":12.50}")));
  }

  @Test
  void rowsThatDifferInOneByteHashApart() {
    Random random = new Random(7);
    Set<Long> hashes = new HashSet<>();
    byte[] row = new byte[100];
    random.nextBytes(row);
    for (int i = 0; i < row.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        row[i] ^= (byte) (1 << bit);
        assertTrue(hashes.add(RowHash.of(row, 0, row.length)));
        row[i] ^= (byte) (1 << bit);
      }
    }
    assertNotEquals(RowHash.of(row, 0, 99), RowHash.of(row, 0, 100));
    assertNotEquals(RowHash.of(new byte[8], 0, 8), RowHash.of(new byte[9], 0, 9));
  }
}
