package dev.tributary.testing;

import dev.tributary.Connector;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * An in-memory source of one incremental table whose rows carry their cursor value in any form
 * the test chooses (ISO strings in assorted encodings, {@code OffsetDateTime}, {@code LocalDate}),
 * while the source itself filters and sorts by a separate "true" value ({@code Instant} or
 * {@code LocalDate}) — like a database that compares by value but returns text. The tiebreaker is
 * a numeric {@code id}.
 *
 * <p>Knobs: ignore the window's upper bound, filter inclusively ({@code cursor >= after.cursor}),
 * and rewrite every page before it is returned (to model a source that breaks the order).
 */
public final class ScriptedSource implements Connector {
  /** A row as stored: its true cursor value, its id and the values the source returns. */
  public record Entry(Comparable<?> cursor, long id, Map<String, Object> values, boolean deleted) {}

  private final Table table;
  private final Schema schema;
  private final TreeMap<Long, Entry> rows = new TreeMap<>();
  private boolean honourUpperBound = true;
  private boolean inclusiveFilter;
  private UnaryOperator<List<Row>> pageTransform = UnaryOperator.identity();
  private final List<TableRead> readLog = new ArrayList<>();

  public ScriptedSource(Table table) {
    this.table = table;
    this.schema = Schema.of(table);
  }

  /** Inserts or replaces row {@code id}; {@code cursor} is the value the source sorts by. */
  public ScriptedSource put(Comparable<?> cursor, long id, Map<String, Object> values) {
    rows.put(id, new Entry(cursor, id, Map.copyOf(values), false));
    return this;
  }

  public ScriptedSource ignoringUpperBound() {
    this.honourUpperBound = false;
    return this;
  }

  public ScriptedSource withInclusiveFilter() {
    this.inclusiveFilter = true;
    return this;
  }

  /** Rewrites each page (already sorted, filtered and cut to the page size) before it is returned. */
  public ScriptedSource withPageTransform(UnaryOperator<List<Row>> transform) {
    this.pageTransform = transform;
    return this;
  }

  public List<TableRead> readLog() {
    return readLog;
  }

  /** Stored rows in true (cursor, id) order. */
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>(rows.values());
    out.sort(ORDER);
    return out;
  }

  /** Live rows by id: what the destination should hold. */
  public Map<Long, Map<String, Object>> snapshot() {
    Map<Long, Map<String, Object>> out = new TreeMap<>();
    for (Entry e : rows.values()) {
      if (!e.deleted) {
        out.put(e.id, e.values);
      }
    }
    return out;
  }

  private static final Comparator<Entry> ORDER = (a, b) -> {
    int c = Position.compareValues(a.cursor, b.cursor);
    return c != 0 ? c : Long.compare(a.id, b.id);
  };

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public Page read(TableRead read) {
    readLog.add(read);
    List<Entry> candidates = new ArrayList<>();
    for (Entry e : entries()) {
      if (read.after().isPresent()) {
        Position after = read.after().get();
        int c = Position.compareValues(e.cursor, after.cursor());
        boolean isAfter;
        if (inclusiveFilter || c != 0) {
          isAfter = inclusiveFilter ? c >= 0 : c > 0;
        } else {
          isAfter = read.afterTiebreakerNumber()
              .map(id -> e.id > id.longValueExact())
              .orElse(true);
        }
        if (!isAfter) {
          continue;
        }
      }
      if (honourUpperBound && read.upTo().isPresent()
          && Position.compareValues(e.cursor, read.upTo().get()) >= 0) {
        continue;
      }
      candidates.add(e);
    }
    int n = Math.min(read.pageSize(), candidates.size());
    List<Row> page = new ArrayList<>(n);
    for (Entry e : candidates.subList(0, n)) {
      page.add(e.deleted ? Row.delete(e.values) : Row.of(e.values));
    }
    return new Page(pageTransform.apply(page), candidates.size() > n);
  }

  public Table table() {
    return table;
  }
}
