package dev.tributary.driver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The strictest Fivetran there is: checks one response against the protocol and reports every
 * problem with the call number. Errors stop the sync before the response is applied; warnings
 * are printed and the response is applied. Not part of the API: the {@link
 * dev.tributary.driver.Driver} and the runner's setup test use it.
 */
public final class ProtocolChecker {
  /** A problem found in a response. */
  public record Finding(boolean error, String message) {}

  private final long limitBytes;
  private final long stateLimitBytes;
  private final List<String> secretValues;

  public ProtocolChecker(long limitBytes, long stateLimitBytes, List<String> secretValues) {
    this.limitBytes = limitBytes;
    this.stateLimitBytes = stateLimitBytes;
    this.secretValues = List.copyOf(secretValues);
  }

  /**
   * The secret values a response must not carry: every value of {@code secrets} (nested ones
   * too) of 4 characters or more — the core's redaction rule — except those of the keys in
   * {@code notSecret}, which are plain configuration.
   */
  public static List<String> secretValues(Map<String, ?> secrets, Collection<String> notSecret) {
    Map<String, Object> rest = new java.util.LinkedHashMap<>(secrets);
    notSecret.forEach(rest::remove);
    List<String> out = new ArrayList<>();
    collect(rest, out);
    return out;
  }

  private static void collect(Object v, List<String> out) {
    if (v instanceof Map) {
      ((Map<?, ?>) v).values().forEach(o -> collect(o, out));
    } else if (v instanceof List) {
      ((List<?>) v).forEach(o -> collect(o, out));
    } else if (v instanceof JsonNode && ((JsonNode) v).isContainerNode()) {
      ((JsonNode) v).forEach(o -> collect(o, out));
    } else if (v instanceof JsonNode) {
      JsonNode n = (JsonNode) v;
      if (!n.isNull() && !n.isBoolean() && n.asText().length() >= 4) {
        out.add(n.asText());
      }
    } else if (v != null && !(v instanceof Boolean) && String.valueOf(v).length() >= 4) {
      out.add(String.valueOf(v));
    }
  }

  /** Rows in a response's {@code insert} and {@code delete}, all tables. */
  public static long rows(JsonNode body) {
    long n = 0;
    for (String section : List.of("insert", "delete")) {
      for (Iterator<JsonNode> it = body.path(section).elements(); it.hasNext(); ) {
        n += it.next().size();
      }
    }
    return n;
  }

  /** Checks the raw bytes and the parsed body (null if the bytes are not JSON). */
  public List<Finding> check(int call, byte[] raw, JsonNode body) {
    return check(call, -1, raw, raw.length, body);
  }

  /**
   * Checks one reply: its HTTP {@code status} (-1 where there is none), the raw bytes, the size
   * the platform carried ({@code wireBytes}; less than the raw bytes through S3) and the parsed
   * body (null if the bytes are not JSON).
   */
  public List<Finding> check(int call, int status, byte[] raw, long wireBytes, JsonNode body) {
    List<Finding> out = new ArrayList<>();
    String at = "call " + call + ": ";
    if (wireBytes > limitBytes) {
      out.add(new Finding(true, at + "response of " + wireBytes + " bytes exceeds the limit of "
          + limitBytes + " (--limit-bytes; AWS Lambda's is 6 MB): page with hasMore instead"));
    }
    if (mentionsSecret(raw, body)) {
      out.add(new Finding(true, at + "a secret value appears in the response"
          + " (secrets must never be echoed, logged or stored in state)"));
    }
    if (body == null) {
      out.add(new Finding(true, at + "response is not JSON (" + (status < 0 ? "no HTTP status"
          : "HTTP " + status) + ", " + raw.length + " bytes" + (raw.length == 0 ? ""
          : ", starting: " + start(raw)) + ")"));
      return out;
    }
    if (!body.isObject()) {
      out.add(new Finding(true, at + "response is a JSON " + kind(body) + ", not an object"));
      return out;
    }
    if (body.has("errorMessage")) {
      return out; // an error response: the driver reports it
    }
    JsonNode state = body.get("state");
    if (state == null) {
      out.add(new Finding(true, at + "state is missing"));
    } else if (!state.isObject()) {
      out.add(new Finding(true, at + "state is a JSON " + kind(state) + ", not an object"));
    } else {
      int stateBytes = state.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (stateBytes > stateLimitBytes) {
        out.add(new Finding(true, at + "state of " + stateBytes + " bytes exceeds its cap of "
            + stateLimitBytes + " (--state-limit-bytes)"));
      }
    }
    JsonNode hasMore = body.get("hasMore");
    if (hasMore == null) {
      out.add(new Finding(true, at + "hasMore is missing"));
    } else if (!hasMore.isBoolean()) {
      out.add(new Finding(true, at + "hasMore is a JSON " + kind(hasMore)
          + (hasMore.isTextual() ? " (\"" + hasMore.textValue() + "\")" : "")
          + ", not a boolean"));
    }
    JsonNode schema = body.path("schema");
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode pk = e.getValue().get("primary_key");
      if (pk == null) {
        continue;
      }
      boolean ok = pk.isArray() && !pk.isEmpty();
      for (JsonNode c : pk) {
        ok &= c.isTextual() && !c.textValue().isBlank();
      }
      if (!ok) {
        out.add(new Finding(true, at + "schema." + e.getKey() + ".primary_key must name at least"
            + " one column, got " + pk));
      }
    }
    Map<String, Map<String, String>> keys = new HashMap<>();
    checkSection(at, body, "insert", keys, out);
    checkSection(at, body, "delete", keys, out);
    return out;
  }

  /** The first 160 characters of a body, on one line, with every secret value masked. */
  private String start(byte[] raw) {
    String text = new String(raw, 0, Math.min(raw.length, 4096), java.nio.charset.StandardCharsets.UTF_8);
    for (String secret : secretValues) {
      text = text.replace(secret, "***");
    }
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < text.length() && sb.length() <= 160; i++) {
      char c = text.charAt(i);
      sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
          : Character.isISOControl(c) ? "?" : String.valueOf(c));
    }
    return sb.append(text.length() > 160 || raw.length > 4096 ? "…'" : "'").toString();
  }

  /**
   * True if a secret is in the raw text, or in a string or field name of the parsed body: JSON
   * may escape a secret (a quote, a backslash, any character as a unicode escape) so that its
   * bytes never appear in the raw text.
   */
  private boolean mentionsSecret(byte[] raw, JsonNode body) {
    for (String secret : secretValues) {
      if (contains(raw, secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))
          || (body != null && mentions(body, secret))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code raw} holds the bytes of {@code needle}: UTF-8 text holds a string exactly
   * where it holds the string's UTF-8 bytes, so the reply is searched without a second copy of
   * it as a {@code String}.
   */
  private static boolean contains(byte[] raw, byte[] needle) {
    if (needle.length == 0) {
      return true;
    }
    byte first = needle[0];
    for (int i = 0, last = raw.length - needle.length; i <= last; i++) {
      if (raw[i] != first) {
        continue;
      }
      int j = 1;
      while (j < needle.length && raw[i + j] == needle[j]) {
        j++;
      }
      if (j == needle.length) {
        return true;
      }
    }
    return false;
  }

  private static boolean mentions(JsonNode n, String secret) {
    if (n.isTextual()) {
      return n.textValue().contains(secret);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().contains(secret) || mentions(e.getValue(), secret)) {
        return true;
      }
    }
    if (n.isArray()) {
      for (JsonNode c : n) {
        if (mentions(c, secret)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Checks one of {@code insert}/{@code delete}; {@code keys} holds, per table, the keys seen so far
   * in this response and where, so a key in both sections is caught too.
   */
  private void checkSection(String at, JsonNode body, String section,
      Map<String, Map<String, String>> keys, List<Finding> out) {
    JsonNode tables = body.get(section);
    if (tables == null) {
      return;
    }
    if (!tables.isObject()) {
      out.add(new Finding(true, at + section + " is not an object of table → rows"));
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = tables.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String table = e.getKey();
      if (!e.getValue().isArray()) {
        out.add(new Finding(true, at + section + "." + table + " is not an array of rows"));
        continue;
      }
      JsonNode pk = body.path("schema").path(table).path("primary_key");
      if (section.equals("delete") && (!pk.isArray() || pk.isEmpty())) {
        out.add(new Finding(true, at + "delete for table " + table + " without a primary key in"
            + " schema: Fivetran cannot tell which rows to delete"));
        continue;
      }
      Map<String, String> seen = keys.computeIfAbsent(table, k -> new HashMap<>());
      int index = 0;
      for (JsonNode row : e.getValue()) {
        if (!row.isObject()) {
          out.add(new Finding(true, at + section + "." + table + "[" + index + "] is not an object"));
          index++;
          continue;
        }
        if (pk.isArray() && !pk.isEmpty()) {
          StringBuilder key = new StringBuilder();
          StringBuilder shown = new StringBuilder();
          boolean complete = true;
          for (JsonNode c : pk) {
            JsonNode v = row.get(c.asText());
            if (v == null || v.isNull()) {
              out.add(new Finding(true, at + section + "." + table + "[" + index
                  + "] has no value for primary-key column " + c.asText()));
              complete = false;
              break;
            }
            key.append(v).append('|');
            shown.append(shown.length() == 0 ? "" : ", ").append(c.asText()).append('=').append(v);
          }
          if (complete) {
            String before = seen.putIfAbsent(key.toString(), section);
            if (before != null) {
              // Fivetran applies a response's inserts and deletes in no defined order, so the
              // destination's outcome for this key is undefined.
              out.add(new Finding(true, at + "table " + table + " carries key " + shown
                  + " twice (in " + (before.equals(section) ? section : before + " and " + section)
                  + "); Fivetran does not order the rows of one response, so a key may appear"
                  + " only once per response: end the response before the second one"));
            }
          }
        }
        index++;
      }
    }
  }

  private static String kind(JsonNode n) {
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
