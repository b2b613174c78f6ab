package dev.tributary.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the destination holds of one table, as far as the engine delivered it: per primary key
 * (canonical JSON of its values) a {@link RowHash} of the row last sent. A row whose key and hash
 * it already holds is not sent again — what a full-refresh table's unchanged rows and a lookback
 * window's re-read rows would otherwise cost in monthly active rows.
 *
 * <p>Two parts: {@code delivered}, what the last complete pass (sync) left and this one has not
 * met yet, and {@code seen}, what this pass met or sent, oldest first. At the end of a complete
 * pass, the keys still in {@code delivered} are the rows the source no longer returns (a
 * full-refresh table that declares {@code deleteMissing()} sends them as deletes); then
 * {@code seen} becomes {@code delivered}.
 *
 * <p>Bounded: {@code seen} keeps at most {@code bound} keys, forgetting the oldest. A forgotten
 * key is sent again the next time it is read (re-sending, never skipping), and a full-refresh
 * table cannot tell when its row disappears. One call's working copy; not thread-safe.
 */
final class Digest {
  private final LinkedHashMap<String, Long> delivered;
  private final LinkedHashMap<String, Long> seen;
  /** Keys this call forgot to stay within its bound or the state's cap. */
  private long forgotten;

  Digest(Map<String, Long> delivered, Map<String, Long> seen) {
    this.delivered = new LinkedHashMap<>(delivered);
    this.seen = new LinkedHashMap<>(seen);
  }

  static Digest empty() {
    return new Digest(Map.of(), Map.of());
  }

  Map<String, Long> delivered() {
    return delivered;
  }

  Map<String, Long> seen() {
    return seen;
  }

  boolean isEmpty() {
    return delivered.isEmpty() && seen.isEmpty();
  }

  /** True if it remembers a row under {@code key}. */
  boolean contains(String key) {
    return seen.containsKey(key) || delivered.containsKey(key);
  }

  /** True if the destination already holds exactly this row under this key. */
  boolean holds(String key, long hash) {
    Long s = seen.get(key);
    if (s != null) {
      return s == hash;
    }
    Long d = delivered.get(key);
    return d != null && d == hash;
  }

  /**
   * The row under {@code key} is in the destination as {@code hash} (sent now, or found
   * unchanged): it moves to the newest end of {@code seen}.
   *
   * @return the bytes the encoded state may grow by (the key was in neither part), else 0
   */
  long met(String key, long hash, int bound) {
    boolean known = delivered.remove(key) != null;
    known |= seen.remove(key) != null;
    if (bound <= 0) {
      forgotten++;
      return 0;
    }
    seen.put(key, hash);
    if (seen.size() > bound) {
      Iterator<String> oldest = seen.keySet().iterator();
      oldest.next();
      oldest.remove();
      forgotten++;
    }
    return known ? 0 : entryBytes(key);
  }

  /** Forgets {@code key} without meeting it (a row sent but not to be remembered). */
  void forget(String key) {
    if (delivered.remove(key) != null | seen.remove(key) != null) {
      forgotten++;
    }
  }

  /** Keys of the last complete pass this pass has not met: rows gone from the source. */
  List<String> missing(int max) {
    List<String> out = new ArrayList<>(Math.min(max, delivered.size()));
    for (String k : delivered.keySet()) {
      if (out.size() == max) {
        break;
      }
      out.add(k);
    }
    return out;
  }

  /** A missing key's delete is in the response. */
  void deleted(String key) {
    delivered.remove(key);
  }

  /** The pass is complete: what it met is what the destination holds. */
  void passComplete() {
    delivered.clear();
    delivered.putAll(seen);
    seen.clear();
  }

  /**
   * Forgets the oldest keys until at most {@code bytes} of encoded state are freed or none is
   * left; returns the bytes freed.
   */
  long shed(long bytes) {
    long freed = 0;
    for (Map<String, Long> part : List.of(delivered, seen)) {
      Iterator<String> it = part.keySet().iterator();
      while (freed < bytes && it.hasNext()) {
        freed += entryBytes(it.next());
        it.remove();
        forgotten++;
      }
    }
    return freed;
  }

  long forgotten() {
    return forgotten;
  }

  int size() {
    return delivered.size() + seen.size();
  }

  /**
   * Bytes one entry takes in the encoded state, {@code "key":"hash",}: the key's JSON as a
   * string (its quotes and backslashes escaped) and 11 characters of hash. Exact for keys of
   * printable ASCII, and an upper bound for any other (every escape takes at most 6 bytes a
   * character).
   */
  static long entryBytes(String key) {
    long n = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      n += c == '"' || c == '\\' ? 2 : c < 0x20 || c > 0x7e ? 6 : 1;
    }
    return n + 2 + 1 + 13 + 1;
  }
}
