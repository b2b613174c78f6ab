package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.EngineConfig;
import dev.tributary.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes a request per the protocol: tolerant of what Fivetran may or may not send (missing or
 * null {@code state} and {@code secrets}, unknown keys, any {@code sync_id}), strict about hostile
 * input (size, nesting, string length). Error messages never quote the request: it carries
 * secrets.
 */
public final class RequestDecoder {
  private final Json json;
  private final EngineConfig config;

  public RequestDecoder(Json json, EngineConfig config) {
    this.json = json;
    this.config = config;
  }

  public Request decode(InputStream in) throws ProtocolException, IOException {
    byte[] body = readBounded(in);
    JsonNode root;
    try {
      root = json.mapper().readTree(body);
    } catch (StreamConstraintsException e) {
      throw new ProtocolException("request exceeds a limit: " + e.getOriginalMessage()
          + limitSetting(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ProtocolException("request body is not valid JSON" + problem(e)
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
          + "; send the Fivetran request object as the body");
    }
    if (root == null || root.isMissingNode()) {
      throw new ProtocolException("request body is empty; send the Fivetran request object as the body");
    }
    if (!root.isObject()) {
      throw new ProtocolException("request body is a JSON " + kind(root)
          + ", not an object; send the Fivetran request object as the body");
    }
    return new Request(state(root.get("state")), secrets(root.get("secrets")),
        text(root.get("sync_id")), setupTest(root.get("setup_test")),
        text(root.get("bucket")), text(root.get("file")));
  }

  /** Which setting raises the limit that was hit. */
  private static String limitSetting(String message) {
    String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
    String variable = m.contains("nesting depth") ? "TRIBUTARY_MAX_NESTING_DEPTH"
        : m.contains("string value length") || m.contains("name length") ? "TRIBUTARY_MAX_STRING_LENGTH"
        : m.contains("document length") ? "TRIBUTARY_MAX_REQUEST_BYTES"
        : null;
    return variable == null ? "" : " (raise " + variable + " if the request is legitimate)";
  }

  /**
   * The kind of syntax problem, never the offending text: Jackson's own messages quote tokens
   * from the request, and the request carries secrets.
   */
  private static String problem(JsonProcessingException e) {
    String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (m.startsWith("Duplicate field")) {
      return ": a key appears twice in one object";
    }
    if (m.contains("Trailing token")) {
      return ": there is more content after the request object";
    }
    if (m.contains("Unexpected end-of-input")) {
      return ": it ends too early";
    }
    return "";
  }

  private byte[] readBounded(InputStream in) throws IOException, ProtocolException {
    long max = config.maxRequestBytes();
    byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (body.length > max) {
      throw new ProtocolException("request is larger than " + max
          + " bytes; raise TRIBUTARY_MAX_REQUEST_BYTES if that is legitimate");
    }
    return body;
  }

  private static ObjectNode state(JsonNode n) throws ProtocolException {
    if (n == null || n.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!n.isObject()) {
      throw new ProtocolException("state must be a JSON object, not " + withArticle(kind(n))
          + "; send {} for a first sync, or replace the connection's state with an object");
    }
    return (ObjectNode) n;
  }

  private Secrets secrets(JsonNode n) throws ProtocolException {
    if (n == null || n.isNull()) {
      return Secrets.empty();
    }
    if (!n.isObject()) {
      throw new ProtocolException("secrets must be a JSON object, not " + withArticle(kind(n))
          + "; check the connection's secrets");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = json.mapper().convertValue(n, Map.class);
    return Secrets.of(map);
  }

  private static Optional<String> text(JsonNode n) {
    if (n == null || n.isNull() || n.isContainerNode()) {
      return Optional.empty();
    }
    return Optional.of(n.asText());
  }

  private static boolean setupTest(JsonNode n) {
    if (n == null) {
      return false;
    }
    return n.isBoolean() ? n.booleanValue() : "true".equalsIgnoreCase(n.asText());
  }

  /** "an array", "a string": the kind with its article. */
  static String withArticle(String kind) {
    return ("aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind;
  }

  private static String kind(JsonNode n) {
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
