package dev.tributary.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * A 64-bit hash of a row's JSON as the response carries it: what the delivered digest keeps per
 * key to tell an unchanged row from a changed one. Part of the state format — the same bytes
 * must hash alike in every release, so changing this function is a change of state version.
 *
 * <p>Eight bytes at a time, each word multiplied in and the running value mixed (the shape of
 * MurmurHash's 64-bit mix), the length folded in at the end, and a final avalanche
 * (Stafford's variant 13). A changed row whose hash equals the old row's would be skipped: for
 * rows that differ, two 64-bit hashes agree with a chance of about one in 1.8 × 10^19.
 */
final class RowHash {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long M = 0xC6A4A7935BD1E995L;
  private static final Base64.Encoder TEXT = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder FROM_TEXT = Base64.getUrlDecoder();

  private RowHash() {}

  static long of(byte[] b, int off, int len) {
    long h = 0x9E3779B97F4A7C15L ^ (len * M);
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      long k = (long) LONGS.get(b, i);
      k *= M;
      k ^= k >>> 47;
      k *= M;
      h ^= k;
      h *= M;
    }
    long tail = 0;
    for (int s = 0; i < end; i++, s += 8) {
      tail |= (b[i] & 0xFFL) << s;
    }
    h ^= tail;
    h *= M;
    return mix(h ^ len);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The hash as state writes it: 11 characters of URL-safe base64. */
  static String text(long hash) {
    byte[] b = new byte[8];
    for (int k = 7; k >= 0; k--) {
      b[k] = (byte) hash;
      hash >>>= 8;
    }
    return TEXT.encodeToString(b);
  }

  /**
   * The hash {@link #text} wrote.
   *
   * @throws IllegalArgumentException if {@code s} is not 11 characters of URL-safe base64
   */
  static long parse(String s) {
    if (s.length() != 11) {
      throw new IllegalArgumentException("a row hash is 11 characters of URL-safe base64, not "
          + s.length());
    }
    byte[] b = FROM_TEXT.decode(s);
    long h = 0;
    for (byte x : b) {
      h = (h << 8) | (x & 0xFF);
    }
    return h;
  }
}
