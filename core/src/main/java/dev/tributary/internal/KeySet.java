package dev.tributary.internal;

import dev.tributary.Row;
import dev.tributary.Table;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * The primary keys already in the response being built, as 64-bit hashes, so the engine can end
 * a response before a row whose key it already carries: Fivetran's response has no order between
 * {@code insert} and {@code delete}, so one key twice in one response (a delete and a re-insert,
 * two updates) can leave the destination without the row's last version.
 *
 * <p>A hash collision only ends a response early (the row goes in the next one); it never loses a
 * row. Open addressing with linear probing, grown by half at 80% load: at most 15 bytes per key
 * held ({@code 8 × 1.5 / 0.8}), about 11 on average. Not thread-safe: one per call.
 */
final class KeySet {
  private static final long EMPTY = 0L;
  private static final int MIN_CAPACITY = 256;

  private long[] slots;
  private int size;
  /** Key 0 cannot live in a slot (it marks an empty one), so it is held on the side. */
  private boolean hasZero;

  KeySet() {
    this(0);
  }

  /**
   * A set with room for {@code expected} keys at 60% load (a call expects at least a page of
   * rows, already in memory as the page's {@code Row}s): linear probing near its 80% limit
   * probes about 13 slots per new key, at 60% under 4.
   */
  KeySet(int expected) {
    slots = new long[Math.max(MIN_CAPACITY, (int) Math.min(1 << 28, expected * 5L / 3 + 1))];
  }

  /** True if the set holds {@code hash}. */
  boolean contains(long hash) {
    if (hash == EMPTY) {
      return hasZero;
    }
    long[] s = slots;
    int i = index(hash, s.length);
    while (true) {
      long v = s[i];
      if (v == EMPTY) {
        return false;
      }
      if (v == hash) {
        return true;
      }
      i = i + 1 == s.length ? 0 : i + 1;
    }
  }

  /** Adds {@code hash}; false if it was already there. */
  boolean add(long hash) {
    if (hash == EMPTY) {
      boolean added = !hasZero;
      hasZero = true;
      size += added ? 1 : 0;
      return added;
    }
    if ((size + 1) * 5L > slots.length * 4L) {
      grow();
    }
    if (insert(slots, hash)) {
      size++;
      return true;
    }
    return false;
  }

  int size() {
    return size;
  }

  /** Bytes the table of slots takes, for the benchmark's bytes-per-row figure. */
  long footprintBytes() {
    return slots.length * 8L;
  }

  private void grow() {
    long[] bigger = new long[slots.length + (slots.length >> 1)];
    for (long v : slots) {
      if (v != EMPTY) {
        insert(bigger, v);
      }
    }
    slots = bigger;
  }

  private static boolean insert(long[] s, long hash) {
    int i = index(hash, s.length);
    while (true) {
      long v = s[i];
      if (v == EMPTY) {
        s[i] = hash;
        return true;
      }
      if (v == hash) {
        return false;
      }
      i = i + 1 == s.length ? 0 : i + 1;
    }
  }

  /** Maps a hash onto {@code [0, length)} without a division (Lemire's multiply-shift). */
  private static int index(long hash, int length) {
    return (int) (((hash >>> 32) * length) >>> 32);
  }

  // ---------------------------------------------------------------------------------------------
  // Hashing a row's key

  /**
   * A 64-bit hash of the row's table and primary-key values. Values that Fivetran stores as the
   * same key hash alike: numbers by value ({@code 1}, {@code 1L} and {@code 1.0} are one key),
   * strings by their characters.
   */
  static long keyHash(Table table, Row row) {
    long h = mix(table.name().hashCode() * 0x9E3779B97F4A7C15L);
    List<String> pk = table.primaryKey();
    for (int i = 0, n = pk.size(); i < n; i++) {
      h = mix(h * 0xC2B2AE3D27D4EB4FL + valueHash(row.get(pk.get(i))));
    }
    return h;
  }

  /** {@link #keyHash(Table, Row)} of the row whose primary-key values, in key order, are {@code key}. */
  static long keyHash(Table table, Object[] key) {
    long h = mix(table.name().hashCode() * 0x9E3779B97F4A7C15L);
    for (Object v : key) {
      h = mix(h * 0xC2B2AE3D27D4EB4FL + valueHash(v));
    }
    return h;
  }

  private static long valueHash(Object v) {
    if (v == null) {
      return 0x5BD1E995L;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return mix(((Number) v).longValue());
    }
    if (v instanceof CharSequence) {
      return charsHash((CharSequence) v);
    }
    if (v instanceof BigDecimal) {
      return decimalHash((BigDecimal) v);
    }
    if (v instanceof BigInteger) {
      BigInteger b = (BigInteger) v;
      return b.bitLength() < 64 ? mix(b.longValue()) : mix(b.hashCode() * 31L + 7);
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      long asLong = (long) d;
      return asLong == d ? mix(asLong) : mix(Double.doubleToLongBits(d) ^ 0x3C6EF372FE94F82BL);
    }
    return charsHash(v.toString());
  }

  /** By value: the unscaled digits and scale once trailing zeros are gone (never expanded). */
  private static long decimalHash(BigDecimal d) {
    if (d.signum() == 0) {
      return mix(0);
    }
    BigDecimal s = d.stripTrailingZeros();
    if (s.scale() <= 0 && s.precision() - s.scale() <= 18) {
      return mix(s.longValueExact());
    }
    return mix(s.unscaledValue().hashCode() * 0x9E3779B97F4A7C15L + s.scale());
  }

  private static long charsHash(CharSequence s) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return mix(h ^ s.length());
  }

  /** MurmurHash3's 64-bit finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
