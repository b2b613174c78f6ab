package dev.tributary.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** JSON for tests: fixtures from {@code src/test/resources/fixtures/}, inline text, both exact. */
final class Json {
  private Json() {}

  static JsonNode parse(String text) {
    try {
      return Destination.reader().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ArrayNode array() {
    return dev.tributary.destination.internal.Destinations.JSON.createArrayNode();
  }

  static ObjectNode object(String text) {
    return (ObjectNode) parse(text);
  }

  /** A fixture: one response, or an array of responses in order. */
  static List<JsonNode> responses(String fixture) {
    try (InputStream in = Json.class.getResourceAsStream("/fixtures/" + fixture)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + fixture);
      }
      JsonNode n = Destination.reader().readTree(in);
      List<JsonNode> out = new ArrayList<>();
      if (n.isArray()) {
        n.forEach(out::add);
      } else {
        out.add(n);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
