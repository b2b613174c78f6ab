package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * For any secret values — with the characters each encoding changes — any encoder sources and
 * libraries use, and any text around it, the redacted text no longer contains the encoded secret.
 */
class RedactionProperties {
  /** Characters every encoder below changes somehow, plus plain ones. No '*': that is the mask. */
  static final List<String> SECRET_CHARACTERS = List.of("a", "b", "c", "X", "Y", "Z", "0", "1",
      "9", "/", "+", " ", "&", "<", ">", "\"", "'", ":", "\\", "=", "%", "-", "_", ".", "?", "#",
      "@", "é", "☃", "😀", "\n", "\t");
  static final String TEXT_CHARS = "abc xyz{}[]\":,.=&;/\\%-_<>";

  /** An encoding of one string, as a source or a library writes it. */
  enum Encoder {
    RAW(s -> s),
    URL_PLUS(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
    URL_PERCENT_20(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20")),
    URL_LOWER_HEX(s -> lowerHex(URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))),
    /** Only what a URL path or query cannot hold raw, as OkHttp and browsers encode. */
    URL_MINIMAL(RedactionProperties::percentMinimal),
    JSON(RedactionProperties::json),
    JSON_ESCAPED_SLASH(s -> json(s).replace("/", "\\/")),
    JSON_ASCII_ONLY(s -> asciiOnly(json(s))),
    /** Gson's HTML-safe escaping: {@code < > & = '} as unicode escapes. */
    JSON_HTML_SAFE(s -> htmlSafe(json(s))),
    JSON_INSIDE_JSON(s -> json(json(s))),
    HTML_NAMED(RedactionProperties::htmlNamed),
    HTML_NUMERIC(RedactionProperties::htmlNumeric),
    BASE64(s -> Base64.getEncoder().encodeToString(utf8(s))),
    BASE64_UNPADDED(s -> Base64.getEncoder().withoutPadding().encodeToString(utf8(s))),
    BASE64_URL(s -> Base64.getUrlEncoder().encodeToString(utf8(s))),
    BASE64_URL_UNPADDED(s -> Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(s))),
    /** OkHttp's {@code Credentials.basic} default charset. */
    BASE64_LATIN_1(s -> Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.ISO_8859_1))),
    BASE64_IN_JSON_ESCAPED_SLASH(s -> json(Base64.getEncoder().encodeToString(utf8(s)))
        .replace("/", "\\/")),
    BASE64_URL_ENCODED(s -> URLEncoder.encode(Base64.getEncoder().encodeToString(utf8(s)),
        StandardCharsets.UTF_8));

    final UnaryOperator<String> encode;

    Encoder(UnaryOperator<String> encode) {
      this.encode = encode;
    }
  }

  @Property(tries = 1500)
  void everyEncodedSecretIsMasked(
      @ForAll("secretLists") List<String> values,
      @ForAll @IntRange(min = 0, max = 3) int which,
      @ForAll Encoder encoder,
      @ForAll("text") String before, @ForAll("text") String after) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      m.put("k" + i, values.get(i));
    }
    String encoded = encoder.encode.apply(values.get(which % values.size()));

    String redacted = Secrets.of(m).redact(before + encoded + after);

    assertFalse(redacted.contains(encoded),
        () -> encoder + " of a secret survived: " + redacted);
  }

  /** {@code user:password} as HTTP basic authentication sends it, from two entries. */
  @Property(tries = 1000)
  void everyEncodedUserPasswordPairIsMasked(
      @ForAll("secretValues") String user, @ForAll("secretValues") String password,
      @ForAll boolean userIsPlainConfiguration, @ForAll boolean shortUser,
      @ForAll("basicEncoders") Encoder encoder,
      @ForAll("text") String before, @ForAll("text") String after) {
    Map<String, Object> m = new LinkedHashMap<>();
    String u = shortUser ? user.substring(0, 1) : user;
    m.put("user", u);
    m.put("password", password);
    m.put("region", "eu-west-1");
    Secrets secrets = Secrets.of(m);
    if (userIsPlainConfiguration) {
      secrets = secrets.withNotSecret(Set.of("user", "region"));
    }
    String encoded = encoder.encode.apply(u + ":" + password);

    String redacted = secrets.redact("Authorization: Basic " + before + encoded + after);

    assertFalse(redacted.contains(encoded), () -> encoder + " of user:password survived: "
        + redacted);
  }

  @Provide
  Arbitrary<String> secretValues() {
    return Arbitraries.of(SECRET_CHARACTERS).list().ofMinSize(4).ofMaxSize(24)
        .map(cs -> String.join("", cs));
  }

  @Provide
  Arbitrary<List<String>> secretLists() {
    return secretValues().list().ofMinSize(1).ofMaxSize(4);
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.strings().withChars(TEXT_CHARS.toCharArray()).ofMaxLength(30);
  }

  @Provide
  Arbitrary<Encoder> basicEncoders() {
    return Arbitraries.of(Encoder.BASE64, Encoder.BASE64_UNPADDED, Encoder.BASE64_URL,
        Encoder.BASE64_URL_UNPADDED, Encoder.BASE64_LATIN_1, Encoder.BASE64_IN_JSON_ESCAPED_SLASH,
        Encoder.BASE64_URL_ENCODED);
  }

  // ---------------------------------------------------------------------------------------------
  // Encoders, written independently of the code under test

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String json(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }

  private static String lowerHex(String percentEncoded) {
    return Pattern.compile("%[0-9A-F]{2}").matcher(percentEncoded)
        .replaceAll(r -> r.group().toLowerCase(Locale.ROOT));
  }

  private static String percentMinimal(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : utf8(s)) {
      char c = (char) (b & 0xFF);
      if (b >= 0 && (Character.isLetterOrDigit(c) || "-._~!$'()*,;=:@/".indexOf(c) >= 0)) {
        out.append(c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xFF));
      }
    }
    return out.toString();
  }

  private static String asciiOnly(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c < 128 ? String.valueOf(c) : String.format(Locale.ROOT, "\\u%04x", (int) c));
    }
    return out.toString();
  }

  private static String htmlSafe(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append("<>&='".indexOf(c) >= 0 ? String.format(Locale.ROOT, "\\u%04x", (int) c)
          : String.valueOf(c));
    }
    return out.toString();
  }

  private static String htmlNamed(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;").replace("'", "&#39;");
  }

  private static String htmlNumeric(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(c -> out.append(Character.isLetterOrDigit(c) && c < 128
        ? new String(Character.toChars(c))
        : (c % 2 == 0 ? "&#" + c + ";" : "&#x" + Integer.toHexString(c).toUpperCase(Locale.ROOT) + ";")));
    return out.toString();
  }
}
