package dev.tributary.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * How entries are named and when an unchanged entry is rewritten, shared by the file and the
 * object-store backends so every store lays entries out the same way.
 *
 * <ul>
 *   <li>An entry's name is {@code <prefix><account_hash>/<key>.json}; each segment keeps
 *       {@code [A-Za-z0-9._-]} and percent-encodes every other byte, {@code .} and {@code ..}
 *       become {@code %2E}, an empty segment becomes {@code %} — so no key can leave the prefix.
 *   <li>Freshness is the envelope's {@code fetched_at}, so a write of unchanged content is skipped
 *       only while the stored entry is younger than half the TTL; after that it is rewritten so
 *       {@code fetched_at} moves forward and an unchanged value does not stay expired.
 * </ul>
 */
public final class ObjectLayout {
  private ObjectLayout() {}

  /** {@code prefix} without leading {@code /}, ending in {@code /} unless empty. */
  public static String prefix(String prefix) {
    String p = Objects.requireNonNull(prefix, "prefix");
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p.isEmpty() || p.endsWith("/") ? p : p + "/";
  }

  /** The stored name of {@code key} (an SPI key, {@code <account_hash>/<key>}) under a normalised prefix. */
  public static String name(String normalisedPrefix, String key) {
    Objects.requireNonNull(key, "key");
    String[] segments = key.split("/", -1);
    StringBuilder sb = new StringBuilder(normalisedPrefix);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(segment(segments[i]));
    }
    return sb.append(".json").toString();
  }

  /** One key segment, encoded as described above. */
  public static String segment(String segment) {
    if (segment.isEmpty()) {
      return "%";
    }
    if (segment.equals(".") || segment.equals("..")) {
      return segment.replace(".", "%2E");
    }
    StringBuilder sb = new StringBuilder(segment.length());
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** True if a write of {@code hash} may be skipped: the stored entry has it and is still young. */
  public static boolean skipRewrite(String storedHash, long storedWrittenAtMillis, String hash,
      long nowMillis, long ttlSeconds) {
    return hash.equals(storedHash)
        && nowMillis - storedWrittenAtMillis < Duration.ofSeconds(ttlSeconds).toMillis() / 2;
  }
}
