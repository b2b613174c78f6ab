package dev.tributary.internal;

import dev.tributary.EngineConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What one call may spend, decided once when it begins: the response's bytes and rows, the time
 * until its deadline, and the room its state may take. A sync through cloud storage bounds its
 * object by {@code maxStagedBytes} alone, a direct one its response by {@code maxResponseBytes}
 * and {@code maxRowsPerResponse}.
 *
 * <p>The state's room is kept as a bound: the exact size of the state when the call began (or
 * was last squeezed) plus an allowance per slot for the largest position it has held this call
 * — so the bound only grows, and a response built under it always has room for its state.
 *
 * <p>Also records why the call stopped (the first budget reached) and what it spent.
 */
final class Budget {
  private final boolean staged;
  private final long maxBytes;
  private final int maxRows;
  private final int pageSize;
  private final long maxStateBytes;
  private final Instant stopAt;
  private final Clock clock;

  private long stateBase;
  private final Map<Slot, Long> allowances = new HashMap<>();
  private long allowanceTotal;
  /** The slot last allowed for, and the position size it was allowed. */
  private Slot lastSlot;
  private int lastPositionBytes;
  private StopReason stop;
  private int reads;
  private long dropped;
  private long unchanged;

  private Budget(EngineConfig config, boolean staged, Instant deadline) {
    this.staged = staged;
    this.maxBytes = staged ? config.maxStagedBytes() : config.maxResponseBytes();
    // The row cap is the direct response's: a staged object is bounded by its bytes alone.
    this.maxRows = staged ? Integer.MAX_VALUE : config.maxRowsPerResponse();
    this.pageSize = config.pageSize();
    this.maxStateBytes = config.maxStateBytes();
    this.stopAt = deadline.minus(config.deadlineMargin());
    this.clock = config.clock();
  }

  /**
   * The budget of a call that must answer before {@code deadline} (less the configured margin).
   *
   * @param staged the rows go to cloud storage rather than into the response
   */
  static Budget forCall(EngineConfig config, boolean staged, Instant deadline) {
    return new Budget(config, staged, deadline);
  }

  boolean staged() {
    return staged;
  }

  /** The most bytes the response (or, staged, the object holding the rows) may take. */
  long maxBytes() {
    return maxBytes;
  }

  int maxRows() {
    return maxRows;
  }

  /** The rows a read asks for: the least a call expects to hold. */
  int pageSize() {
    return pageSize;
  }

  long maxStateBytes() {
    return maxStateBytes;
  }

  /** When reading must stop: the deadline less the margin. */
  Instant stopAt() {
    return stopAt;
  }

  boolean timeUp() {
    return !clock.instant().isBefore(stopAt);
  }

  /** True until something stopped the call. */
  boolean running() {
    return stop == null;
  }

  /** Stops the call; the first reason given is the one reported. */
  void stop(StopReason reason) {
    if (stop == null) {
      stop = reason;
    }
  }

  /** Why the call stopped; null if nothing did (every table was caught up or paused). */
  StopReason stopReason() {
    return stop;
  }

  void countRead() {
    reads++;
  }

  int reads() {
    return reads;
  }

  /** A row at or before the read position that an inclusive source sent again. */
  void countDropped() {
    dropped++;
  }

  /** A row the destination already holds as it is: moved past, not sent. */
  void countUnchanged() {
    unchanged++;
  }

  long unchanged() {
    return unchanged;
  }

  /**
   * The state grows by {@code bytes} (a digest entry): true, and counted, if it still fits
   * maxStateBytes; false (nothing counted) if not.
   */
  boolean growState(long bytes) {
    if (!stateFits(stateBound() + bytes)) {
      return false;
    }
    stateBase += bytes;
    return true;
  }

  long dropped() {
    return dropped;
  }

  /**
   * Starts the state's accounting from its exact size: {@code stateBytes} now, plus
   * {@code fixed} for the entries the call may still add beyond positions.
   */
  void measureState(long stateBytes, long fixed) {
    stateBase = stateBytes + fixed;
    allowances.clear();
    allowanceTotal = 0;
    lastSlot = null;
  }

  /**
   * Grows the allowance for {@code slot} so it covers a position of {@code positionBytes} (a
   * top-level slot in each of its four position fields, plus its key). Returns the bound on the
   * state's size.
   */
  long allow(Slot slot, int positionBytes) {
    if (slot == lastSlot && positionBytes <= lastPositionBytes) {
      return stateBound(); // row after row of one slot: nothing grows
    }
    lastSlot = slot;
    lastPositionBytes = positionBytes;
    // A top-level slot may hold position, reread_after, children_of and tail_after at once; a
    // partition only its position and key in its table's partition block, where its change may
    // also lengthen the next entry's differences (PartitionBlock.SLACK_PER_ENTRY).
    long need = slot.isPartition()
        ? positionBytes + PartitionBlock.keyBytesBound(slot.partition()) + 8
            + PartitionBlock.SLACK_PER_ENTRY
        : 4L * positionBytes + 64;
    Long had = allowances.get(slot);
    if (had == null || need > had) {
      allowances.put(slot, need);
      allowanceTotal += need - (had == null ? 0 : had);
    }
    return stateBound();
  }

  /** The bound on the state's size as the call stands. */
  long stateBound() {
    return stateBase + allowanceTotal;
  }

  /** True if a state of {@code bytes} fits maxStateBytes. */
  boolean stateFits(long bytes) {
    return bytes <= maxStateBytes;
  }

  /**
   * The target a squeeze of the state aims for: an eighth under the cap, less the fixed
   * allowance and what {@code slot} needs for a position of {@code positionBytes}.
   */
  long squeezeTarget(Slot slot, long fixed, int positionBytes) {
    long need = 4L * positionBytes + 64 + (slot.isPartition()
        ? PartitionBlock.keyBytesBound(slot.partition()) + PartitionBlock.SLACK_PER_ENTRY : 0);
    return maxStateBytes - maxStateBytes / 8 - fixed - need;
  }

  /**
   * Why a single row cannot go in any response of this call, and which setting to change: the
   * staged object's limit on a sync through cloud storage, the response's otherwise.
   */
  String rowTooLarge(long rowBytes, String table, String key) {
    String where = "row of " + rowBytes + " bytes in table " + table + " (primary key " + key + ")";
    if (staged) {
      return where + " does not fit in maxStagedBytes (" + maxBytes + ") with the object's"
          + " framing; set TRIBUTARY_MAX_STAGED_BYTES higher or leave large columns out of the row";
    }
    return where + " does not fit in maxResponseBytes (" + maxBytes + ") with the response's"
        + " schema and state; set TRIBUTARY_MAX_RESPONSE_BYTES higher (sync through S3 on AWS) or"
        + " leave large columns out of the row";
  }

  /**
   * Checks the finished response's size against the byte budget.
   *
   * @throws IllegalStateException if it is over: the accounting has a bug
   */
  void checkFinished(long size) {
    if (size > maxBytes) {
      throw new IllegalStateException("internal: " + size + " bytes would exceed the budget of "
          + maxBytes);
    }
  }
}
