package dev.tributary;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The connection's {@code secrets}, read-only, as the connector sees them.
 *
 * <p>Fivetran sends a flat string map on newer connections and nested objects on older ones;
 * both read the same way here: {@link #get} for a string, {@link #object} for a nested object,
 * {@link #value} for anything else (lists, numbers, booleans as plain Java values).
 *
 * <p>Secret values never leave this object by accident: {@link #toString()} names the keys only,
 * and the engine passes every message it emits (error responses, log lines) through
 * {@link #redact(String)}, which masks any secret value that appears in it — also in its
 * URL-encoded and JSON-escaped forms. Values shorter than {@value #MIN_REDACTED_LENGTH}
 * characters and booleans are not masked: they would mangle every message and are not secrets
 * anyone relies on.
 *
 * <p>Immutable and thread-safe.
 */
public final class Secrets {
  /** Shortest value {@link #redact(String)} masks. */
  public static final int MIN_REDACTED_LENGTH = 4;

  private static final String MASK = "***";
  private static final Secrets EMPTY = new Secrets(Map.of(), "");

  private final Map<String, Object> values;
  private final String path;
  private final List<String> redactable;

  private Secrets(Map<String, ?> values, String path) {
    this.values = deepCopy(values);
    this.path = path;
    this.redactable = redactableForms(this.values);
  }

  /** Secrets from plain Java values: strings, numbers, booleans, maps and lists of those. */
  public static Secrets of(Map<String, ?> values) {
    return values.isEmpty() ? EMPTY : new Secrets(values, "");
  }

  /** No secrets (a request without {@code secrets}). */
  public static Secrets empty() {
    return EMPTY;
  }

  /** The names present at this level. */
  public Set<String> names() {
    return values.keySet();
  }

  /** A string secret; numbers and booleans are given as their text. Empty if absent or null. */
  public Optional<String> get(String name) {
    Object v = values.get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Map || v instanceof List) {
      throw new MissingSecretException(
          "secret " + qualified(name) + " is " + (v instanceof Map ? "an object" : "a list")
              + ", not a string; check the connection's secrets");
    }
    return Optional.of(String.valueOf(v));
  }

  /** A string secret that must be present and non-empty. */
  public String require(String name) {
    String v = get(name).orElse("");
    if (v.isEmpty()) {
      throw new MissingSecretException(
          "secret " + qualified(name) + " is missing; add it to the connection's secrets");
    }
    return v;
  }

  /** A nested object of secrets (older connections send nested objects). */
  public Optional<Secrets> object(String name) {
    Object v = values.get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof Map)) {
      throw new MissingSecretException(
          "secret " + qualified(name) + " is not an object; check the connection's secrets");
    }
    @SuppressWarnings("unchecked")
    Map<String, ?> m = (Map<String, ?>) v;
    return Optional.of(new Secrets(m, qualified(name) + "."));
  }

  /** Any secret as a plain, unmodifiable Java value (string, number, boolean, map, list). */
  public Optional<Object> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** True if there are no secrets at this level. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * The text with every secret value in it replaced by {@code ***}. Use it on anything built
   * from a source's answer before it leaves the function (an exception message, a log line).
   */
  public String redact(String text) {
    if (text == null || redactable.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : redactable) {
      if (out.contains(secret)) {
        out = out.replace(secret, MASK);
      }
    }
    return out;
  }

  /** Names only, never values. */
  @Override
  public String toString() {
    return "Secrets" + values.keySet();
  }

  private String qualified(String name) {
    return "secrets." + path + name;
  }

  private static Map<String, Object> deepCopy(Map<String, ?> in) {
    LinkedHashMap<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : in.entrySet()) {
      out.put(e.getKey(), copyValue(e.getValue()));
    }
    return Collections.unmodifiableMap(out);
  }

  private static Object copyValue(Object v) {
    if (v instanceof Map) {
      @SuppressWarnings("unchecked")
      Map<String, ?> m = (Map<String, ?>) v;
      return deepCopy(m);
    }
    if (v instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object o : (List<?>) v) {
        out.add(copyValue(o));
      }
      return Collections.unmodifiableList(out);
    }
    return v;
  }

  private static List<String> redactableForms(Map<String, Object> values) {
    Set<String> leaves = new LinkedHashSet<>();
    collectLeaves(values, leaves);
    Set<String> forms = new LinkedHashSet<>();
    for (String s : leaves) {
      if (s.length() < MIN_REDACTED_LENGTH) {
        continue;
      }
      forms.add(s);
      forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
      forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
      forms.add(s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
    }
    List<String> sorted = new ArrayList<>(forms);
    // Longest first, so a secret that contains another is masked whole.
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return List.copyOf(sorted);
  }

  private static void collectLeaves(Object v, Set<String> out) {
    if (v instanceof Map) {
      for (Object o : ((Map<?, ?>) v).values()) {
        collectLeaves(o, out);
      }
    } else if (v instanceof List) {
      for (Object o : (List<?>) v) {
        collectLeaves(o, out);
      }
    } else if (v != null && !(v instanceof Boolean)) {
      out.add(String.valueOf(v));
    }
  }
}
