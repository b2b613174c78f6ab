package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;

/**
 * Reads one JSON document into a tree with the streaming parser alone — the same tree the
 * mapper's {@code readTree} gives with {@link Json}'s settings (whole numbers as
 * {@code BigInteger}, others as {@code BigDecimal} without trailing zeros, an error for content
 * after the value) — so that decoding a request does not load the mapper. Iterative: the
 * parser's nesting limit, not the thread's stack, bounds the depth.
 */
final class JsonTree {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTree() {}

  static JsonNode read(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      return MissingNode.getInstance();
    }
    JsonNode root = t.isStructStart() ? container(p, t) : scalar(p, t);
    JsonToken trailing = p.nextToken();
    if (trailing != null) {
      throw MismatchedInputException.from(p, JsonNode.class, "Trailing token (of type "
          + trailing + ") found after value (bound as `" + JsonNode.class.getName()
          + "`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
    }
    return root;
  }

  /** The object or array starting at {@code start}, read up to its end. */
  private static ContainerNode<?> container(JsonParser p, JsonToken start) throws IOException {
    ContainerNode<?> root = start == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
    ArrayDeque<ContainerNode<?>> open = new ArrayDeque<>();
    ContainerNode<?> current = root;
    while (true) {
      JsonToken t = p.nextToken();
      String name = null;
      if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
        if (open.isEmpty()) {
          return root;
        }
        current = open.pop();
        continue;
      }
      if (t == JsonToken.FIELD_NAME) {
        name = p.currentName();
        t = p.nextToken();
      }
      JsonNode value;
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        value = t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
      } else {
        value = scalar(p, t);
      }
      if (current instanceof ObjectNode object) {
        object.set(name, value);
      } else {
        ((ArrayNode) current).add(value);
      }
      if (value instanceof ContainerNode<?> child) {
        open.push(current);
        current = child;
      }
    }
  }

  private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return NODES.numberNode(p.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(stripped(p.getDecimalValue()));
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        // A JSON text parser yields no other token (embedded objects come from trees only).
        throw new IllegalStateException("unexpected JSON token " + t);
    }
  }

  /** As the mapper normalises decimals in trees ({@code STRIP_TRAILING_BIGDECIMAL_ZEROES}). */
  private static BigDecimal stripped(BigDecimal d) {
    try {
      return d.stripTrailingZeros();
    } catch (ArithmeticException scaleOutOfRange) {
      return d;
    }
  }
}
