package dev.tributary.internal;

import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One call's working set — the state being advanced, the response being filled, its budget —
 * and the one way a row gets into the response: {@link #emit}.
 */
final class Call {
  final Schema schema;
  final StateCodec codec;
  final SyncState state;
  final Secrets secrets;
  final Budget budget;
  final ResponseBuilder response;
  /** Primary keys already in this response (hashed): each key goes in a response once. */
  final KeySet keys;
  final Set<String> notices = new LinkedHashSet<>();

  Call(Schema schema, StateCodec codec, SyncState state, Secrets secrets, Budget budget,
      Json json, ChunkPool chunks) {
    this.schema = schema;
    this.codec = codec;
    this.state = state;
    this.secrets = secrets;
    this.budget = budget;
    this.response = new ResponseBuilder(json, schema, budget.staged(), budget.maxBytes(),
        budget.maxRows(), chunks);
    this.keys = new KeySet(Math.min(budget.pageSize(), budget.maxRows()));
  }

  /** Starts the state's accounting from its exact size as it stands. */
  void measureState() {
    budget.measureState(codec.size(state.snapshot()), state.fixedAllowance(schema));
  }

  /**
   * Adds a row to the response; false if the deadline, a repeated key or a budget stops the
   * call first (the row then goes in a later response).
   *
   * @throws ConnectorFailure the row cannot fit in any response, or the state cannot hold
   *     even the first row's position
   */
  boolean emit(Table t, Slot slot, Row row, Position rp) {
    return emit(t, slot, row, rp, KeySet.keyHash(t, row));
  }

  /** {@link #emit(Table, Slot, Row, Position)} with the row's {@link KeySet#keyHash} known. */
  boolean emit(Table t, Slot slot, Row row, Position rp, long key) {
    if (budget.timeUp()) {
      budget.stop(StopReason.DEADLINE);
      return false;
    }
    // Added now, though the row may yet be refused: a refused row stops the call, so no later
    // row of this call meets its key.
    if (!keys.add(key)) {
      // Fivetran applies a response's inserts and deletes in no defined order: a key the response
      // already carries goes in the next one (the position stays before this row).
      budget.stop(StopReason.REPEATED_KEY);
      return false;
    }
    long stateBound = stateBoundWith(slot, codec.positionBytes(rp));
    if (!budget.stateFits(stateBound)) {
      budget.stop(StopReason.STATE_BUDGET);
      return false;
    }
    switch (response.add(t, row, stateBound)) {
      case OK -> {
        return true;
      }
      case OVER_BYTES -> {
        if (response.rows() == 0) {
          throw new ConnectorFailure(budget.rowTooLarge(response.lastRowBytes(), t.name(),
              keyOf(t, row)));
        }
        budget.stop(StopReason.BYTE_BUDGET);
      }
      case OVER_ROWS -> budget.stop(StopReason.ROW_BUDGET);
    }
    return false;
  }

  /**
   * The bound on the state with {@code slot} holding a position of {@code positionBytes}. Over
   * maxStateBytes, forgets finished child positions until the state is well under the cap and
   * measures it again.
   *
   * @throws ConnectorFailure if even the response's first row leaves the state over the cap
   */
  private long stateBoundWith(Slot slot, int positionBytes) {
    long bound = budget.allow(slot, positionBytes);
    if (budget.stateFits(bound)) {
      return bound;
    }
    long fixed = state.fixedAllowance(schema);
    forgetFinishedPartitions(budget.squeezeTarget(slot, fixed, positionBytes));
    measureState();
    bound = budget.allow(slot, positionBytes);
    if (!budget.stateFits(bound) && response.rows() == 0) {
      throw stateTooLarge(bound);
    }
    return bound;
  }

  /**
   * Forgets finished child positions, oldest first, until the encoded state is at most
   * {@code target} bytes: their children are re-read from the start when the parent next comes
   * round (re-reads, never lost rows). True if any was forgotten.
   */
  boolean forgetFinishedPartitions(long target) {
    List<String> tables = state.forgetFinishedPartitions(schema, codec, target);
    for (String table : tables) {
      notices.add("state near maxStateBytes (" + budget.maxStateBytes() + "): table " + table
          + " forgets the positions of finished parents; their children are re-read when the"
          + " parent next comes round (raise TRIBUTARY_MAX_STATE_BYTES to avoid it)");
    }
    return !tables.isEmpty();
  }

  ConnectorFailure stateTooLarge(long bytes) {
    return new ConnectorFailure("state of " + bytes + " bytes exceeds maxStateBytes ("
        + budget.maxStateBytes() + ") even without the positions of finished child partitions; "
        + codec.largestEntry(state.snapshot()) + " takes the most: raise"
        + " TRIBUTARY_MAX_STATE_BYTES, or remove that entry through Fivetran's state API if it is"
        + " no longer needed");
  }

  /** The row's primary key as {@code {column=value}}, for errors about that row. */
  static String keyOf(Table t, Row row) {
    Map<String, Object> key = new LinkedHashMap<>();
    for (String pk : t.primaryKey()) {
      key.put(pk, row.get(pk));
    }
    return key.toString();
  }
}
