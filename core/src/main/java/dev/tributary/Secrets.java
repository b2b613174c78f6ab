package dev.tributary;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 * {@link #redact(String)}, which masks any secret value that appears in it in any of the forms
 * sources and libraries write it in: as itself, URL-encoded ({@code +} or {@code %20} for a
 * space), JSON-escaped (including {@code \/} and <code>&#92;uXXXX</code>), as HTML entities, and in base64
 * or base64url (padded or not) — of the value, and of the {@code user:password} pair of any two
 * entries of one object, as HTTP basic authentication sends them. Values shorter than
 * {@value #MIN_REDACTED_LENGTH} characters and booleans are not masked on their own: they would
 * mangle every message and are not secrets anyone relies on.
 *
 * <p>Fivetran sends all of a connection's configuration as {@code secrets}, also what is not
 * secret (a table list, a host, an owner name). The keys a connector declares in
 * {@link Connector#notSecretKeys()} are not masked, so messages can name what they are about;
 * every other value is a secret.
 *
 * <p>Immutable and thread-safe.
 */
public final class Secrets {
  /** Shortest value {@link #redact(String)} masks. */
  public static final int MIN_REDACTED_LENGTH = 4;

  private static final Secrets EMPTY = new Secrets(Map.of(), "", Set.of(), null);

  private final Map<String, Object> values;
  private final String path;
  /** Top-level keys holding plain configuration; meaningful on the root only. */
  private final Set<String> notSecret;
  /** The top-level secrets, whose redaction every nested object shares. */
  private final Secrets root;
  /** Built on first use: most calls never redact anything but a sync id. */
  private volatile Redaction redaction;

  private Secrets(Map<String, ?> values, String path, Set<String> notSecret, Secrets root) {
    this.values = deepCopy(values);
    this.path = path;
    this.notSecret = Set.copyOf(notSecret);
    this.root = root == null ? this : root;
  }

  /** Secrets from plain Java values: strings, numbers, booleans, maps and lists of those. */
  public static Secrets of(Map<String, ?> values) {
    return values.isEmpty() ? EMPTY : new Secrets(values, "", Set.of(), null);
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
    return Optional.of(new Secrets(m, qualified(name) + ".", Set.of(), root));
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
   * The text with every secret value in it replaced by {@code ***}, in any of the forms listed
   * in the class documentation. Use it on anything built from a source's answer before it leaves
   * the function (an exception message, a log line). A nested object masks every secret of the
   * connection, not only its own.
   */
  public String redact(String text) {
    return root.redaction().redact(text);
  }

  /**
   * These secrets with the top-level keys {@code names} declared plain configuration: their
   * values are not masked (a secret value inside one still is). What the engine does with
   * {@link Connector#notSecretKeys()}.
   */
  Secrets withNotSecret(Set<String> names) {
    if (this == EMPTY || (names.isEmpty() && notSecret.isEmpty())) {
      return this;
    }
    return new Secrets(values, path, names, null);
  }

  /** The qualified name of a secret that {@code text} discloses in any form, if it does. */
  Optional<String> secretIn(String text) {
    return root.redaction().secretIn(text);
  }

  private Redaction redaction() {
    Redaction r = redaction;
    if (r == null) {
      // A benign race: two threads may both build it; either result is the same.
      r = cachedRedaction();
      redaction = r;
    }
    return r;
  }

  private Redaction buildRedaction() {
    List<Redaction.Leaf> leaves = new ArrayList<>();
    List<List<Redaction.Leaf>> objects = new ArrayList<>();
    collect(values, "secrets.", true, leaves, objects);
    return Redaction.of(leaves, objects, MIN_REDACTED_LENGTH);
  }

  /** The redaction of these secrets, shared with earlier calls that sent the same ones. */
  private Redaction cachedRedaction() {
    return values.isEmpty() ? Redaction.NONE
        : Redaction.cached(List.of(values, notSecret), this::buildRedaction);
  }

  /** Collects every leaf, and the direct leaves of each object (user:password candidates). */
  private void collect(Map<String, Object> object, String prefix, boolean top,
      List<Redaction.Leaf> leaves, List<List<Redaction.Leaf>> objects) {
    List<Redaction.Leaf> direct = new ArrayList<>();
    for (Map.Entry<String, Object> e : object.entrySet()) {
      boolean secret = !(top && notSecret.contains(e.getKey()));
      collectValue(e.getValue(), prefix + e.getKey(), secret, leaves, objects, direct);
    }
    objects.add(direct);
  }

  private void collectValue(Object v, String name, boolean secret, List<Redaction.Leaf> leaves,
      List<List<Redaction.Leaf>> objects, List<Redaction.Leaf> direct) {
    if (v instanceof Map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) v;
      if (secret) {
        collect(m, name + ".", false, leaves, objects);
      }
      // A plain object: nothing in it is masked, and no secret sits beside its values.
    } else if (v instanceof List) {
      int i = 0;
      for (Object o : (List<?>) v) {
        collectValue(o, name + "[" + i++ + "]", secret, leaves, objects, new ArrayList<>());
      }
    } else if (v != null && !(v instanceof Boolean)) {
      Redaction.Leaf leaf = new Redaction.Leaf(name, String.valueOf(v), secret);
      leaves.add(leaf);
      direct.add(leaf);
    }
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
}
