package dev.tributary;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An in-memory source whose reads can return one key several times: rows keyed by {@code id}
 * with an {@code updated_at} cursor, read in {@code (updated_at, id)} order.
 *
 * <ul>
 *   <li>{@link Mode#TOMBSTONE_TABLE}: a live table (one row per id) beside a table of tombstones
 *       that outlive a re-insert — the PostgreSQL example's {@code deletes.tombstone_table}. A
 *       key deleted and inserted again between two syncs is read as a delete and an insert.
 *   <li>{@link Mode#CHANGE_LOG}: every version and every delete is an entry of its own, like an
 *       audit table or an event feed, so a key updated three times is read three times.
 * </ul>
 */
final class FeedSource implements Connector {
  enum Mode { TOMBSTONE_TABLE, CHANGE_LOG }

  record Entry(long id, Instant at, boolean deleted, Map<String, Object> values) {}

  private static final Comparator<Entry> ORDER =
      Comparator.comparing(Entry::at).thenComparingLong(Entry::id);

  private final Mode mode;
  private final Schema schema;
  /** table → live rows by id (tombstone mode) */
  private final Map<String, TreeMap<Long, Entry>> live = new LinkedHashMap<>();
  /** table → tombstones (tombstone mode) or every entry (change log) */
  private final Map<String, List<Entry>> feed = new LinkedHashMap<>();
  private Predicate<TableRead> failWhen = r -> false;
  private boolean inclusiveFilter;

  FeedSource(Mode mode, Table... tables) {
    this.mode = mode;
    this.schema = Schema.of(tables);
    for (Table t : tables) {
      live.put(t.name(), new TreeMap<>());
      feed.put(t.name(), new ArrayList<>());
    }
  }

  FeedSource failWhen(Predicate<TableRead> p) {
    this.failWhen = p;
    return this;
  }

  FeedSource withInclusiveFilter() {
    this.inclusiveFilter = true;
    return this;
  }

  void upsert(String table, long id, Instant at, Map<String, Object> extra) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("id", id);
    values.put("updated_at", at);
    values.putAll(extra);
    Entry e = new Entry(id, at, false, values);
    if (mode == Mode.CHANGE_LOG) {
      feed.get(table).add(e);
    } else {
      live.get(table).put(id, e);
    }
  }

  void delete(String table, long id, Instant at) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("id", id);
    values.put("updated_at", at);
    live.get(table).remove(id);
    feed.get(table).add(new Entry(id, at, true, values));
  }

  /** The live rows a destination should hold: each id's last entry, unless it is a delete. */
  Map<Long, Map<String, Object>> snapshot(String table) {
    TreeMap<Long, Entry> last = new TreeMap<>();
    for (Entry e : all(table)) {
      last.put(e.id(), e); // all() is in (at, id) order, so the last one wins
    }
    Map<Long, Map<String, Object>> out = new TreeMap<>();
    last.forEach((id, e) -> {
      if (!e.deleted()) {
        out.put(id, e.values());
      }
    });
    return out;
  }

  boolean exists(String table, long id) {
    return snapshot(table).containsKey(id);
  }

  private List<Entry> all(String table) {
    List<Entry> out = new ArrayList<>(feed.get(table));
    out.addAll(live.get(table).values());
    out.sort(ORDER);
    return out;
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Page read(TableRead read) throws IOException {
    if (failWhen.test(read)) {
      throw new IOException("simulated failure reading " + read.table().name());
    }
    List<Entry> candidates = new ArrayList<>();
    for (Entry e : all(read.table().name())) {
      if (read.after().isPresent() && !isAfter(e, read.after().get())) {
        continue;
      }
      if (read.upToInstant().isPresent() && !e.at().isBefore(read.upToInstant().get())) {
        continue;
      }
      candidates.add(e);
    }
    int n = Math.min(read.pageSize(), candidates.size());
    List<Row> rows = new ArrayList<>(n);
    for (Entry e : candidates.subList(0, n)) {
      rows.add(e.deleted() ? Row.delete(e.values()) : Row.of(e.values()));
    }
    return new Page(rows, candidates.size() > n);
  }

  private boolean isAfter(Entry e, Position after) {
    int c = e.at().compareTo(after.cursorInstant());
    if (inclusiveFilter || c != 0) {
      return inclusiveFilter ? c >= 0 : c > 0;
    }
    return after.tiebreaker()
        .map(tb -> e.id() > ((java.math.BigDecimal) tb).longValueExact())
        .orElse(true);
  }
}
