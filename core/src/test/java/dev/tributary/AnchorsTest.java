package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class AnchorsTest {
  @Test
  void findsAnAnchorThatOnlyAFailureLinkReaches() {
    Anchors a = new Anchors(List.of("hers", "his", "she", "hex"));

    assertTrue(a.foundIn("ushe"), "she, after following u-s-h");
    assertTrue(a.foundIn("a-his-b"));
    assertFalse(a.foundIn("he-rs h-is s-he"), "punctuation breaks every anchor");
    assertFalse(a.foundIn(""));
  }

  @Property(tries = 500)
  void agreesWithContains(
      @ForAll @Size(min = 1, max = 5) List<@AlphaChars @NumericChars @StringLength(min = 1, max = 4) String> anchors,
      @ForAll @AlphaChars @NumericChars @StringLength(max = 40) String text) {
    boolean expected = anchors.stream().anyMatch(text::contains);

    assertTrue(new Anchors(anchors).foundIn(text) == expected, anchors + " in " + text);
  }
}
