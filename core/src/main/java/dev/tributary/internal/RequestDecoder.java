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
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Locale;
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

  public Request decode(InputStream in) throws ProtocolFailure, IOException {
    return decode(readBounded(in));
  }

  /** The same for a body already in memory (an HTTP platform's), which is parsed where it is. */
  public Request decode(byte[] body) throws ProtocolFailure {
    if (body.length > config.maxRequestBytes()) {
      throw tooLarge();
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (StreamConstraintsException e) {
      throw new ProtocolFailure("request exceeds a limit: " + e.getOriginalMessage()
          + limitSetting(e.getOriginalMessage()));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ProtocolFailure("request holds a number out of range; numbers in a request"
          + " may have at most " + MAX_PLAIN_DIGITS + " digits written out");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ProtocolFailure("request body is not valid JSON" + problem(e)
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
          + "; send the Fivetran request object as the body");
    } catch (IOException e) {
      // Parsing bytes in memory reads nothing that could fail; Jackson still declares it.
      throw new java.io.UncheckedIOException(e);
    }
    if (root == null || root.isMissingNode()) {
      throw new ProtocolFailure("request body is empty; send the Fivetran request object as the body");
    }
    if (!root.isObject()) {
      throw new ProtocolFailure("request body is a JSON " + kind(root)
          + ", not an object; send the Fivetran request object as the body");
    }
    checkNumbers(root.get("state"), "state");
    checkNumbers(root.get("secrets"), "secrets");
    return new Request(state(root.get("state")), secrets(root.get("secrets")),
        text(root.get("sync_id")), setupTest(root.get("setup_test")),
        text(root.get("bucket")), text(root.get("file")));
  }

  /**
   * The most digits a number of the request may have when written out plainly — the same bound
   * as the length of a number's literal ({@link Json}), so a state echoed back (setup test,
   * tables no longer declared) is always one this decoder reads again. Bounds the work any value
   * can cause: {@code 1e9999999} is short to send but ten million digits to expand.
   */
  static final int MAX_PLAIN_DIGITS = 100;

  /**
   * Rejects numbers whose exponent makes them longer than {@link #MAX_PLAIN_DIGITS} digits,
   * naming where they are (never the value). Depth is already bounded by the parser.
   */
  private static void checkNumbers(JsonNode n, String path) throws ProtocolFailure {
    if (n == null) {
      return;
    }
    if (n.isBigDecimal() || n.isFloatingPointNumber()) {
      BigDecimal d;
      try {
        d = n.decimalValue();
      } catch (NumberFormatException | ArithmeticException e) {
        throw numberOutOfRange(path);
      }
      if (d.signum() != 0) {
        long scale = d.scale();
        long precision = d.precision();
        long plain = scale > 0 ? Math.max(precision, scale + 1) : precision - scale;
        if (plain > MAX_PLAIN_DIGITS) {
          throw numberOutOfRange(path);
        }
      }
      return;
    }
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        checkNumbers(e.getValue(), path + "." + shortKey(e.getKey()));
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        checkNumbers(n.get(i), path + "[" + i + "]");
      }
    }
  }

  private static ProtocolFailure numberOutOfRange(String path) {
    return new ProtocolFailure(path + " holds a number whose exponent puts it past "
        + MAX_PLAIN_DIGITS + " digits written out; fix or remove it (reset the connection's state"
        + " if the state was edited by hand)");
  }

  private static String shortKey(String key) {
    return key.length() <= 64 ? key : key.substring(0, 61) + "...";
  }

  /** Which setting raises the limit that was hit. */
  private static String limitSetting(String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
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

  private byte[] readBounded(InputStream in) throws IOException, ProtocolFailure {
    long max = config.maxRequestBytes();
    byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    if (body.length > max) {
      throw tooLarge();
    }
    return body;
  }

  private ProtocolFailure tooLarge() {
    return new ProtocolFailure("request is larger than " + config.maxRequestBytes()
        + " bytes; raise TRIBUTARY_MAX_REQUEST_BYTES if that is legitimate");
  }

  private static ObjectNode state(JsonNode n) throws ProtocolFailure {
    if (n == null || n.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!n.isObject()) {
      throw new ProtocolFailure("state must be a JSON object, not " + withArticle(kind(n))
          + "; send {} for a first sync, or replace the connection's state with an object");
    }
    return (ObjectNode) n;
  }

  private Secrets secrets(JsonNode n) throws ProtocolFailure {
    if (n == null || n.isNull()) {
      return Secrets.empty();
    }
    if (!n.isObject()) {
      throw new ProtocolFailure("secrets must be a JSON object, not " + withArticle(kind(n))
          + "; check the connection's secrets");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) plain(n);
    return Secrets.of(map);
  }

  /**
   * A tree as plain Java values, as the mapper's {@code convertValue(n, Map.class)} gives them
   * with this project's settings (whole numbers as BigInteger, others as BigDecimal) — without
   * loading the mapper's deserializers on a cold start for it.
   */
  static Object plain(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      for (java.util.Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), plain(e.getValue()));
      }
      return m;
    }
    if (n.isArray()) {
      java.util.List<Object> l = new java.util.ArrayList<>(n.size());
      for (JsonNode item : n) {
        l.add(plain(item));
      }
      return l;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue();
    }
    if (n.isNumber()) {
      return n.decimalValue();
    }
    return null; // JSON null (a parsed request holds no other node)
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
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
