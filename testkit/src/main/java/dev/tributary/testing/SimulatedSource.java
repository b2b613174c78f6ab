package dev.tributary.testing;

import dev.tributary.Connector;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An in-memory source that behaves like a well-indexed database table: rows keyed by a numeric
 * {@code id}, with an {@code updated_at} timestamp cursor and {@code id} as the tiebreaker.
 * Deletes leave a tombstone dated at deletion time. Writes can be left uncommitted (invisible)
 * and committed later, to model long transactions. Reads can be made to fail.
 *
 * <p>Child tables (declared with a {@code parent_id} column) are served per parent row.
 */
public final class SimulatedSource implements Connector {
  /** A stored row version or tombstone. */
  public record Version(long id, Instant updatedAt, Map<String, Object> values, boolean deleted,
      boolean visible) {}

  private final Schema schema;
  private final Map<String, TreeMap<Long, Version>> tables = new LinkedHashMap<>();
  private Clock clock;
  private Predicate<TableRead> failWhen = r -> false;
  private int reads;
  private final List<TableRead> readLog = new ArrayList<>();
  private boolean honourUpperBound = true;
  private boolean inclusiveFilter;

  /** The source's notion of now, for {@link Connector#sourceClock}; null uses the host clock. */
  public interface Clock {
    Instant now();
  }

  public SimulatedSource(Table... tables) {
    this.schema = Schema.of(tables);
    for (Table t : tables) {
      this.tables.put(t.name(), new TreeMap<>());
    }
  }

  public SimulatedSource withSourceClock(Clock c) {
    this.clock = c;
    return this;
  }

  /** Fail reads matching this predicate with an {@link IOException}. */
  public SimulatedSource failWhen(Predicate<TableRead> p) {
    this.failWhen = p;
    return this;
  }

  /** Return rows at or past the window's upper bound too, like a source that ignores it. */
  public SimulatedSource ignoringUpperBound() {
    this.honourUpperBound = false;
    return this;
  }

  /** Filter {@code cursor >= after.cursor} instead of strictly after the position. */
  public SimulatedSource withInclusiveFilter() {
    this.inclusiveFilter = true;
    return this;
  }

  public int reads() {
    return reads;
  }

  public List<TableRead> readLog() {
    return readLog;
  }

  /** Inserts or updates a committed row. */
  public void upsert(String table, long id, Instant updatedAt, Map<String, Object> extra) {
    put(table, id, updatedAt, extra, false, true);
  }

  public void upsert(String table, long id, Instant updatedAt) {
    upsert(table, id, updatedAt, Map.of());
  }

  /** Writes a row that stays invisible until {@link #commit}. */
  public void upsertUncommitted(String table, long id, Instant updatedAt) {
    put(table, id, updatedAt, Map.of(), false, false);
  }

  public void commit(String table, long id) {
    Version v = tables.get(table).get(id);
    tables.get(table).put(id, new Version(v.id, v.updatedAt, v.values, v.deleted, true));
  }

  /** Deletes a row: a tombstone dated {@code at}. */
  public void delete(String table, long id, Instant at) {
    Version v = tables.get(table).get(id);
    // The tombstone keeps the row's other columns, but its id and cursor are the deletion's:
    // copying the old updated_at would place the delete before the row's last version.
    Map<String, Object> values = new LinkedHashMap<>(v == null ? Map.of() : v.values);
    values.remove("id");
    values.remove("updated_at");
    put(table, id, at, values, true, true);
  }

  /**
   * Removes a row without a trace, as a full-refresh source does when a row is deleted: reads no
   * longer return it, and no tombstone says it went.
   */
  public void remove(String table, long id) {
    tables.get(table).remove(id);
  }

  private void put(String table, long id, Instant at, Map<String, Object> extra, boolean deleted,
      boolean visible) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("id", id);
    values.put("updated_at", at);
    extra.forEach((k, v) -> {
      if (!k.equals("id") && !k.equals("updated_at")) {
        values.put(k, v);
      }
    });
    tables.get(table).put(id, new Version(id, at, values, deleted, visible));
  }

  /** The live (not deleted), visible rows of a table: what a destination should end up holding. */
  public Map<Long, Map<String, Object>> snapshot(String table) {
    Map<Long, Map<String, Object>> out = new TreeMap<>();
    for (Version v : tables.get(table).values()) {
      if (!v.deleted && v.visible) {
        out.put(v.id, v.values);
      }
    }
    return out;
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Optional<Instant> sourceClock(Secrets secrets) {
    return clock == null ? Optional.empty() : Optional.of(clock.now());
  }

  @Override
  public Page read(TableRead read) throws IOException {
    reads++;
    readLog.add(read);
    if (failWhen.test(read)) {
      throw new IOException("simulated failure reading " + read.table().name());
    }
    Table t = read.table();
    Object parentId = read.parent().map(p -> p.get("id")).orElse(null);
    List<Version> candidates = new ArrayList<>();
    for (Version v : tables.get(t.name()).values()) {
      if (!v.visible) {
        continue;
      }
      if (parentId != null && !parentId.equals(v.values.get("parent_id"))) {
        continue;
      }
      if (read.after().isPresent() && !isAfter(t, v, read.after().get())) {
        continue;
      }
      if (honourUpperBound && read.upToInstant().isPresent() && t.isIncremental()
          && !v.updatedAt.isBefore(read.upToInstant().get())) {
        continue;
      }
      candidates.add(v);
    }
    Comparator<Version> order = t.isIncremental()
        ? Comparator.comparing(Version::updatedAt).thenComparingLong(Version::id)
        : Comparator.comparingLong(Version::id);
    candidates.sort(order);
    int n = Math.min(read.pageSize(), candidates.size());
    List<Row> rows = new ArrayList<>(n);
    for (Version v : candidates.subList(0, n)) {
      rows.add(v.deleted ? Row.delete(v.values) : Row.of(v.values));
    }
    return new Page(rows, candidates.size() > n);
  }

  private boolean isAfter(Table t, Version v, Position after) {
    if (!t.isIncremental()) {
      return v.id > ((java.math.BigDecimal) after.tiebreaker().orElseThrow()).longValueExact();
    }
    int c = v.updatedAt.compareTo(after.cursorInstant());
    if (inclusiveFilter) {
      return c >= 0;
    }
    if (c != 0) {
      return c > 0;
    }
    return after.tiebreaker()
        .map(tb -> v.id > ((java.math.BigDecimal) tb).longValueExact())
        .orElse(true);
  }

  /** For diagnostics. */
  public Map<String, Integer> sizes() {
    Map<String, Integer> m = new HashMap<>();
    tables.forEach((k, v) -> m.put(k, v.size()));
    return m;
  }
}
