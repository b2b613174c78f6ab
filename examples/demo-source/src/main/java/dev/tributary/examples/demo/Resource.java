package dev.tributary.examples.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One resource of the API (customers, orders, order lines): its current rows and tombstones by
 * {@code id}, and the same entries indexed in feed order {@code (updated_at, id)}.
 *
 * <p>The feed index is what makes keyset paging exact: a page is "the entries after this key,
 * below this bound", so rows written between two page requests land either before the key (seen
 * by the next sync, since their {@code updated_at} is later) or after it (seen by this one) —
 * never skipped and never repeated within a sync.
 *
 * <p>Entries are immutable maps in the order the API serialises them. Not thread-safe: the
 * {@link DemoSource} holds its lock around every call.
 */
final class Resource {
  /** An entry's place in the feed. */
  record FeedKey(Instant updatedAt, long id) implements Comparable<FeedKey> {
    private static final Comparator<FeedKey> ORDER =
        Comparator.comparing(FeedKey::updatedAt).thenComparingLong(FeedKey::id);

    @Override
    public int compareTo(FeedKey o) {
      return ORDER.compare(this, o);
    }
  }

  /** One page of the feed, and whether entries follow it below the bound. */
  record Page(List<Map<String, Object>> entries, boolean hasMore) {}

  final String name;
  /** The columns that identify a row to a destination; the feed's tiebreaker is always {@code id}. */
  final List<String> primaryKey;

  private final TreeMap<Long, Map<String, Object>> byId = new TreeMap<>();
  private final TreeMap<FeedKey, Map<String, Object>> feed = new TreeMap<>();
  private long lastId;

  Resource(String name, List<String> primaryKey) {
    this.name = name;
    this.primaryKey = List.copyOf(primaryKey);
  }

  /** Ids are allocated in increasing order and never reused, not even after a delete. */
  long nextId() {
    return ++lastId;
  }

  /**
   * Inserts or replaces the row {@code id}, stamped {@code updated_at = at}.
   *
   * @param columns the row's columns except {@code id} and {@code updated_at}
   */
  void put(long id, Instant at, Map<String, Object> columns) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.putAll(columns);
    row.put("updated_at", at.toString());
    replace(id, at, row);
  }

  /**
   * Replaces the live row {@code id} with a tombstone: its key columns, {@code updated_at} and
   * {@code deleted_at} both {@code at}. The tombstone stays in the feed for ever.
   */
  void delete(long id, Instant at) {
    Map<String, Object> live = live(id);
    if (live == null) {
      throw new IllegalArgumentException(name + " " + id + " is not live");
    }
    Map<String, Object> tombstone = new LinkedHashMap<>();
    tombstone.put("id", id);
    for (String column : primaryKey) {
      tombstone.put(column, live.get(column));
    }
    tombstone.put("updated_at", at.toString());
    tombstone.put("deleted_at", at.toString());
    replace(id, at, tombstone);
  }

  private void replace(long id, Instant at, Map<String, Object> entry) {
    Map<String, Object> old = byId.get(id);
    if (old != null) {
      feed.remove(keyOf(old));
    }
    Map<String, Object> frozen = Collections.unmodifiableMap(entry);
    byId.put(id, frozen);
    feed.put(new FeedKey(at, id), frozen);
    lastId = Math.max(lastId, id);
  }

  /** The live row {@code id}, or null if it never existed or was deleted. */
  Map<String, Object> live(long id) {
    Map<String, Object> row = byId.get(id);
    return row == null || row.containsKey("deleted_at") ? null : row;
  }

  /** Ids of live rows, ascending. */
  List<Long> liveIds() {
    List<Long> ids = new ArrayList<>();
    byId.forEach((id, row) -> {
      if (!row.containsKey("deleted_at")) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** Live rows by primary key (the key's values in {@link #primaryKey} order). */
  Map<List<Object>, Map<String, Object>> snapshot() {
    Map<List<Object>, Map<String, Object>> out = new LinkedHashMap<>();
    for (long id : liveIds()) {
      Map<String, Object> row = byId.get(id);
      List<Object> key = new ArrayList<>();
      for (String column : primaryKey) {
        key.add(row.get(column));
      }
      out.put(List.copyOf(key), row);
    }
    return out;
  }

  /**
   * Up to {@code limit} entries in feed order, strictly after {@code after} (from the start when
   * null) and with {@code updated_at} before {@code before} (unbounded when null).
   */
  Page page(FeedKey after, Instant before, int limit) {
    NavigableMap<FeedKey, Map<String, Object>> range = after == null ? feed : feed.tailMap(after, false);
    if (before != null) {
      range = range.headMap(new FeedKey(before, Long.MIN_VALUE), false);
    }
    List<Map<String, Object>> entries = new ArrayList<>(Math.min(limit, range.size()));
    for (Map<String, Object> entry : range.values()) {
      if (entries.size() == limit) {
        return new Page(entries, true);
      }
      entries.add(entry);
    }
    return new Page(entries, false);
  }

  static FeedKey keyOf(Map<String, Object> entry) {
    return new FeedKey(Instant.parse((String) entry.get("updated_at")), (Long) entry.get("id"));
  }
}
