package dev.tributary.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.Position;
import dev.tributary.ValueType;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code state} a response carries, frozen: what {@link StateCodec} reads and writes. The
 * engine works on a {@link SyncState} made from it and takes a new snapshot to answer.
 *
 * @param horizon the in-progress sync's horizon (exclusive upper bound on cursors); null between
 *     syncs
 * @param done top-level tables this sync has caught up to the horizon
 * @param bounds per top-level table with a number or string cursor, the visibility horizon the
 *     connector gave for this sync (exclusive, normalised); absent: unbounded
 * @param emptyResponses consecutive responses of this sync without rows
 * @param tables declared tables' state, in declaration order
 * @param undeclared state of tables the schema no longer declares, kept as it was (an operator
 *     may re-add them)
 */
record StateSnapshot(
    Instant horizon,
    List<String> done,
    Map<String, Object> bounds,
    int emptyResponses,
    Map<String, TableEntry> tables,
    Map<String, JsonNode> undeclared) {

  /** The current state format version; see {@link StateCodec} for migrations. */
  static final int VERSION = 2;

  StateSnapshot {
    done = List.copyOf(done);
    bounds = frozen(bounds);
    tables = frozen(tables);
    undeclared = frozen(undeclared);
  }

  boolean inSync() {
    return horizon != null;
  }

  /**
   * One table's entry: its declaration (a change of it restarts the table) and positions.
   *
   * @param partitions child tables: position per parent key (canonical JSON of the parent's
   *     primary key), oldest first
   * @param digest full-refresh and lookback tables: per key, the hash of the row last delivered
   *     ({@link Digest}); null when the table keeps none
   */
  record TableEntry(
      String cursorColumn,
      ValueType cursorType,
      String tiebreakerColumn,
      ValueType tiebreakerType,
      Position position,
      Position reread,
      Position childrenOf,
      Position tail,
      Map<String, Position> partitions,
      DigestEntry digest) {

    TableEntry {
      partitions = frozen(partitions);
    }

    /** An entry without a digest. */
    TableEntry(String cursorColumn, ValueType cursorType, String tiebreakerColumn,
        ValueType tiebreakerType, Position position, Position reread, Position childrenOf,
        Position tail, Map<String, Position> partitions) {
      this(cursorColumn, cursorType, tiebreakerColumn, tiebreakerType, position, reread,
          childrenOf, tail, partitions, null);
    }

    boolean isEmpty() {
      return position == null && reread == null && tail == null && childrenOf == null
          && partitions.isEmpty() && (digest == null || digest.isEmpty());
    }
  }

  /**
   * A table's delivered digest, frozen.
   *
   * @param key the primary-key columns its keys are values of (a changed key drops it)
   * @param delivered the last complete pass's rows this pass has not met, oldest first
   * @param seen the rows this pass met, oldest first
   */
  record DigestEntry(List<String> key, Map<String, Long> delivered, Map<String, Long> seen) {
    DigestEntry {
      key = List.copyOf(key);
      delivered = frozen(delivered);
      seen = frozen(seen);
    }

    boolean isEmpty() {
      return delivered.isEmpty() && seen.isEmpty();
    }
  }

  /** An unmodifiable copy that keeps the order (state is written in it). */
  private static <V> Map<String, V> frozen(Map<String, V> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
