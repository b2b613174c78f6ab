package dev.tributary.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.Position;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.ValueType;
import dev.tributary.internal.StateSnapshot.TableEntry;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One call's working copy of the state: per slot a {@link SlotState} and, while a sync is in
 * progress, its horizon, bounds and which tables it has caught up. Made from the request's
 * {@link StateSnapshot}; {@link #snapshot()} freezes it for the response.
 */
final class SyncState {
  private Instant horizon;
  private final Set<String> done = new LinkedHashSet<>();
  private final Map<String, Object> bounds = new LinkedHashMap<>();
  private int emptyResponses;
  private final Map<String, TableState> tables = new LinkedHashMap<>();
  private final Map<String, JsonNode> undeclared;
  private boolean tolerant;

  /** One table's declaration as state recorded it, its own slot and its partitions' slots. */
  private static final class TableState {
    final String cursorColumn;
    final ValueType cursorType;
    final String tiebreakerColumn;
    final ValueType tiebreakerType;
    SlotState top;
    final LinkedHashMap<String, SlotState> partitions = new LinkedHashMap<>();
    /** Full-refresh and lookback tables: what was delivered; null while it keeps none. */
    Digest digest;
    List<String> digestKey;

    TableState(String cursorColumn, ValueType cursorType, String tiebreakerColumn,
        ValueType tiebreakerType, SlotState top) {
      this.cursorColumn = cursorColumn;
      this.cursorType = cursorType;
      this.tiebreakerColumn = tiebreakerColumn;
      this.tiebreakerType = tiebreakerType;
      this.top = top;
    }

    static TableState fresh(Table t) {
      return new TableState(t.cursorColumn().orElse(null), t.cursorType(), t.tiebreakerColumn(),
          t.tiebreakerType(), SlotState.table(null, null, null, null));
    }

    /** True if the table's entry is not written (no position, no partition with one, no digest). */
    boolean isEmpty() {
      if (digest != null && !digest.isEmpty()) {
        return false;
      }
      if (top.position() != null || top.reread() != null || top.childrenOf() != null
          || top.tail() != null) {
        return false;
      }
      for (SlotState s : partitions.values()) {
        if (s.position() != null) {
          return false;
        }
      }
      return true;
    }

    TableEntry entry() {
      Map<String, Position> parts = new LinkedHashMap<>();
      partitions.forEach((k, s) -> {
        if (s.position() != null) {
          parts.put(k, s.position());
        }
      });
      StateSnapshot.DigestEntry d = digest == null ? null
          : new StateSnapshot.DigestEntry(digestKey, digest.delivered(), digest.seen());
      return new TableEntry(cursorColumn, cursorType, tiebreakerColumn, tiebreakerType,
          top.position(), top.reread(), top.childrenOf(), top.tail(), parts, d);
    }
  }

  private SyncState(StateSnapshot s) {
    horizon = s.horizon();
    done.addAll(s.done());
    bounds.putAll(s.bounds());
    emptyResponses = s.emptyResponses();
    undeclared = new LinkedHashMap<>(s.undeclared());
    s.tables().forEach((name, e) -> {
      TableState ts = new TableState(e.cursorColumn(), e.cursorType(), e.tiebreakerColumn(),
          e.tiebreakerType(), SlotState.table(e.position(), e.reread(), e.tail(), e.childrenOf()));
      e.partitions().forEach((k, p) -> ts.partitions.put(k, SlotState.partition(p)));
      if (e.digest() != null) {
        ts.digest = new Digest(e.digest().delivered(), e.digest().seen());
        ts.digestKey = e.digest().key();
      }
      tables.put(name, ts);
    });
  }

  static SyncState from(StateSnapshot snapshot) {
    return new SyncState(snapshot);
  }

  /** The state as it stands, frozen for encoding. */
  StateSnapshot snapshot() {
    Map<String, TableEntry> entries = new LinkedHashMap<>();
    tables.forEach((name, ts) -> entries.put(name, ts.entry()));
    return new StateSnapshot(horizon, new ArrayList<>(done), bounds, emptyResponses, entries,
        undeclared);
  }

  boolean inSync() {
    return horizon != null;
  }

  /**
   * A sync begins at {@code horizon}: full-refresh tables start over, incremental ones keep
   * their positions (re-reading behind them by their lookback).
   */
  void startSync(Instant horizon, Schema schema) {
    resetSync(horizon, schema, (t, slot) -> slot.startSync(t));
  }

  /**
   * Every top-level table caught up: the sync ends, only positions stay, and each digest's pass
   * is complete (what this sync met is what the destination holds).
   */
  void finishSync(Schema schema) {
    for (Table t : schema.tables()) {
      TableState ts = tables.get(t.name());
      if (ts != null && ts.digest != null && t.parent().isEmpty()) {
        ts.digest.passComplete(); // a child table's digest has no passes
      }
    }
    resetSync(null, schema, (t, slot) -> slot.endSync());
  }

  /**
   * Clears the sync block, starts full-refresh tables over (keeping only their digests) and
   * resets each incremental table's slot.
   */
  private void resetSync(Instant horizon, Schema schema, BiConsumer<Table, SlotState> reset) {
    this.horizon = horizon;
    done.clear();
    bounds.clear();
    emptyResponses = 0;
    for (Table t : schema.tables()) {
      TableState ts = tables.get(t.name());
      if (ts != null && !t.isIncremental()) {
        if (ts.digest == null || ts.digest.isEmpty()) {
          tables.remove(t.name());
        } else {
          ts.top = SlotState.table(null, null, null, null);
          ts.top.beginCall(tolerant);
          ts.partitions.clear();
        }
      } else if (ts != null) {
        reset.accept(t, ts.top);
      }
    }
  }

  /**
   * The table's digest, made empty on first use; null if {@code t} keeps none: only top-level
   * full-refresh tables and tables with a lookback do, and only with {@code maxDigestRows} above 0.
   */
  Digest digest(Table t, int maxDigestRows) {
    if (maxDigestRows <= 0 || t.parent().isPresent()
        || (t.isIncremental() && t.lookback().isZero() && t.lookbackValues() == 0)) {
      return null;
    }
    TableState ts = table(t);
    if (ts.digest == null) {
      ts.digest = Digest.empty();
      ts.digestKey = t.primaryKey();
    }
    return ts.digest;
  }

  /**
   * A child table's digest: the children of partitions forgotten over the cap. Null if it keeps
   * none and {@code create} is false. It has no passes: entries stay until the bound or the
   * state's cap forgets them, oldest first.
   */
  Digest childDigest(Table t, int maxDigestRows, boolean create) {
    if (maxDigestRows <= 0 || t.parent().isEmpty()) {
      return null;
    }
    TableState ts = create ? table(t) : tables.get(t.name());
    if (ts == null) {
      return null;
    }
    if (ts.digest == null && create) {
      ts.digest = Digest.empty();
      ts.digestKey = t.primaryKey();
    }
    return ts.digest;
  }

  /** The digest as it stands, without making one. */
  Digest existingDigest(String table) {
    TableState ts = tables.get(table);
    return ts == null ? null : ts.digest;
  }

  /** A call begins, every slot keeping the positions it passes (see {@link #beginCall(boolean)}). */
  void beginCall() {
    beginCall(true);
  }

  /**
   * A call begins: every slot remembers where it stands (see {@link SlotState#beginCall}).
   *
   * @param tolerant rows may come out of order (tolerant mode): slots keep the positions they
   *     pass, so a rollback can return to one; slots created later this call do too
   */
  void beginCall(boolean tolerant) {
    this.tolerant = tolerant;
    for (TableState ts : tables.values()) {
      ts.top.beginCall(tolerant);
      ts.partitions.values().forEach(p -> p.beginCall(tolerant));
    }
  }

  /** The connector's visibility horizon for a number or string cursor, for this sync. */
  void bound(Table t, Object value) {
    bounds.put(t.name(), value);
  }

  /**
   * The exclusive upper bound on the table's cursor this sync reads to; null when unbounded
   * (full refresh, a number or string cursor without a visibility horizon, between syncs).
   */
  Object upTo(Table t) {
    if (!t.isIncremental() || horizon == null) {
      return null;
    }
    return switch (t.cursorType()) {
      case TIMESTAMP -> horizon;
      // A date cursor never syncs a day before it is over: rows dated the horizon's day wait.
      case DATE -> LocalDate.ofInstant(horizon, ZoneOffset.UTC);
      // Number and string cursors: the connector's visibility horizon, if it gave one.
      case NUMBER, STRING -> bounds.get(t.name());
    };
  }

  boolean isDone(String table) {
    return done.contains(table);
  }

  void markDone(String table) {
    done.add(table);
  }

  /**
   * Counts a response with or without rows. True when this one makes more than
   * {@code maxEmpty} empty responses in a row: the sync pauses and the count starts again.
   */
  boolean pausesAfter(boolean empty, int maxEmpty) {
    if (!empty) {
      emptyResponses = 0;
      return false;
    }
    emptyResponses++;
    if (emptyResponses > maxEmpty) {
      emptyResponses = 0;
      return true;
    }
    return false;
  }

  /** The table's committed position, without creating its state. */
  Optional<Position> position(Table t) {
    TableState ts = tables.get(t.name());
    return Optional.ofNullable(ts == null ? null : ts.top.position());
  }

  /** A top-level table's slot. */
  SlotState slot(Table t) {
    return table(t).top;
  }

  /** One partition's slot; a parent not read before has no position. */
  SlotState partition(Table child, String parentKey) {
    return table(child).partitions.computeIfAbsent(parentKey, k -> {
      SlotState s = SlotState.partition(null);
      s.beginCall(tolerant);
      return s;
    });
  }

  private TableState table(Table t) {
    return tables.computeIfAbsent(t.name(), n -> {
      TableState ts = TableState.fresh(t);
      ts.top.beginCall(tolerant);
      return ts;
    });
  }

  /** Forgets a partition's position: its children are read from the start next time. */
  void forget(Slot slot) {
    TableState ts = tables.get(slot.table());
    if (ts != null) {
      ts.partitions.remove(slot.partition());
    }
  }

  /** Drops a partition slot that never got a position (a parent without children). */
  void dropIfEmpty(Slot slot) {
    TableState ts = tables.get(slot.table());
    if (ts != null && ts.partitions.containsKey(slot.partition())
        && ts.partitions.get(slot.partition()).position() == null) {
      ts.partitions.remove(slot.partition());
    }
  }

  int partitionCount(String table) {
    TableState ts = tables.get(table);
    return ts == null ? 0 : ts.partitions.size();
  }

  /**
   * Removes finished child positions, oldest first, until the encoded state is at most
   * {@code target} bytes; never a partition being read right now. Returns the tables that
   * forgot some.
   */
  List<String> forgetFinishedPartitions(Schema schema, StateCodec codec, long target) {
    long size = codec.size(snapshot());
    List<String> forgetful = new ArrayList<>();
    for (Table t : schema.tables()) {
      TableState ts = tables.get(t.name());
      if (ts == null) {
        continue;
      }
      Map<String, SlotState> parts = ts.partitions;
      int positioned = (int) parts.values().stream().filter(s -> s.position() != null).count();
      // Exact: a forgotten entry also changes the differences of the entry after it.
      PartitionBlock.Walk walk = codec.partitionWalk(ts.cursorColumn == null ? null : ts.cursorType,
          ts.tiebreakerType, positioned);
      int forgotten = 0;
      boolean justDropped = false; // then the next entry's differences change: count it too
      for (Iterator<Map.Entry<String, SlotState>> it = parts.entrySet().iterator();
          (size > target || justDropped) && it.hasNext(); ) {
        Map.Entry<String, SlotState> e = it.next();
        Position p = e.getValue().position();
        if (p == null) {
          continue; // not in the state
        }
        size += walk.shift(p);
        justDropped = size > target && !e.getValue().isBeingRead();
        if (justDropped) {
          size -= walk.drop(e.getKey());
          it.remove();
          forgotten++;
        } else {
          walk.keep(p);
        }
      }
      if (forgotten > 0) {
        forgetful.add(t.name());
      }
    }
    return forgetful;
  }

  /**
   * Forgets digest entries, oldest first and from the largest digest first, until the encoded
   * state is at most {@code target} bytes: those rows are sent again the next time they are read
   * (re-sends, never skipped rows). Returns the tables that forgot some.
   */
  List<String> shedDigests(Schema schema, StateCodec codec, long target) {
    long size = codec.size(snapshot());
    List<String> forgetful = new ArrayList<>();
    List<Table> byDigestSize = new ArrayList<>(schema.tables());
    byDigestSize.sort((a, b) -> Integer.compare(digestSize(b.name()), digestSize(a.name())));
    for (Table t : byDigestSize) {
      Digest d = existingDigest(t.name());
      if (size <= target || d == null || d.isEmpty()) {
        continue;
      }
      size -= d.shed(size - target);
      forgetful.add(t.name());
    }
    return forgetful;
  }

  private int digestSize(String table) {
    Digest d = existingDigest(table);
    return d == null ? 0 : d.size();
  }

  /**
   * Bytes the sync block and table entries not yet in the state can add to it, beyond their
   * positions (which {@link Budget#allow} covers).
   */
  long fixedAllowance(Schema schema) {
    // "sync":{"horizon":…,"done":[],"empty_responses":…}, or the growth of its counter
    long n = inSync() ? 16 : 128;
    for (Table t : schema.tables()) {
      if (!done.contains(t.name())) {
        n += t.name().length() * 2L + 8; // its name in sync.done
      }
      TableState ts = tables.get(t.name());
      if (ts == null || ts.isEmpty()) {
        // Not in the encoded state yet: its entry, with an empty partition block's framing.
        n += t.name().length() * 2L + 8 // as a key of tables
            + t.cursorColumn().map(String::length).orElse(0) + t.tiebreakerColumn().length() + 192;
      }
      if (t.parent().isEmpty() && (ts == null || ts.digest == null || ts.digest.isEmpty())) {
        n += StateCodec.digestOverhead(t); // a digest's first entry brings its members
      }
    }
    return n;
  }
}
