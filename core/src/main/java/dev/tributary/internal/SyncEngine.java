package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.CallContext;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.OrderCheck;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.StagingStore;
import dev.tributary.Table;
import dev.tributary.TableOrder;
import dev.tributary.TableRead;
import dev.tributary.TransientFailure;
import dev.tributary.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs one sync call: decodes state, fixes the horizon on a sync's first call, asks the connector
 * for pages, streams rows into the response until a budget is reached, and answers with a state
 * that is a consistent checkpoint of exactly the rows sent.
 *
 * <p>The loop is plan, read, process, emit: {@link SyncState} and {@link SlotState} keep the
 * positions and their rules (a position only moves forward, and only past rows that are in this
 * response or an earlier accepted one), {@link PageProcessor} takes a page into the response and
 * {@link Budget} says when the call must stop (bytes, rows, time, state). Reads stay below the
 * horizon fixed before the sync's first read; no response says {@code hasMore: true} without
 * rows more than {@code maxEmptyResponses} times in a row.
 *
 * <p>Thread-safe: each call works on its own decoded state and response; nothing of a call
 * outlives it. Concurrent calls are as safe as the connector is.
 */
public final class SyncEngine {
  /** How far a page may grow past the configured size to get through a tie (inclusive sources). */
  private static final int MAX_PAGE_GROWTH = 64;

  private final Connector connector;
  private final EngineConfig config;
  private final Json json;
  /** Asked on a sync through cloud storage only; answers null if this function cannot do that. */
  private final Supplier<StagingStore> staging;
  /** Full-size chunks of direct responses, from one call for the next. */
  private final ChunkPool chunks;

  /** What a completed call did, for the call log. */
  public record Summary(
      boolean hasMore,
      StopReason stopReason,
      int rows,
      long responseBytes,
      int reads,
      long droppedRows,
      long unchangedRows,
      Map<String, TableCounts> perTable,
      List<String> notices) {}

  /** One table's part of a response: rows inserted or updated, deletes, and their bytes. */
  public record TableCounts(long rows, long deletes, long bytes) {}

  /**
   * A call's finished response, not yet written: the rows stay in their table sections until
   * {@link #writeTo} writes them once, straight to the platform's stream (no copy of the whole
   * body in between).
   */
  public interface Body {
    /** The exact number of bytes {@link #writeTo} writes. */
    long size();

    /** Writes the body (again, if asked: it stays where it is until dropped or released). */
    void writeTo(OutputStream out) throws IOException;

    /**
     * The caller has written the body for good: its memory goes back to the engine for the next
     * call, and {@link #writeTo} fails from now on.
     */
    default void release() {}
  }

  /** A completed call: what it did, and the response to send. */
  public record Answer(Summary summary, Body body) {}

  /**
   * @param staging where rows go when a request asks for a sync through cloud storage, asked
   *     only then; it answers null if this function cannot do that
   */
  public SyncEngine(Connector connector, EngineConfig config, Json json,
      Supplier<StagingStore> staging) {
    this.connector = connector;
    this.config = config;
    this.json = json;
    this.staging = staging;
    this.chunks = new ChunkPool(config.maxResponseBytes());
  }

  /**
   * Runs the call; the response is written when the caller writes the answer's body. Fails
   * before anything is written if the request, the state or the connector is at fault.
   *
   * @throws ProtocolFailure the state cannot be read (nothing read, nothing written)
   * @throws SourceFailure the connector's source failed
   * @throws ConnectorFailure the connector broke its contract
   * @throws IOException writing the staged object failed
   */
  public Answer sync(Request request, Instant deadline) throws ProtocolFailure, IOException {
    Budget budget = Budget.forCall(config, stagedTarget(request), deadline);
    Schema schema = schemaFor(request.secrets());
    StateCodec codec = new StateCodec(json, schema);
    StateCodec.Decoded decoded = codec.decode(request.state());
    Call c = new Call(schema, codec, SyncState.from(decoded.state()), request.secrets(), budget,
        json, budget.staged() ? null : chunks, config.maxDigestRows());
    boolean handedOver = false;
    try {
      plan(c);
      readTables(c);
      Answer a = answer(c, request, decoded.notices());
      handedOver = !budget.staged();
      return a;
    } finally {
      if (!handedOver) {
        c.response.discard();
      }
    }
  }

  /**
   * Answers a setup test: no rows, the request's own {@code state} unchanged, {@code hasMore:
   * false}, and the schema (a few hundred bytes, far under Fivetran's 64 KiB limit for it).
   */
  public void writeSetupTestReply(Request request, OutputStream out) throws IOException {
    ByteArrayOutputStream state = new ByteArrayOutputStream();
    try (JsonGenerator g = json.factory().createGenerator(state)) {
      g.writeTree(request.state());
    }
    new ResponseBuilder(json, schemaFor(request.secrets()), false, Long.MAX_VALUE, 1)
        .writeTo(out, state.toByteArray(), false);
  }

  /**
   * This connection's tables: {@link Connector#schema(Secrets)}, checked. Fails as a
   * configuration problem when the secrets cannot describe them.
   */
  private Schema schemaFor(Secrets secrets) {
    Schema schema = connector.schema(secrets);
    if (schema == null) {
      throw new ConnectorFailure("the connector's schema() returned null; return Schema.of(...)");
    }
    return schema;
  }

  /** True for a sync through cloud storage; checks the request and that this function can. */
  private boolean stagedTarget(Request request) throws ProtocolFailure {
    if (request.bucket().isEmpty() && request.file().isEmpty()) {
      return false;
    }
    if (request.bucket().filter(b -> !b.isBlank()).isEmpty()
        || request.file().filter(f -> !f.isBlank()).isEmpty()) {
      throw new ProtocolFailure("a sync through cloud storage needs both bucket and file;"
          + " the request has only " + (request.bucket().isPresent() ? "bucket" : "file"));
    }
    if (staging.get() == null) {
      throw new ConfigurationFailure("the request asks to sync through S3"
          + " (bucket and file) but this function has no StagingStore: add the dependency"
          + " dev.tributary:tributary-aws-lambda-s3 to the function, or switch the connection's"
          + " sync method to direct");
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Plan: the sync's horizon and bounds on its first call; where every slot stands.

  private void plan(Call c) {
    if (!c.state.inSync()) {
      startSync(c);
    }
    // Only tolerant mode rolls back to a position this call passed: only it keeps them.
    c.state.beginCall(config.orderCheck() == OrderCheck.TOLERANT);
    c.measureState();
  }

  private void startSync(Call c) {
    Instant now;
    try {
      now = connector.sourceClock(c.secrets).orElseGet(() -> config.clock().instant());
    } catch (IOException e) {
      throw new SourceFailure(null, e);
    }
    c.state.startSync(now.minus(config.settleLag()), c.schema);
    for (Table t : c.schema.topLevel()) {
      if (t.isIncremental()
          && (t.cursorType() == ValueType.NUMBER || t.cursorType() == ValueType.STRING)) {
        fixVisibilityHorizon(c, t);
      }
    }
  }

  /** Asks the connector where this sync must stop reading a number or string cursor. */
  private void fixVisibilityHorizon(Call c, Table t) {
    Optional<Object> bound;
    try {
      bound = connector.visibilityHorizon(t, c.state.position(t), c.secrets);
    } catch (IOException e) {
      throw new SourceFailure(t.name(), e);
    }
    if (bound == null) {
      throw new ConnectorFailure("visibilityHorizon of table " + t.name()
          + " returned null; return Optional.empty() for no bound");
    }
    if (bound.isPresent()) {
      try {
        c.state.bound(t, t.cursorType().normalize(bound.get()));
      } catch (IllegalArgumentException e) {
        throw new ConnectorFailure("visibilityHorizon of table " + t.name() + " " + e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Read and process: page after page until every table is caught up or a budget stops the call.

  private void readTables(Call c) {
    List<Table> tops = c.schema.topLevel();
    if (config.tableOrder() == TableOrder.SEQUENTIAL) {
      for (Table t : tops) {
        while (c.budget.running() && readable(c, t)) {
          step(c, t);
        }
      }
      return;
    }
    boolean any = true;
    while (c.budget.running() && any) {
      any = false;
      for (Table t : tops) {
        if (c.budget.running() && readable(c, t)) {
          step(c, t);
          any = true;
        }
      }
    }
  }

  private static boolean readable(Call c, Table t) {
    return !c.state.isDone(t.name()) && !c.state.slot(t).isPaused();
  }

  /** Reads one page of a top-level table (larger ones through a tie) and processes it. */
  private void step(Call c, Table t) {
    SlotState s = c.state.slot(t);
    Position from = s.readPoint();
    PageEnd end;
    int pageSize = config.pageSize();
    do {
      if (c.budget.timeUp()) {
        c.budget.stop(StopReason.DEADLINE);
        return;
      }
      Page page = read(c, t, from, null, pageSize);
      if (page == null) {
        return;
      }
      end = new PageProcessor(c, config.orderCheck(), t, Slot.of(t.name()), s, from, page,
          (child, parent, row) -> readChildren(c, child, parent, row)).run();
      pageSize = end == PageEnd.NO_PROGRESS ? grow(t, from, pageSize) : pageSize;
    } while (end == PageEnd.NO_PROGRESS);
    if (end == PageEnd.DONE) {
      if (t.isDeleteMissing() && !deleteMissing(c, t, s)) {
        return; // the call stopped with deletes still to send: the next call sends them
      }
      s.passDone();
      c.state.markDone(t.name());
    } else if (end == PageEnd.PAUSED) {
      s.pause();
    }
  }

  /**
   * The pass over a full-refresh table that declares {@code deleteMissing()} is complete: every
   * key the last complete pass delivered and this one did not meet is gone from the source, and
   * goes out as a delete. False if the call stops first; the next call's pass ends at once (the
   * position is past the last row) and sends the rest.
   */
  private boolean deleteMissing(Call c, Table t, SlotState s) {
    Digest d = c.digest(t);
    if (d == null) {
      return true;
    }
    Slot slot = Slot.of(t.name());
    for (String key : d.missing(Integer.MAX_VALUE)) {
      Row delete = Row.delete(keyValues(t, key));
      if (!c.emit(t, slot, delete, s.position(), KeySet.keyHash(t, delete))) {
        return false;
      }
      d.deleted(key);
    }
    return true;
  }

  /** A digest key (canonical JSON of the primary-key values) back as the values. */
  private Map<String, Object> keyValues(Table t, String key) {
    JsonNode values;
    try {
      values = json.readTree(key.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("internal: digest key " + key + " is not JSON", e);
    }
    if (!values.isArray() || values.size() != t.primaryKey().size()) {
      throw new IllegalStateException("internal: digest key " + key + " does not match "
          + t.primaryKey());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      JsonNode v = values.get(i);
      Object value;
      if (v.isIntegralNumber()) {
        value = v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
      } else if (v.isNumber()) {
        value = v.decimalValue();
      } else if (v.isBoolean()) {
        value = v.booleanValue();
      } else if (v.isNull()) {
        value = null;
      } else if (v.isTextual()) {
        value = v.textValue();
      } else {
        value = v; // a nested key value: written back as the same JSON
      }
      out.put(t.primaryKey().get(i), value);
    }
    return out;
  }

  /**
   * A page held only rows at or before the position: a source that filters {@code cursor >= x}
   * inside a tie larger than the page. Asks again with twice the page, up to a limit.
   */
  private int grow(Table t, Position from, int pageSize) {
    if (pageSize >= (long) config.pageSize() * MAX_PAGE_GROWTH) {
      throw new ConnectorFailure("table " + t.name() + " returned only rows at or before "
          + from + " with hasMore=true, even with a page of " + pageSize + " rows; a read must"
          + " return rows strictly after read.after() (a source that can only filter"
          + " cursor >= value needs a page larger than its largest tie: raise TRIBUTARY_PAGE_SIZE)");
    }
    return pageSize * 2;
  }

  /**
   * One read; null when the source is temporarily unavailable after this call already has rows,
   * which then stops the call with what it has.
   */
  private Page read(Call c, Table t, Position after, Row parent, int pageSize) {
    c.budget.countRead();
    Page page;
    try {
      page = connector.read(new TableRead(t, Optional.ofNullable(after),
          Optional.ofNullable(c.state.upTo(t)), pageSize, Optional.ofNullable(parent), c.secrets,
          c.budget.stopAt(), CallContext.syncId()));
    } catch (IOException e) {
      if (e instanceof TransientFailure && c.response.rows() > 0) {
        c.budget.stop(StopReason.SOURCE_UNAVAILABLE);
        c.notices.add("reading " + t.name() + " failed for now (" + e.getClass().getSimpleName()
            + "); answering with the rows already read, the next call resumes after them");
        return null;
      }
      throw new SourceFailure(t.name(), e);
    }
    if (page == null) {
      throw new ConnectorFailure("read of table " + t.name() + " returned null; return Page.empty()");
    }
    return page;
  }

  /** Reads the children of one delivered parent row: its partition of {@code child}. */
  private PageEnd readChildren(Call c, Table child, Table parent, Row parentRow) {
    Slot slot = Slot.partition(child.name(), partitionKey(parent, parentRow));
    SlotState s = c.state.partition(child, slot.partition());
    PageEnd end;
    s.beingRead(true);
    // Over the cap this partition will be forgotten once read: note what it delivers, so the
    // child table's digest can spare its unchanged children the next time they are re-read.
    c.partitionRows(c.state.partitionCount(child.name()) > config.maxPartitions());
    try {
      end = readPartition(c, child, slot, s, parentRow);
    } finally {
      s.beingRead(false);
      c.state.dropIfEmpty(slot);
    }
    if (end == PageEnd.DONE && c.state.partitionCount(child.name()) > config.maxPartitions()) {
      // Over the cap, a finished partition is not remembered: its children are read from the
      // start when the parent next comes round. Costs re-reads, never rows (a shared "floor"
      // position would skip the older children of a parent first seen later); the children it
      // delivered go in the child table's digest, so those that have not changed are not sent
      // again.
      c.state.forget(slot);
      c.rememberPartitionRows(child);
      c.notices.add("table " + child.name() + " has more than " + config.maxPartitions()
          + " parents with positions; children of the others are re-read from the start:"
          + " raise TRIBUTARY_MAX_PARTITIONS if state size allows");
    }
    c.partitionRows(false);
    return end;
  }

  private PageEnd readPartition(Call c, Table child, Slot slot, SlotState s, Row parentRow) {
    int pageSize = config.pageSize();
    while (true) {
      if (c.budget.timeUp()) {
        c.budget.stop(StopReason.DEADLINE);
        return PageEnd.STOPPED;
      }
      Position from = s.readPoint();
      Page page = read(c, child, from, parentRow, pageSize);
      if (page == null) {
        return PageEnd.STOPPED;
      }
      PageEnd end = new PageProcessor(c, config.orderCheck(), child, slot, s, from, page, null).run();
      pageSize = end == PageEnd.NO_PROGRESS ? grow(child, from, pageSize) : config.pageSize();
      if (end != PageEnd.CONTINUE && end != PageEnd.NO_PROGRESS) {
        return end;
      }
    }
  }

  /** A parent row's partition key: the canonical JSON of its primary key. */
  private String partitionKey(Table parent, Row row) {
    return Call.keyJson(json, parent, row);
  }

  // ---------------------------------------------------------------------------------------------
  // Answer: end or continue the sync, fit the state, write the response.

  private Answer answer(Call c, Request request, List<String> decoderNotices) throws IOException {
    boolean caughtUp = c.schema.topLevel().stream().allMatch(t -> c.state.isDone(t.name()));
    boolean hasMore = !caughtUp;
    StopReason reason;
    if (caughtUp) {
      c.state.finishSync(c.schema);
      reason = StopReason.CAUGHT_UP;
    } else if (c.state.pausesAfter(c.response.rows() == 0, config.maxEmptyResponses())) {
      // Fivetran ends a connection after more than 10 empty responses in a row. Pause the sync
      // instead: its horizon and positions stay, and the next scheduled sync resumes.
      hasMore = false;
      reason = StopReason.EMPTY_LIMIT;
    } else {
      reason = c.budget.stopReason() == null ? StopReason.OUT_OF_ORDER : c.budget.stopReason();
    }
    byte[] state = fittedState(c);
    long size = c.response.exactSize(state.length, hasMore);
    c.budget.checkFinished(size);
    Body body;
    long written;
    if (c.budget.staged()) {
      written = stage(c, request.bucket().orElseThrow(), request.file().orElseThrow());
      ByteArrayOutputStream reply = new ByteArrayOutputStream(256 + state.length);
      c.response.writeReply(reply, state, hasMore);
      body = new BytesBody(reply);
    } else {
      written = size;
      body = new ResponseBody(c.response, state, hasMore, size);
    }
    List<String> notices = new ArrayList<>(decoderNotices);
    notices.addAll(c.notices);
    return new Answer(new Summary(hasMore, reason, c.response.rows(), written, c.budget.reads(),
        c.budget.dropped(), c.budget.unchanged(), c.response.perTable(), notices), body);
  }

  /** A direct response: the sections, the schema, the state, written out in one pass. */
  private static final class ResponseBody implements Body {
    private final ResponseBuilder response;
    private final byte[] state;
    private final boolean hasMore;
    private final long size;
    private boolean released;

    ResponseBody(ResponseBuilder response, byte[] state, boolean hasMore, long size) {
      this.response = response;
      this.state = state;
      this.hasMore = hasMore;
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      // In memory only (a direct response never spills): nothing to discard afterwards.
      if (released) {
        throw new IllegalStateException("the response was released after it was written");
      }
      response.writeTo(out, state, hasMore);
    }

    @Override
    public void release() {
      released = true;
      response.release();
    }
  }

  /** A small body already in memory: a staged call's reply, a setup test's. */
  static final class BytesBody implements Body {
    private final ByteArrayOutputStream bytes;

    BytesBody(ByteArrayOutputStream bytes) {
      this.bytes = bytes;
    }

    @Override
    public long size() {
      return bytes.size();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      bytes.writeTo(out);
    }
  }

  /** The encoded state, with finished child positions forgotten if it is over maxStateBytes. */
  private byte[] fittedState(Call c) {
    byte[] state = c.codec.encode(c.state.snapshot());
    if (!c.budget.stateFits(state.length) && c.forgetFinishedPartitions(config.maxStateBytes())) {
      state = c.codec.encode(c.state.snapshot());
    }
    if (!c.budget.stateFits(state.length)) {
      throw c.stateTooLarge(state.length);
    }
    return state;
  }

  /**
   * Writes the rows to the staged object and commits it; returns its size. A failed write aborts
   * the object and fails the call: no reply, no state change.
   */
  private long stage(Call c, String bucket, String key) throws IOException {
    StagingStore.Upload upload = null;
    long objectBytes;
    try {
      upload = staging.get().begin(bucket, key);
      objectBytes = c.response.writeObject(upload.stream());
      upload.commit();
    } catch (IOException | RuntimeException e) {
      if (upload != null) {
        upload.abort();
      }
      throw new StagingFailure(bucket, key, e);
    }
    return objectBytes;
  }
}
