package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.EngineConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The decoder's own tree reader gives exactly the mapper's {@code readTree} with the same
 * settings — the same node classes, numbers and text, or the same error at the same place — for
 * documents valid, broken, too deep, duplicated or followed by more content.
 */
class JsonTreeProperties {
  static final Json JSON = new Json(EngineConfig.builder().maxNestingDepth(8).build());

  @Property(tries = 3000)
  void readsEveryDocumentAsTheMapperReadsIt(@ForAll("documents") String document) {
    sameAsMapper(document);
  }

  @Test
  void edgeCases() {
    for (String d : List.of("", "   ", "null", "1", "\"x\"", "{}", "[]", "{} ", "{}{}", "{} x",
        "1 2", "[1,]", "{\"a\":1,\"a\":2}", "{\"a\":", "{\"a\"}", "[[[[[[[[[1]]]]]]]]]",
        "{\"n\":1.50,\"e\":1e5,\"z\":-0.0,\"zz\":0.000,\"s\":1E-7,\"big\":123456789012345678901234567890}",
        "{\"long\":" + "9".repeat(101) + "}", "{\"d\":1e2147483647}", "{\"x\":NaN}",
        "\"unterminated", "{\"a\":tru}", "[1, 2, 3] // c")) {
      sameAsMapper(d);
    }
  }

  @Test
  void writesTreesThroughTheFactoryWithoutAskingForTheMapperFirst() throws Exception {
    Json fresh = new Json(EngineConfig.builder().build());
    JsonNode tree = fresh.readTree("{\"a\":[1,2.50,{\"b\":null}]}".getBytes(StandardCharsets.UTF_8));
    java.io.StringWriter out = new java.io.StringWriter();
    try (com.fasterxml.jackson.core.JsonGenerator g = fresh.factory().createGenerator(out)) {
      g.writeTree(tree);
    }
    assertEquals("{\"a\":[1,2.5,{\"b\":null}]}", out.toString());
  }

  private static void sameAsMapper(String document) {
    byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
    JsonNode expected;
    try {
      expected = JSON.mapper().readTree(bytes);
    } catch (Exception mapperFailed) {
      Exception ours = assertThrows(Exception.class, () -> JSON.readTree(bytes), document);
      assertEquals(mapperFailed.getClass(), ours.getClass(), document);
      if (mapperFailed instanceof JsonProcessingException m) {
        JsonProcessingException o = (JsonProcessingException) ours;
        assertEquals(m.getOriginalMessage(), o.getOriginalMessage(), document);
        assertEquals(m.getLocation() == null, o.getLocation() == null, document);
        if (m.getLocation() != null) {
          assertEquals(m.getLocation().getLineNr(), o.getLocation().getLineNr(), document);
          assertEquals(m.getLocation().getColumnNr(), o.getLocation().getColumnNr(), document);
        }
      } else {
        assertEquals(mapperFailed.getMessage(), ours.getMessage(), document);
      }
      return;
    }
    JsonNode actual;
    try {
      actual = JSON.readTree(bytes);
    } catch (Exception e) {
      throw new AssertionError("the mapper read " + document + " but the tree reader failed", e);
    }
    sameTree(expected, actual, document);
  }

  /** Equal, and of the same node class at every level (equals alone allows some mixing). */
  private static void sameTree(JsonNode expected, JsonNode actual, String document) {
    assertEquals(expected.getClass(), actual.getClass(), document);
    assertEquals(expected, actual, document);
    assertEquals(expected.toString(), actual.toString(), document);
    if (expected.isContainerNode()) {
      assertEquals(expected.size(), actual.size(), document);
      var names = expected.fieldNames();
      if (expected.isObject()) {
        while (names.hasNext()) {
          String n = names.next();
          sameTree(expected.get(n), actual.get(n), document);
        }
      } else {
        for (int i = 0; i < expected.size(); i++) {
          sameTree(expected.get(i), actual.get(i), document);
        }
      }
    }
  }

  @Provide
  Arbitrary<String> documents() {
    Arbitrary<String> valid = value(4);
    return Arbitraries.oneOf(valid, valid.map(d -> d + " " + d), valid.map(d -> d + " x"),
        Combinators.combine(valid, Arbitraries.integers().between(0, 1000))
            .as((d, cut) -> d.substring(0, Math.min(d.length(), cut % (d.length() + 1)))),
        valid.map(d -> "  \n" + d + "\n "));
  }

  private Arbitrary<String> value(int depth) {
    Arbitrary<String> scalar = Arbitraries.oneOf(
        Arbitraries.of("null", "true", "false", "0", "-0", "0.0", "-0.0", "1.50", "2.5e3",
            "1E-7", "1e400", "12345678901234567890123", "-9223372036854775809", "100", "1.0e+2",
            "\"\"", "\"a\\\"b\\\\c\\u00e9\\n\""),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf),
        Arbitraries.strings().alpha().numeric().ofMaxLength(6).map(s -> "\"" + s + "\""));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> inner = Arbitraries.lazy(() -> value(depth - 1));
    Arbitrary<String> array = inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object = Combinators.combine(
            Arbitraries.strings().withCharRange('a', 'd').ofMinLength(1).ofMaxLength(2).list().ofMaxSize(4),
            inner.list().ofSize(4))
        .as((keys, values) -> {
          StringBuilder b = new StringBuilder("{");
          for (int i = 0; i < keys.size(); i++) {
            b.append(i == 0 ? "" : ",").append('"').append(keys.get(i)).append("\":").append(values.get(i));
          }
          return b.append('}').toString();
        });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(2, object));
  }
}
