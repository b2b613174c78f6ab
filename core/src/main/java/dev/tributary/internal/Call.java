package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
  private final Json json;
  /** Rows per table a digest remembers (0: none). */
  private final int maxDigestRows;
  /** Where a row is written to learn its hash. */
  private final Scratch scratch = new Scratch();
  private JsonGenerator scratchGen;
  /** Keys and hashes a partition being read delivered; null while none is noted. */
  private Map<String, Long> partitionRows;

  /** A byte buffer whose bytes can be read in place. */
  private static final class Scratch extends ByteArrayOutputStream {
    Scratch() {
      super(512);
    }

    byte[] bytes() {
      return buf;
    }
  }

  Call(Schema schema, StateCodec codec, SyncState state, Secrets secrets, Budget budget,
      Json json, ChunkPool chunks, int maxDigestRows) {
    this.json = json;
    this.maxDigestRows = maxDigestRows;
    this.schema = schema;
    this.codec = codec;
    this.state = state;
    this.secrets = secrets;
    this.budget = budget;
    this.response = new ResponseBuilder(json, schema, budget.staged(), budget.maxBytes(),
        budget.maxRows(), chunks);
    this.keys = new KeySet(Math.min(budget.pageSize(), budget.maxRows()));
  }

  // ---------------------------------------------------------------------------------------------
  // The delivered digest: rows the destination already holds are not sent again.

  /** The table's digest; null if it keeps none (see {@link SyncState#digest}). */
  Digest digest(Table t) {
    return state.digest(t, maxDigestRows);
  }

  /** The canonical JSON of the row's primary-key values, {@code [v1, v2]}: a digest's key. */
  String keyJson(Table t, Row row) {
    return keyJson(json, t, row);
  }

  static String keyJson(Json json, Table t, Row row) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = json.factory().createGenerator(out)) {
      g.writeStartArray();
      for (String pk : t.primaryKey()) {
        RowJson.writeValue(g, row.get(pk), pk);
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The {@link RowHash} of the row as the response carries it. */
  long rowHash(Row row) {
    scratch.reset();
    try {
      if (row.isSourceJson()) {
        row.writeSourceJsonTo(scratch);
      } else {
        if (scratchGen == null) {
          scratchGen = json.factory().createGenerator(scratch);
          scratchGen.setRootValueSeparator(null);
        }
        RowJson.writeRow(scratchGen, row.values());
        scratchGen.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return RowHash.of(scratch.bytes(), 0, scratch.size());
  }

  /** The digest of a child table, if it keeps one (its partitions went over the cap). */
  Digest childDigest(Table t) {
    return state.childDigest(t, maxDigestRows, false);
  }

  /** Starts (or stops) noting what the partition being read delivers. */
  void partitionRows(boolean note) {
    partitionRows = note && maxDigestRows > 0 ? new LinkedHashMap<>() : null;
  }

  boolean notingPartitionRows() {
    return partitionRows != null;
  }

  /** The partition being read delivered (or found unchanged) {@code key} as {@code hash}. */
  void partitionRow(String key, long hash) {
    partitionRows.put(key, hash);
  }

  /** The partition being read sent a delete of {@code key}. */
  void partitionDelete(String key) {
    partitionRows.remove(key);
  }

  /** The partition just read is forgotten: its children go in the child table's digest. */
  void rememberPartitionRows(Table child) {
    if (partitionRows == null || partitionRows.isEmpty()) {
      return;
    }
    Digest existing = state.childDigest(child, maxDigestRows, false);
    if ((existing == null || existing.isEmpty())
        && !budget.growState(StateCodec.digestOverhead(child))) {
      return; // no room even for the digest's frame: these children are re-sent when re-read
    }
    Digest d = state.childDigest(child, maxDigestRows, true);
    partitionRows.forEach((key, hash) -> remember(child, d, key, hash));
  }

  /**
   * The row is in the destination as it is: the slot moves past it without sending it. False
   * if the deadline or the state's room stops the call first.
   */
  boolean passUnchanged(Slot slot, Position rp) {
    if (budget.timeUp()) {
      budget.stop(StopReason.DEADLINE);
      return false;
    }
    if (!budget.stateFits(stateBoundWith(slot, codec.positionBytes(rp)))) {
      budget.stop(StopReason.STATE_BUDGET);
      return false;
    }
    budget.countUnchanged();
    return true;
  }

  /**
   * The destination now holds {@code key} as {@code hash} (sent in this response, or found
   * unchanged). Forgotten instead when the state has no room for one more entry: the row is then
   * sent again the next time it is read.
   */
  void remember(Table t, Digest d, String key, long hash) {
    long before = d.forgotten();
    long growth = d.met(key, hash, maxDigestRows);
    if (growth > 0 && !budget.growState(growth)) {
      d.forget(key);
      notices.add("state near maxStateBytes (" + budget.maxStateBytes() + "): table " + t.name()
          + " remembers no more of the rows it delivers; the others are sent again each sync"
          + " (raise TRIBUTARY_MAX_STATE_BYTES, or lower TRIBUTARY_MAX_DIGEST_ROWS)");
    } else if (d.forgotten() > before) {
      notices.add("table " + t.name() + " has more than " + maxDigestRows + " rows to remember"
          + " (TRIBUTARY_MAX_DIGEST_ROWS): the oldest are forgotten and sent again the next time"
          + " they are read" + (t.isDeleteMissing() ? ", and their deletes are not found" : ""));
    }
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
    List<String> digests = state.shedDigests(schema, codec, target);
    for (String table : digests) {
      notices.add("state near maxStateBytes (" + budget.maxStateBytes() + "): table " + table
          + " forgets some of the rows it delivered; they are sent again the next time they are"
          + " read" + (schema.table(table).map(Table::isDeleteMissing).orElse(false)
              ? ", and their deletes are not found" : "")
          + " (raise TRIBUTARY_MAX_STATE_BYTES, or lower TRIBUTARY_MAX_DIGEST_ROWS)");
    }
    return !tables.isEmpty() || !digests.isEmpty();
  }

  ConnectorFailure stateTooLarge(long bytes) {
    return new ConnectorFailure("state of " + bytes + " bytes exceeds maxStateBytes ("
        + budget.maxStateBytes() + ") even without the positions of finished child partitions and the rows tables remember delivering; "
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
