package dev.tributary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every form in which a connection's secret values can reach a message, compiled once into one
 * pattern that masks them all in a single pass.
 *
 * <p>A <em>target</em> is a string whose appearance would disclose a secret: the value itself, its
 * base64 (standard or URL alphabet, padded or not, of its UTF-8 and its ISO-8859-1 bytes — OkHttp's
 * {@code Credentials.basic} uses the latter), and the base64 of {@code user:password} pairs of two
 * entries of one object, at least one of them a secret (what {@code Auth.basic} sends). Each target
 * is matched with every character in any of the forms sources and libraries write it in: as
 * itself; percent-encoded (upper or lower case hex, {@code +} or {@code %20} for a space); JSON
 * escaped ({@code \"}, {@code \\}, {@code \/}, {@code \n}…, <code>&#92;uXXXX</code> in either case, also
 * escaped again inside a JSON string); or as an HTML entity ({@code &amp;}, {@code &lt;},
 * {@code &gt;}, {@code &quot;}, {@code &apos;}, {@code &#NN;}, {@code &#xNN;}). Letters and digits
 * are matched as themselves only: no encoder changes them.
 *
 * <p>Immutable and thread-safe.
 */
final class Redaction {
  static final Redaction NONE = new Redaction(List.of());

  private static final String MASK = "***";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** A value of the secrets, with its qualified name and whether it is secret. */
  record Leaf(String name, String value, boolean secret) {}

  /** A target: which secret it discloses and the regex that finds it in any encoding. */
  private record Target(String secret, String text) {}

  /** Shortest run of letters and digits worth a prefilter anchor; longest used of one. */
  private static final int MIN_ANCHOR = 3;
  private static final int MAX_ANCHOR = 12;
  /** Redactions of recent connections: Fivetran sends the same secrets on every call. */
  private static final int CACHED = 16;
  private static final Map<Object, Redaction> CACHE =
      new LinkedHashMap<>(CACHED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Redaction> eldest) {
          return size() > CACHED;
        }
      };

  private final List<Target> targets;
  /**
   * Compiled the first time a text passes the anchor prefilter — most calls never get there, and
   * compiling costs milliseconds on a cold JVM. Immutable, so racing threads at worst compile it
   * twice.
   */
  private volatile Pattern pattern;
  /** A text without any of these cannot hold a target, unless {@link #alwaysScan}. */
  private final Anchors anchors;
  /** Some target has no anchor (a value of punctuation): every text goes through the pattern. */
  private final boolean alwaysScan;

  private Redaction(List<Target> targets) {
    this.targets = targets;
    List<String> anchorTexts = new ArrayList<>();
    boolean unanchored = false;
    for (Target t : targets) {
      String a = anchor(t.text());
      if (a == null) {
        unanchored = true;
      } else {
        anchorTexts.add(a);
      }
    }
    this.alwaysScan = unanchored;
    this.anchors = new Anchors(anchorTexts);
  }

  /**
   * The redaction for {@code key} (the secrets' values and declaration), built once per
   * container for each of the last few connections: building it costs milliseconds, and every
   * call of a connection sends the same secrets.
   */
  static Redaction cached(Object key, java.util.function.Supplier<Redaction> build) {
    synchronized (CACHE) {
      Redaction r = CACHE.get(key);
      if (r != null) {
        return r;
      }
    }
    Redaction r = build.get();
    synchronized (CACHE) {
      CACHE.put(key, r);
    }
    return r;
  }

  /**
   * The redaction of these values.
   *
   * @param leaves every string, number and list element of the secrets (booleans excluded)
   * @param siblings the values of each object, by object, for {@code user:password} pairs
   * @param minLength the shortest secret value masked on its own
   */
  static Redaction of(List<Leaf> leaves, List<List<Leaf>> siblings, int minLength) {
    // Target text -> the secret it discloses; the first name wins for equal texts.
    Map<String, String> texts = new LinkedHashMap<>();
    for (Leaf l : leaves) {
      if (l.secret() && l.value().length() >= minLength) {
        texts.putIfAbsent(l.value(), l.name());
        addBase64(texts, l.value(), l.name());
      }
    }
    for (List<Leaf> object : siblings) {
      for (Leaf user : withEmpty(object)) {
        for (Leaf password : withEmpty(object)) {
          boolean discloses = (user.secret() && !user.value().isEmpty())
              || (password.secret() && !password.value().isEmpty());
          if (discloses && user != password) {
            addBase64(texts, user.value() + ":" + password.value(),
                password.secret() && !password.value().isEmpty() ? password.name() : user.name());
          }
        }
      }
    }
    if (texts.isEmpty()) {
      return NONE;
    }
    List<Target> targets = new ArrayList<>();
    for (Map.Entry<String, String> e : texts.entrySet()) {
      targets.add(new Target(e.getValue(), e.getKey()));
    }
    // Longest first: where one target contains another, the alternation masks the whole.
    targets.sort(Comparator.comparingInt((Target t) -> t.text().length()).reversed());
    return new Redaction(List.copyOf(targets));
  }

  /** The text with every target masked; the same instance when nothing matched. */
  String redact(String text) {
    if (!mayHold(text)) {
      return text;
    }
    Matcher m = pattern().matcher(text);
    return m.find() ? m.replaceAll(MASK) : text;
  }

  /** The name of a secret that appears in {@code text} in any of its forms, if one does. */
  Optional<String> secretIn(String text) {
    if (!mayHold(text) || !pattern().matcher(text).find()) {
      return Optional.empty();
    }
    // Rare (an error is about to be reported): find which target it was.
    for (Target t : targets) {
      if (Pattern.compile(regex(t.text())).matcher(text).find()) {
        return Optional.of(t.secret());
      }
    }
    return Optional.empty();
  }

  private boolean mayHold(String text) {
    return text != null && !targets.isEmpty() && (alwaysScan || anchors.foundIn(text));
  }

  private Pattern pattern() {
    Pattern p = pattern;
    if (p == null) {
      p = compile(targets);
      pattern = p;
    }
    return p;
  }

  /** The longest run of letters and digits of a target (at most {@value #MAX_ANCHOR}), or null. */
  private static String anchor(String text) {
    int bestStart = 0;
    int bestLength = 0;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || !isAlphanumeric(text.charAt(i))) {
        if (i - start > bestLength) {
          bestStart = start;
          bestLength = i - start;
        }
        start = i + 1;
      }
    }
    return bestLength < MIN_ANCHOR ? null
        : text.substring(bestStart, bestStart + Math.min(bestLength, MAX_ANCHOR));
  }

  private static List<Leaf> withEmpty(List<Leaf> object) {
    List<Leaf> out = new ArrayList<>(object);
    out.add(new Leaf("", "", false));
    return out;
  }

  private static void addBase64(Map<String, String> texts, String value, String name) {
    for (byte[] bytes : List.of(value.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.ISO_8859_1))) {
      // Unpadded and standard alphabet: the padded form contains it, and the matcher takes the
      // URL alphabet's '-' and '_' wherever this has '+' and '/'.
      texts.putIfAbsent(Base64.getEncoder().withoutPadding().encodeToString(bytes), name);
    }
  }

  /** A pattern that finds any target, with a first-character check to skip most positions. */
  private static Pattern compile(List<Target> targets) {
    TreeSet<Integer> first = new TreeSet<>();
    StringBuilder alternation = new StringBuilder();
    for (Target t : targets) {
      int c = t.text().codePointAt(0);
      first.add(c);
      if (!isAlphanumeric(c)) {
        for (char e : "%&\\+-_".toCharArray()) {
          first.add((int) e);
        }
      }
      if (alternation.length() > 0) {
        alternation.append('|');
      }
      alternation.append(regex(t.text()));
    }
    StringBuilder firstClass = new StringBuilder("[");
    for (int c : first) {
      firstClass.append(literalInClass(c));
    }
    firstClass.append(']');
    return Pattern.compile("(?=" + firstClass + ")(?:" + alternation + ")");
  }

  /** The regex of one target: each character in any of its encodings. */
  private static String regex(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(c -> out.append(character(c)));
    return out.toString();
  }

  private static String character(int c) {
    if (isAlphanumeric(c)) {
      return String.valueOf((char) c);
    }
    List<String> forms = new ArrayList<>();
    // Base64's '+' and '/' are '-' and '_' in the URL alphabet; targets are base64 or values,
    // and masking a value's '-' as '+' costs nothing.
    if (c == '+') {
      forms.add("-");
    } else if (c == '/') {
      forms.add("_");
    } else if (c == ' ') {
      forms.add("\\+");
    }
    StringBuilder percent = new StringBuilder();
    for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
      percent.append('%').append(hexDigit((b >> 4) & 0xF)).append(hexDigit(b & 0xF));
    }
    forms.add(percent.toString());
    forms.addAll(json(c));
    forms.addAll(html(c));
    // The character as itself last: an escape that starts with it ("\\", "&amp;") is masked
    // whole rather than leaving its tail behind.
    forms.add(Pattern.quote(new String(Character.toChars(c))));
    return "(?:" + String.join("|", forms) + ")";
  }

  /** JSON escapes, allowing the backslash itself to be escaped again (JSON inside JSON). */
  private static List<String> json(int c) {
    List<String> forms = new ArrayList<>();
    String slashes = "\\\\+";
    StringBuilder unicode = new StringBuilder();
    for (char unit : Character.toChars(c)) {
      unicode.append(slashes).append('u');
      for (int shift = 12; shift >= 0; shift -= 4) {
        unicode.append(hexDigit((unit >> shift) & 0xF));
      }
    }
    forms.add(unicode.toString());
    switch (c) {
      case '"' -> forms.add(slashes + "\"");
      case '\\' -> forms.add("(?:\\\\\\\\)+"); // an even run: each escaped once or more
      case '/' -> forms.add(slashes + "/");
      case '\b' -> forms.add(slashes + "b");
      case '\f' -> forms.add(slashes + "f");
      case '\n' -> forms.add(slashes + "n");
      case '\r' -> forms.add(slashes + "r");
      case '\t' -> forms.add(slashes + "t");
      default -> { }
    }
    return forms;
  }

  private static List<String> html(int c) {
    List<String> forms = new ArrayList<>();
    forms.add("&#0*" + c + ";");
    StringBuilder hex = new StringBuilder("&#[xX]0*");
    for (char d : Integer.toHexString(c).toCharArray()) {
      hex.append(hexDigit(Character.digit(d, 16)));
    }
    forms.add(hex.append(';').toString());
    switch (c) {
      case '&' -> forms.add("&amp;");
      case '<' -> forms.add("&lt;");
      case '>' -> forms.add("&gt;");
      case '"' -> forms.add("&quot;");
      case '\'' -> forms.add("&apos;");
      default -> { }
    }
    return forms;
  }

  /** A hex digit in either case, as a regex. */
  private static String hexDigit(int v) {
    char upper = HEX[v];
    return Character.isLetter(upper)
        ? "[" + upper + Character.toLowerCase(upper) + "]"
        : String.valueOf(upper);
  }

  private static String literalInClass(int c) {
    return isAlphanumeric(c) ? String.valueOf((char) c) : "\\x{" + Integer.toHexString(c) + "}";
  }

  private static boolean isAlphanumeric(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
