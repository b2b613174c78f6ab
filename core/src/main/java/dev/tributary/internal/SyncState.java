package dev.tributary.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.Position;
import dev.tributary.Table;
import dev.tributary.ValueType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The decoded {@code state}: per-table positions and, while a sync is in progress, its horizon
 * and which tables it has caught up. Mutable working copy for one call; the call's response
 * carries its encoding.
 */
public final class SyncState {
  /** The current state format version; see {@link StateCodec} for migrations. */
  public static final int VERSION = 1;

  /** The in-progress sync's horizon (exclusive upper bound on cursors); null between syncs. */
  Instant horizon;
  /** Top-level tables this sync has caught up to the horizon. */
  final Set<String> done = new LinkedHashSet<>();
  /**
   * Per top-level table with a number or string cursor: the visibility horizon the connector
   * gave for this sync (exclusive, normalised). Absent: unbounded.
   */
  final Map<String, Object> bounds = new LinkedHashMap<>();
  /** Consecutive responses of this sync without rows. */
  int emptyResponses;
  /** Declared tables' state. */
  final Map<String, TableState> tables = new LinkedHashMap<>();
  /** State of tables the schema no longer declares, kept as it was (an operator may re-add them). */
  final Map<String, JsonNode> undeclared = new LinkedHashMap<>();

  boolean inSync() {
    return horizon != null;
  }

  TableState table(Table t) {
    return tables.computeIfAbsent(t.name(), n -> TableState.fresh(t));
  }

  /** One table's state. */
  static final class TableState {
    String cursorColumn;
    ValueType cursorType;
    String tiebreakerColumn;
    ValueType tiebreakerType;
    /** The committed position: everything at or before it has been delivered. Never moves back. */
    Position position;
    /** While a lookback pass is in progress: where reading resumes (behind {@link #position}). */
    Position reread;
    /**
     * While this sync reads the rows whose cursor is +infinity (after every finite value, so
     * beyond every horizon): the last of them delivered. Such rows are delivered once per sync
     * and the position never reaches them; cleared when the sync ends.
     */
    Position tail;
    /** A parent row already delivered whose children are still being read. */
    Position childrenOf;
    /** Child tables: position per parent key (canonical JSON of the parent's primary key). */
    final LinkedHashMap<String, Position> partitions = new LinkedHashMap<>();

    static TableState fresh(Table t) {
      TableState s = new TableState();
      s.cursorColumn = t.cursorColumn().orElse(null);
      s.cursorType = t.cursorType();
      s.tiebreakerColumn = t.tiebreakerColumn();
      s.tiebreakerType = t.tiebreakerType();
      return s;
    }

    /** Where the next top-level read resumes. */
    Position readPoint() {
      return tail != null ? tail : reread != null ? reread : position;
    }

    boolean isEmpty() {
      return position == null && reread == null && tail == null && childrenOf == null
          && partitions.isEmpty();
    }
  }
}
