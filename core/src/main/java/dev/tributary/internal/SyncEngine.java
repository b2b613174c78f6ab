package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
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
import dev.tributary.ValueType;
import dev.tributary.internal.SyncState.TableState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one sync call: decodes state, fixes the horizon on a sync's first call, asks the connector
 * for pages, streams rows into the response until a budget is reached, and answers with a state
 * that is a consistent checkpoint of exactly the rows sent.
 *
 * <p>The invariants it keeps (see DESIGN.md): a table's position only moves forward, and only
 * past rows that are in this response or an earlier accepted one; the response is cut only
 * between rows; reads stay below the horizon fixed before the sync's first read; no response
 * says {@code hasMore: true} without rows more than {@code maxEmptyResponses} times in a row.
 *
 * <p>Thread-safe: each call works on its own decoded state and response; nothing of a call
 * outlives it. Concurrent calls are as safe as the connector is.
 */
public final class SyncEngine {
  private final Connector connector;
  private final EngineConfig config;
  private final Json json;
  private final StagingStore staging;

  /** What a completed call did, for the call log. */
  public record Summary(
      boolean hasMore,
      StopReason stopReason,
      int rows,
      long responseBytes,
      int reads,
      long droppedRows,
      Map<String, long[]> perTable,
      List<String> notices) {}

  /**
   * @param staging where rows go when a request asks for a sync through cloud storage; null if
   *     this function cannot do that
   */
  public SyncEngine(Connector connector, EngineConfig config, Json json, StagingStore staging) {
    this.staging = staging;
    this.connector = connector;
    this.config = config;
    this.json = json;
  }

  /**
   * Runs the call and writes the response to {@code out} once every row is in. Fails before
   * writing anything if the request, the state or the connector is at fault.
   *
   * @throws ProtocolException the state cannot be read (nothing read, nothing written)
   * @throws SourceFailure the connector's source failed
   * @throws ContractViolation the connector broke its contract
   * @throws IOException writing to {@code out} failed
   */
  public Summary sync(Request request, Instant deadline, OutputStream out)
      throws ProtocolException, IOException {
    boolean staged = stagedTarget(request);
    Schema schema = schemaFor(request.secrets());
    StateCodec codec = new StateCodec(json, schema);
    StateCodec.Decoded decoded = codec.decode(request.state());
    Call c = new Call(schema, codec, decoded.state(), request.secrets(),
        deadline.minus(config.deadlineMargin()), staged);
    try {
      return run(c, decoded, request, out);
    } finally {
      c.rb.discard();
    }
  }

  /**
   * This connection's tables: {@link Connector#schema(Secrets)}, checked. Fails as a
   * configuration problem when the secrets cannot describe them.
   */
  private Schema schemaFor(Secrets secrets) {
    Schema schema = connector.schema(secrets);
    if (schema == null) {
      throw new ContractViolation("the connector's schema() returned null; return Schema.of(...)");
    }
    return schema;
  }

  /** True for a sync through cloud storage; checks the request and that this function can. */
  private boolean stagedTarget(Request request) throws ProtocolException {
    if (request.bucket().isEmpty() && request.file().isEmpty()) {
      return false;
    }
    if (request.bucket().filter(b -> !b.isBlank()).isEmpty()
        || request.file().filter(f -> !f.isBlank()).isEmpty()) {
      throw new ProtocolException("a sync through cloud storage needs both bucket and file;"
          + " the request has only " + (request.bucket().isPresent() ? "bucket" : "file"));
    }
    if (staging == null) {
      throw new ConfigurationProblem("the request asks to sync through S3"
          + " (bucket and file) but this function has no StagingStore: add the dependency"
          + " dev.tributary:tributary-aws-lambda-s3 to the function, or switch the connection's"
          + " sync method to direct");
    }
    return true;
  }

  private Summary run(Call c, StateCodec.Decoded decoded, Request request, OutputStream out)
      throws IOException {
    if (!c.st.inSync()) {
      startSync(c);
    }
    c.snapshot();
    c.stateBase = c.codec.size(c.st) + fixedStateAllowance(c.schema, c.st);
    runTables(c);

    List<Table> tops = c.schema.topLevel();
    boolean allDone = tops.stream().allMatch(t -> c.st.done.contains(t.name()));
    boolean hasMore;
    StopReason reason = c.stop;
    if (allDone) {
      finishSync(c.schema, c.st);
      hasMore = false;
      reason = StopReason.CAUGHT_UP;
    } else {
      hasMore = true;
      if (reason == null) {
        reason = StopReason.OUT_OF_ORDER;
      }
      if (c.rb.rows() == 0) {
        c.st.emptyResponses++;
        if (c.st.emptyResponses > config.maxEmptyResponses()) {
          // Fivetran ends a connection after more than 10 empty responses in a row. Pause the
          // sync instead: its horizon and positions stay, and the next scheduled sync resumes.
          c.st.emptyResponses = 0;
          hasMore = false;
          reason = StopReason.EMPTY_LIMIT;
        }
      } else {
        c.st.emptyResponses = 0;
      }
    }
    byte[] state = c.codec.encode(c.st);
    if (state.length > config.maxStateBytes() && forgetFinishedPartitions(c, config.maxStateBytes())) {
      state = c.codec.encode(c.st);
    }
    if (state.length > config.maxStateBytes()) {
      throw stateTooLarge(c, state.length);
    }
    long size = c.rb.size(state.length);
    long budget = c.staged ? config.maxStagedBytes() : config.maxResponseBytes();
    if (size > budget) {
      throw new IllegalStateException("internal: " + size + " bytes would exceed the budget of "
          + budget);
    }
    long written = c.staged
        ? stage(c, request.bucket().orElseThrow(), request.file().orElseThrow(), out, state, hasMore)
        : c.rb.writeTo(out, state, hasMore);
    List<String> notices = new ArrayList<>(decoded.notices());
    notices.addAll(c.notices);
    return new Summary(hasMore, reason, c.rb.rows(), written, c.reads, c.dropped, c.rb.perTable(),
        notices);
  }

  /**
   * Writes the rows to the staged object and, once it is committed, the small reply to
   * {@code out}. A failed write aborts the object and fails the call: no reply, no state change.
   */
  private long stage(Call c, String bucket, String key, OutputStream out, byte[] state,
      boolean hasMore) throws IOException {
    StagingStore.Upload upload = null;
    long objectBytes;
    try {
      upload = staging.begin(bucket, key);
      objectBytes = c.rb.writeObject(upload.stream());
      upload.commit();
    } catch (IOException | RuntimeException e) {
      if (upload != null) {
        upload.abort();
      }
      throw new StagingFailure(bucket, key, e);
    }
    c.rb.writeReply(out, state, hasMore);
    return objectBytes;
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

  // ---------------------------------------------------------------------------------------------
  // Sync lifecycle

  private void startSync(Call c) {
    Instant now;
    try {
      now = connector.sourceClock(c.secrets).orElseGet(() -> config.clock().instant());
    } catch (IOException e) {
      throw new SourceFailure(null, e);
    }
    c.st.horizon = now.minus(config.settleLag());
    c.st.done.clear();
    c.st.bounds.clear();
    c.st.emptyResponses = 0;
    for (Table t : c.schema.tables()) {
      TableState ts = c.st.tables.get(t.name());
      if (ts == null) {
        continue;
      }
      if (!t.isIncremental()) {
        c.st.tables.remove(t.name());
        continue;
      }
      ts.childrenOf = null;
      ts.reread = null;
      ts.tail = null;
      if (!t.lookback().isZero() && ts.position != null) {
        ts.reread = Position.of(minus(t.cursorType(), ts.position.cursor(), t.lookback()), null);
      }
      if (t.lookbackValues() != 0 && ts.position != null) {
        ts.reread = Position.of(((java.math.BigDecimal) ts.position.cursor())
            .subtract(java.math.BigDecimal.valueOf(t.lookbackValues())), null);
      }
    }
    for (Table t : c.schema.topLevel()) {
      if (t.isIncremental()
          && (t.cursorType() == ValueType.NUMBER || t.cursorType() == ValueType.STRING)) {
        fixVisibilityHorizon(c, t);
      }
    }
  }

  /** Asks the connector where this sync must stop reading a number or string cursor. */
  private void fixVisibilityHorizon(Call c, Table t) {
    TableState ts = c.st.tables.get(t.name());
    Optional<Object> bound;
    try {
      bound = connector.visibilityHorizon(t, Optional.ofNullable(ts == null ? null : ts.position),
          c.secrets);
    } catch (IOException e) {
      throw new SourceFailure(t.name(), e);
    }
    if (bound == null) {
      throw new ContractViolation("visibilityHorizon of table " + t.name()
          + " returned null; return Optional.empty() for no bound");
    }
    if (bound.isPresent()) {
      try {
        c.st.bounds.put(t.name(), Values.normalize(t.cursorType(), bound.get()));
      } catch (IllegalArgumentException e) {
        throw new ContractViolation("visibilityHorizon of table " + t.name() + " " + e.getMessage());
      }
    }
  }

  /** The cursor moved back by the window, stopping at the type's -infinity instead of overflowing. */
  static Object minus(ValueType type, Object cursor, Duration window) {
    if (type == ValueType.DATE) {
      long days = (window.toSeconds() + 86_399) / 86_400;
      LocalDate d = (LocalDate) cursor;
      if (d.equals(LocalDate.MAX)) {
        return d; // +infinity minus a window is still +infinity
      }
      return d.toEpochDay() - LocalDate.MIN.toEpochDay() <= days ? LocalDate.MIN : d.minusDays(days);
    }
    Instant i = (Instant) cursor;
    if (i.equals(Instant.MAX)) {
      return i;
    }
    return i.getEpochSecond() - Instant.MIN.getEpochSecond() <= window.getSeconds() + 1
        ? Instant.MIN : i.minus(window);
  }

  private void finishSync(Schema schema, SyncState st) {
    st.horizon = null;
    st.done.clear();
    st.bounds.clear();
    st.emptyResponses = 0;
    for (Table t : schema.tables()) {
      if (!t.isIncremental()) {
        st.tables.remove(t.name());
        continue;
      }
      TableState ts = st.tables.get(t.name());
      if (ts != null) {
        ts.reread = null;
        ts.tail = null;
        ts.childrenOf = null;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading tables

  private enum Outcome { CONTINUE, DONE, PAUSED, STOPPED, NO_PROGRESS }

  /** How far a page may grow past the configured size to get through a tie (inclusive sources). */
  private static final int MAX_PAGE_GROWTH = 64;

  private void runTables(Call c) {
    List<Table> tops = c.schema.topLevel();
    if (config.tableOrder() == TableOrder.SEQUENTIAL) {
      for (Table t : tops) {
        while (c.running() && c.readable(t)) {
          step(c, t);
        }
        if (!c.running()) {
          return;
        }
      }
      return;
    }
    boolean any = true;
    while (c.running() && any) {
      any = false;
      for (Table t : tops) {
        if (c.running() && c.readable(t)) {
          step(c, t);
          any = true;
        }
      }
    }
  }

  /** Reads one page of a top-level table and processes it. */
  private void step(Call c, Table t) {
    TableState ts = c.st.table(t);
    Position from = ts.readPoint();
    Outcome o;
    int pageSize = config.pageSize();
    do {
      if (c.timeUp()) {
        c.stop(StopReason.DEADLINE);
        return;
      }
      Page page = read(c, t, from, null, pageSize);
      if (page == null) {
        return;
      }
      o = process(c, t, ts, null, from, page);
      pageSize = o == Outcome.NO_PROGRESS ? grow(t, from, pageSize) : pageSize;
    } while (o == Outcome.NO_PROGRESS);
    if (o == Outcome.DONE) {
      ts.reread = null;
      c.st.done.add(t.name());
    } else if (o == Outcome.PAUSED) {
      c.paused.add(t.name());
    }
  }

  /**
   * A page held only rows at or before the position: a source that filters {@code cursor >= x}
   * inside a tie larger than the page. Asks again with twice the page, up to a limit.
   */
  private int grow(Table t, Position from, int pageSize) {
    if (pageSize >= (long) config.pageSize() * MAX_PAGE_GROWTH) {
      throw new ContractViolation("table " + t.name() + " returned only rows at or before "
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
    c.reads++;
    Page page;
    try {
      page = connector.read(new TableRead(t, Optional.ofNullable(after),
          Optional.ofNullable(upTo(t, c.st)), pageSize,
          Optional.ofNullable(parent), c.secrets, c.stopAt, CallContext.syncId()));
    } catch (IOException e) {
      if (e instanceof dev.tributary.TransientFailure && c.rb.rows() > 0) {
        c.stop(StopReason.SOURCE_UNAVAILABLE);
        c.notices.add("reading " + t.name() + " failed for now (" + e.getClass().getSimpleName()
            + "); answering with the rows already read, the next call resumes after them");
        return null;
      }
      throw new SourceFailure(t.name(), e);
    }
    if (page == null) {
      throw new ContractViolation("read of table " + t.name() + " returned null; return Page.empty()");
    }
    return page;
  }

  private static Object upTo(Table t, SyncState st) {
    if (!t.isIncremental() || st.horizon == null) {
      return null;
    }
    switch (t.cursorType()) {
      case TIMESTAMP:
        return st.horizon;
      case DATE:
        // A date cursor never syncs a day before it is over: rows dated the horizon's day wait.
        return LocalDate.ofInstant(st.horizon, ZoneOffset.UTC);
      default:
        // Number and string cursors: the connector's visibility horizon, if it gave one.
        return st.bounds.get(t.name());
    }
  }

  /**
   * Emits a page's rows in order and moves the table's (or partition's) position past the ones
   * that are in the window, reading a parent row's children before moving past the parent.
   *
   * @param partition the parent key of a child table's partition; null for a top-level table
   */
  private Outcome process(Call c, Table t, TableState ts, String partition, Position from,
      Page page) {
    List<Table> children = partition == null ? c.schema.childrenOf(t.name()) : List.of();
    Object upTo = upTo(t, c.st);
    Position lastSeen = null;
    Position outOfOrderMin = null;
    boolean leading = true;
    boolean beyond = false;
    int delivered = 0;
    List<Row> rows = page.rows();
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      if (row == null) {
        throw new ContractViolation("table " + t.name() + ": a page holds a null row");
      }
      Position rp = positionOf(t, row);
      if (leading && from != null && Values.compare(rp, from) <= 0) {
        // An inclusive source filter (cursor >= x) re-sends the rows at the position's cursor
        // value; rows before that value mean the source ignored read.after().
        if (config.orderCheck() == OrderCheck.STRICT && isBeforeCursorOf(rp, from)) {
          throw new ContractViolation("table " + t.name() + " returned " + rp + ", which is before "
              + "read.after() " + from + "; a read must filter on the position (or set"
              + " TRIBUTARY_ORDER_CHECK=TOLERANT to drop such rows)");
        }
        c.dropped++;
        continue;
      }
      leading = false;
      if (lastSeen != null && Values.compare(rp, lastSeen) <= 0) {
        if (config.orderCheck() == OrderCheck.STRICT) {
          throw outOfOrder(t, rp, lastSeen);
        }
        outOfOrderMin = outOfOrderMin == null || Values.compare(rp, outOfOrderMin) < 0 ? rp : outOfOrderMin;
      } else if (outOfOrderMin == null) {
        lastSeen = rp;
      } else {
        outOfOrderMin = Values.compare(rp, outOfOrderMin) < 0 ? rp : outOfOrderMin;
      }
      boolean inWindow = upTo == null || Values.compare(rp.cursor(), upTo) < 0;
      // A +infinity cursor is past every horizon, so no later sync would ever deliver the row:
      // a top-level table delivers it in every sync, tracking its place among such rows in
      // tail_after (the position never reaches them). A finite row past the horizon ends the
      // table's pass; it comes in a later sync.
      boolean tailRow = !inWindow && partition == null && Values.infinitySign(rp.cursor()) > 0;
      beyond |= !inWindow && !tailRow;
      boolean parentAlreadySent = !children.isEmpty() && rp.equals(ts.childrenOf);
      if (!parentAlreadySent && !emit(c, t, ts, partition, row, rp)) {
        return cut(c, t, ts, partition, rows, i + 1, lastSeen, outOfOrderMin, Outcome.STOPPED);
      }
      delivered++;
      if (!children.isEmpty() && !row.isDelete()) {
        ts.childrenOf = rp;
        c.allow(t.name(), null, c.positionBytes(rp));
        for (Table child : children) {
          Outcome o = readChildren(c, child, t, row);
          if (o == Outcome.STOPPED || o == Outcome.PAUSED) {
            return cut(c, t, ts, partition, rows, i + 1, lastSeen, outOfOrderMin, o);
          }
        }
        ts.childrenOf = null;
      }
      if (inWindow && outOfOrderMin == null) {
        advance(c, t, ts, partition, rp);
      } else if (tailRow && outOfOrderMin == null && !beyond
          && (ts.tail == null || Values.compare(rp, ts.tail) > 0)) {
        c.history.computeIfAbsent(slot(t, null), k -> new ArrayList<>()).add(rp);
        ts.tail = rp;
        if (rp.equals(ts.childrenOf)) {
          ts.childrenOf = null;
        }
      }
    }
    if (outOfOrderMin != null) {
      rollBackBelow(c, t, ts, partition, outOfOrderMin);
      return Outcome.PAUSED;
    }
    if (beyond || !page.hasMore()) {
      return Outcome.DONE;
    }
    if (delivered == 0) {
      if (!page.rows().isEmpty()) {
        return Outcome.NO_PROGRESS;
      }
      throw new ContractViolation("table " + t.name() + " returned an empty page with"
          + " hasMore=true after " + (from == null ? "the start" : from.toString())
          + "; return hasMore=false when there are no more rows");
    }
    return Outcome.CONTINUE;
  }

  /**
   * The call stops inside a page (a budget, the deadline, a repeated key, a stopped child read)
   * with rows {@code rest..} of it unsent. The position must not pass any of them: a row of the
   * page's unsent rest that sorts before the last row seen is a late row (an error in strict
   * mode, where the call would otherwise commit past it unnoticed). In tolerant mode every late
   * row — seen, refused or unsent — proves that positions past it were not verified: move back
   * below the smallest, exactly as at the end of a page.
   */
  private Outcome cut(Call c, Table t, TableState ts, String partition, List<Row> rows, int rest,
      Position lastSeen, Position outOfOrderMin, Outcome o) {
    Position late = outOfOrderMin;
    if (lastSeen != null) {
      for (int i = rest; i < rows.size(); i++) {
        Position up = unsentPosition(t, rows.get(i));
        if (up == null || Values.compare(up, lastSeen) > 0) {
          continue;
        }
        if (config.orderCheck() == OrderCheck.STRICT) {
          throw outOfOrder(t, up, lastSeen);
        }
        late = late == null || Values.compare(up, late) < 0 ? up : late;
      }
    }
    if (late != null) {
      rollBackBelow(c, t, ts, partition, late);
    }
    return o;
  }

  /** A not-yet-processed row's position; null if it has none (the next call reports that row). */
  private static Position unsentPosition(Table t, Row row) {
    try {
      return row == null ? null : t.positionOf(row);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static ContractViolation outOfOrder(Table t, Position rp, Position lastSeen) {
    return new ContractViolation("table " + t.name() + " returned rows out of order: "
        + rp + " after " + lastSeen + "; read must return rows in ascending (cursor,"
        + " tiebreaker) order, strictly after read.after() (or set"
        + " TRIBUTARY_ORDER_CHECK=TOLERANT to commit only verified positions)");
  }

  /** True if {@code rp} sorts before every row an inclusive filter on {@code from} returns. */
  private static boolean isBeforeCursorOf(Position rp, Position from) {
    if (from.cursor() != null) {
      return Values.compare(rp.cursor(), from.cursor()) < 0;
    }
    return Values.compare(rp, from) < 0;
  }

  private Outcome readChildren(Call c, Table child, Table parent, Row parentRow) {
    TableState cs = c.st.table(child);
    String key = partitionKey(parent, parentRow);
    String slot = slot(child, key);
    c.reading.add(slot);
    try {
      return readPartition(c, child, cs, key, parentRow);
    } finally {
      c.reading.remove(slot);
    }
  }

  private Outcome readPartition(Call c, Table child, TableState cs, String key, Row parentRow) {
    int pageSize = config.pageSize();
    while (true) {
      if (c.timeUp()) {
        c.stop(StopReason.DEADLINE);
        return Outcome.STOPPED;
      }
      Position from = cs.partitions.get(key);
      Page page = read(c, child, from, parentRow, pageSize);
      if (page == null) {
        return Outcome.STOPPED;
      }
      Outcome o = process(c, child, cs, key, from, page);
      if (o == Outcome.NO_PROGRESS) {
        pageSize = grow(child, from, pageSize);
        continue;
      }
      pageSize = config.pageSize();
      if (o == Outcome.DONE && cs.partitions.size() > config.maxPartitions()) {
        // Over the cap, a finished partition is not remembered: its children are read from the
        // start when the parent next comes round. Costs re-reads, never rows (a shared "floor"
        // position would skip the older children of a parent first seen later).
        cs.partitions.remove(key);
        c.notices.add("table " + child.name() + " has more than " + config.maxPartitions()
            + " parents with positions; children of the others are re-read from the start:"
            + " raise TRIBUTARY_MAX_PARTITIONS if state size allows");
      }
      if (o != Outcome.CONTINUE) {
        return o;
      }
    }
  }

  /** Moves a table's or partition's position forward to {@code rp} (never back). */
  private void advance(Call c, Table t, TableState ts, String partition, Position rp) {
    c.history.computeIfAbsent(slot(t, partition), k -> new ArrayList<>()).add(rp);
    if (partition != null) {
      ts.partitions.put(partition, rp);
      return;
    }
    if (ts.reread != null) {
      ts.reread = rp;
      if (ts.position == null || Values.compare(rp, ts.position) >= 0) {
        ts.reread = null;
      }
    }
    if (ts.position == null || Values.compare(rp, ts.position) > 0) {
      ts.position = rp;
    }
    if (ts.childrenOf != null && Values.compare(ts.position, ts.childrenOf) >= 0) {
      ts.childrenOf = null;
    }
  }

  /**
   * Tolerant mode: rows arrived out of order, so only positions below the smallest of them are
   * known to have nothing unread before them. Moves the position back, within this call's own
   * progress, to the last one that is.
   */
  private void rollBackBelow(Call c, Table t, TableState ts, String partition, Position min) {
    String slot = slot(t, partition);
    Position startRead = c.startReadPoints.get(slot);
    Position target = startRead;
    List<Position> hist = c.history.getOrDefault(slot, List.of());
    for (int i = hist.size() - 1; i >= 0; i--) {
      if (Values.compare(hist.get(i), min) < 0) {
        target = hist.get(i);
        break;
      }
    }
    if (partition != null) {
      if (target == null) {
        ts.partitions.remove(partition);
      } else {
        ts.partitions.put(partition, target);
      }
    } else if (target != null && Values.infinitySign(target.cursor()) > 0) {
      ts.tail = target; // still among the +infinity rows; the position stays below them
    } else {
      ts.tail = null;
      // The position accepted before this call never moves back; behind it, re-read instead.
      Position accepted = c.startPositions.get(slot);
      if (target == null || accepted == null || Values.compare(target, accepted) > 0) {
        ts.position = target;
        ts.reread = null;
      } else {
        ts.position = accepted;
        ts.reread = Values.compare(target, accepted) < 0 ? target : null;
      }
    }
    Position now = partition != null ? ts.partitions.get(partition) : ts.readPoint();
    boolean progressed = now != null && (startRead == null || Values.compare(now, startRead) > 0);
    if (!progressed) {
      throw new ContractViolation("table " + t.name() + " keeps returning rows out of order ("
          + min + " after later rows) and tolerant mode cannot advance past "
          + (startRead == null ? "the start" : startRead.toString())
          + "; fix the source query's ORDER BY (cursor, tiebreaker)");
    }
  }

  /**
   * The state's bound went over maxStateBytes: forgets finished child positions (their children
   * are re-read from the start when the parent next comes round — re-reads, never lost rows),
   * oldest first, until the state is well under the cap, then starts the state's accounting again
   * from its exact size. Returns the new bound with the current slot's position allowed.
   */
  private long squeeze(Call c, String table, String partition, int positionBytes) {
    long fixed = fixedStateAllowance(c.schema, c.st);
    long slot = 4L * positionBytes + 64 + (partition == null ? 0 : partition.length() * 2L);
    forgetFinishedPartitions(c, config.maxStateBytes() - config.maxStateBytes() / 8 - fixed - slot);
    c.stateBase = c.codec.size(c.st) + fixed;
    c.allowances.clear();
    c.allowanceTotal = 0;
    return c.allow(table, partition, positionBytes);
  }

  /**
   * Removes finished child positions, oldest first, until the encoded state is at most
   * {@code target} bytes. Never the partitions being read right now. True if any was removed.
   */
  private boolean forgetFinishedPartitions(Call c, long target) {
    long size = c.codec.size(c.st);
    boolean removed = false;
    for (Table t : c.schema.tables()) {
      TableState ts = c.st.tables.get(t.name());
      if (ts == null || ts.partitions.isEmpty()) {
        continue;
      }
      java.util.Iterator<Map.Entry<String, Position>> it = ts.partitions.entrySet().iterator();
      int forgotten = 0;
      while (size > target && it.hasNext()) {
        Map.Entry<String, Position> e = it.next();
        if (c.reading.contains(slot(t, e.getKey()))) {
          continue;
        }
        size -= c.codec.partitionEntrySize(e.getKey(), e.getValue(), ts.partitions.size() == 1);
        it.remove();
        forgotten++;
      }
      if (forgotten > 0) {
        removed = true;
        c.notices.add("state near maxStateBytes (" + config.maxStateBytes() + "): table "
            + t.name() + " forgets the positions of finished parents; their children are re-read"
            + " when the parent next comes round (raise TRIBUTARY_MAX_STATE_BYTES to avoid it)");
      }
    }
    return removed;
  }

  private ContractViolation stateTooLarge(Call c, long bytes) {
    return new ContractViolation("state of " + bytes + " bytes exceeds maxStateBytes ("
        + config.maxStateBytes() + ") even without the positions of finished child partitions; "
        + c.codec.largestEntry(c.st) + " takes the most: raise TRIBUTARY_MAX_STATE_BYTES, or"
        + " remove that entry through Fivetran's state API if it is no longer needed");
  }

  /** Adds a row to the response; false if a budget or the deadline stops the call first. */
  private boolean emit(Call c, Table t, TableState ts, String partition, Row row, Position rp) {
    if (c.timeUp()) {
      c.stop(StopReason.DEADLINE);
      return false;
    }
    long key = KeySet.keyHash(t, row);
    if (c.keys.contains(key)) {
      // Fivetran applies a response's inserts and deletes in no defined order: a key the response
      // already carries goes in the next one (the position stays before this row).
      c.stop(StopReason.REPEATED_KEY);
      return false;
    }
    byte[] bytes = c.rb.serialize(t, row);
    long reserve = c.allow(t.name(), partition, c.positionBytes(rp));
    if (reserve > config.maxStateBytes()) {
      reserve = squeeze(c, t.name(), partition, c.positionBytes(rp));
      if (reserve > config.maxStateBytes()) {
        if (c.rb.rows() == 0) {
          throw stateTooLarge(c, reserve);
        }
        c.stop(StopReason.STATE_BUDGET);
        return false;
      }
    }
    ResponseBuilder.Added added = c.rb.tryAdd(t, row.isDelete(), bytes, reserve);
    if (added == ResponseBuilder.Added.OK) {
      c.keys.add(key);
      return true;
    }
    if (added == ResponseBuilder.Added.OVER_BYTES && c.rb.rows() == 0) {
      throw new ContractViolation("row of " + bytes.length + " bytes in table " + t.name()
          + " (primary key " + keyOf(t, row) + ") does not fit in maxResponseBytes ("
          + config.maxResponseBytes() + ") with the response's schema and state; set"
          + " TRIBUTARY_MAX_RESPONSE_BYTES higher (sync through S3 on AWS) or leave large"
          + " columns out of the row");
    }
    c.stop(added == ResponseBuilder.Added.OVER_BYTES ? StopReason.BYTE_BUDGET : StopReason.ROW_BUDGET);
    return false;
  }

  private Position positionOf(Table t, Row row) {
    for (String pk : t.primaryKey()) {
      if (row.get(pk) == null) {
        throw new ContractViolation("table " + t.name() + ": a " + (row.isDelete() ? "delete" : "row")
            + " has no value for primary-key column " + pk + "; every row and delete must carry"
            + " the whole primary key " + t.primaryKey());
      }
    }
    try {
      return t.positionOf(row);
    } catch (IllegalArgumentException e) {
      throw new ContractViolation(e.getMessage() + " (row with primary key " + keyOf(t, row) + ")");
    }
  }

  private static String keyOf(Table t, Row row) {
    Map<String, Object> key = new LinkedHashMap<>();
    for (String pk : t.primaryKey()) {
      key.put(pk, row.get(pk));
    }
    return key.toString();
  }

  private String partitionKey(Table parent, Row row) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = json.factory().createGenerator(out)) {
      g.writeStartArray();
      for (String pk : parent.primaryKey()) {
        RowJson.writeValue(g, row.get(pk), pk);
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String slot(Table t, String partition) {
    return partition == null ? t.name() : t.name() + '\u0000' + partition;
  }

  /**
   * Bytes the sync block and table entries not yet in the state can add to it, beyond their
   * positions (which {@link Call#allow} covers).
   */
  private static long fixedStateAllowance(Schema schema, SyncState st) {
    // "sync":{"horizon":…,"done":[],"empty_responses":…}, or the growth of its counter
    long n = st.inSync() ? 16 : 128;
    for (Table t : schema.tables()) {
      if (!st.done.contains(t.name())) {
        n += t.name().length() * 2L + 8; // its name in sync.done
      }
      if (!st.tables.containsKey(t.name())) {
        n += t.name().length() * 2L + 8 // as a key of tables
            + t.cursorColumn().map(String::length).orElse(0) + t.tiebreakerColumn().length() + 128;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------

  /** One call's working set. */
  private final class Call {
    final Schema schema;
    final StateCodec codec;
    final SyncState st;
    final Secrets secrets;
    final Instant stopAt;
    final boolean staged;
    final ResponseBuilder rb;
    /** Primary keys already in this response (hashed): each key goes in a response once. */
    final KeySet keys = new KeySet();
    final Set<String> paused = new HashSet<>();
    /** Slots of the child partitions being read right now: never forgotten to make room. */
    final Set<String> reading = new HashSet<>();
    final Map<String, List<Position>> history = new HashMap<>();
    /** Per slot, where reading stood and which position was accepted when the call began. */
    final Map<String, Position> startReadPoints = new HashMap<>();
    final Map<String, Position> startPositions = new HashMap<>();
    final Set<String> notices = new java.util.LinkedHashSet<>();
    final Map<String, Long> allowances = new HashMap<>();
    final ByteArrayOutputStream posScratch = new ByteArrayOutputStream(64);
    final JsonGenerator posGen;
    long stateBase;
    long allowanceTotal;
    StopReason stop;
    int reads;
    long dropped;

    Call(Schema schema, StateCodec codec, SyncState st, Secrets secrets, Instant stopAt,
        boolean staged) {
      this.schema = schema;
      this.codec = codec;
      this.st = st;
      this.secrets = secrets;
      this.stopAt = stopAt;
      this.staged = staged;
      this.rb = new ResponseBuilder(json, schema, staged,
          staged ? config.maxStagedBytes() : config.maxResponseBytes(), config.maxRowsPerResponse());
      try {
        this.posGen = json.factory().createGenerator(posScratch);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      posGen.setRootValueSeparator(null);
    }

    /** Records where every slot stands; called once the sync's horizon and lookbacks are set. */
    void snapshot() {
      for (Map.Entry<String, TableState> e : st.tables.entrySet()) {
        startReadPoints.put(e.getKey(), e.getValue().readPoint());
        startPositions.put(e.getKey(), e.getValue().position);
        for (Map.Entry<String, Position> p : e.getValue().partitions.entrySet()) {
          startReadPoints.put(e.getKey() + '\u0000' + p.getKey(), p.getValue());
        }
      }
    }

    boolean running() {
      return stop == null;
    }

    boolean readable(Table t) {
      return !st.done.contains(t.name()) && !paused.contains(t.name());
    }

    boolean timeUp() {
      return !config.clock().instant().isBefore(stopAt);
    }

    void stop(StopReason reason) {
      if (stop == null) {
        stop = reason;
      }
    }

    int positionBytes(Position p) {
      posScratch.reset();
      try {
        StateCodec.writePosition(posGen, p);
        posGen.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return posScratch.size();
    }

    /**
     * Grows the reserve for the state's tail so it covers this slot holding a position of
     * {@code positionBytes} (for a top-level table in each of its position fields, plus its key).
     * Returns the current upper bound on the state's size.
     */
    long allow(String table, String partition, int positionBytes) {
      String key = partition == null ? table : table + '\u0000' + partition;
      // A top-level slot may hold position, reread_after, children_of and tail_after at once; a
      // partition only its position, under its key.
      long need = partition == null ? 4L * positionBytes + 64
          : positionBytes + partition.length() * 2L + 8;
      Long had = allowances.get(key);
      if (had == null || need > had) {
        allowances.put(key, need);
        allowanceTotal += need - (had == null ? 0 : had);
      }
      return stateBase + allowanceTotal;
    }
  }
}
