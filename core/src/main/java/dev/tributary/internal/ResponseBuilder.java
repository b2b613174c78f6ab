package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates one response's rows, serialised as they arrive with Jackson's streaming generator,
 * and knows to the byte how large the finished response will be.
 *
 * <p>Rows are kept as serialised bytes per table (a child table's rows interleave with its
 * parent's, and JSON needs each table's rows together), then {@link #writeTo} emits the whole
 * response in one pass. Holding the body until the call has succeeded is what guarantees that a
 * failure mid-call yields an error response, never a half-written success: its size is bounded
 * by the byte budget.
 *
 * <p>{@link #tryAdd} refuses a row that would take the response over its byte or row budget,
 * counting the tail ({@code schema}, {@code softDelete}, {@code state}, {@code hasMore}) from a
 * reserve the engine keeps current.
 */
final class ResponseBuilder {
  /** {@code ,"hasMore":false}} */
  private static final int HAS_MORE_BYTES = ",\"hasMore\":false}".length();

  enum Added { OK, OVER_BYTES, OVER_ROWS }

  /** Sections of a staged object move to a temporary file above this many bytes each. */
  private static final long STAGED_SPILL_THRESHOLD = 1024 * 1024;

  private final Json json;
  /** Chunks of the sections; null: new ones. */
  private final ChunkPool pool;
  private final boolean staged;
  private final long maxBytes;
  private final int maxRows;
  private final byte[] schemaBytes;
  private final Map<String, Section> inserts = new LinkedHashMap<>();
  private final Map<String, Section> deletes = new LinkedHashMap<>();
  private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(1024);
  private final JsonGenerator scratchGen;
  private long bodyBytes;
  private int rows;
  private long lastRowBytes;
  /** The section the last row went to: rows of one table come in runs. */
  private Table lastTable;
  private boolean lastDelete;
  private Section lastSection;

  /**
   * One table's rows in the insert or the delete part, comma-separated, written by a generator of
   * its own straight into its buffer.
   */
  private static final class Section {
    final SpillBuffer bytes;
    final JsonGenerator gen;
    int rows;

    Section(Json json, long spillThreshold, ChunkPool pool) {
      this.bytes = new SpillBuffer(spillThreshold, pool);
      try {
        this.gen = json.factory().createGenerator(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      gen.setRootValueSeparator(null);
    }

    /** Bytes written so far, the generator's unflushed ones included. */
    long position() {
      return bytes.size() + gen.getOutputBuffered();
    }

    /** Takes back everything written after {@code position}. */
    void takeBack(long position) {
      try {
        gen.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      bytes.truncate(position);
    }

    /**
     * Closes the generator (which returns its buffer to Jackson's pool; the section's own buffer
     * stays open): the buffer then holds every row.
     */
    SpillBuffer finished() throws IOException {
      gen.close();
      return bytes;
    }

    void discard() {
      closeGenerator();
      bytes.discard();
    }

    /** Written for good: the buffer's chunks go back to the pool. */
    void release() {
      closeGenerator();
      bytes.release();
    }

    private void closeGenerator() {
      try {
        gen.close();
      } catch (IOException | RuntimeException ignored) {
        // closing a generator over memory only returns its buffer; nothing to do
      }
    }
  }

  /**
   * @param staged rows go to a separate object (sync through cloud storage) and {@code maxBytes}
   *     bounds that object; otherwise it bounds the whole response
   */
  ResponseBuilder(Json json, Schema schema, boolean staged, long maxBytes, int maxRows) {
    this(json, schema, staged, maxBytes, maxRows, null);
  }

  /** @param pool where the sections' full-size chunks come from; null for new ones */
  ResponseBuilder(Json json, Schema schema, boolean staged, long maxBytes, int maxRows,
      ChunkPool pool) {
    this.json = json;
    this.pool = pool;
    this.staged = staged;
    this.maxBytes = maxBytes;
    this.maxRows = maxRows;
    this.schemaBytes = schemaAndSoftDelete(json, schema);
    try {
      this.scratchGen = json.factory().createGenerator(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    scratchGen.setRootValueSeparator(null);
  }

  /** The serialised {@code "schema":{…}} and {@code ,"softDelete":[…]} members. */
  private static byte[] schemaAndSoftDelete(Json json, Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = json.factory().createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("schema");
      for (Table t : schema.tables()) {
        g.writeObjectFieldStart(t.name());
        g.writeArrayFieldStart("primary_key");
        for (String c : t.primaryKey()) {
          g.writeString(c);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
      boolean anySoft = schema.tables().stream().anyMatch(Table::isSoftDelete);
      if (anySoft) {
        g.writeArrayFieldStart("softDelete");
        for (Table t : schema.tables()) {
          if (t.isSoftDelete()) {
            g.writeString(t.name());
          }
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] whole = out.toByteArray();
    // Drop the wrapping braces: these are members spliced into the response object.
    return Arrays.copyOfRange(whole, 1, whole.length - 1);
  }

  /**
   * Writes a row (for a delete, only its primary-key columns) straight into its table's section
   * if the response, with {@code stateReserve} bytes for {@code state}, stays within the budgets;
   * a row that does not fit is taken back. {@link #lastRowBytes()} is then its size.
   */
  Added add(Table table, Row row, long stateReserve) {
    if (rows + 1 > maxRows) {
      return Added.OVER_ROWS;
    }
    boolean delete = row.isDelete();
    Map<String, Section> sections = delete ? deletes : inserts;
    Section s = table == lastTable && delete == lastDelete ? lastSection : sections.get(table.name());
    long overhead = s == null ? sectionOverhead(table, delete, sections.isEmpty()) : 1;
    if (s == null) {
      s = new Section(json, staged ? STAGED_SPILL_THRESHOLD : Long.MAX_VALUE, pool);
    }
    long mark = s.position();
    try {
      if (!delete && row.isSourceJson()) {
        // A pass-through record: its bytes as the source sent them, past the generator.
        s.gen.flush();
        if (s.rows > 0) {
          s.bytes.write(',');
        }
        long start = s.bytes.size();
        row.writeSourceJsonTo(s.bytes);
        lastRowBytes = s.bytes.size() - start;
      } else {
        if (s.rows > 0) {
          s.gen.writeRaw(',');
        }
        long start = s.position();
        if (delete) {
          writeKey(s.gen, table, row);
        } else {
          RowJson.writeRow(s.gen, row.values());
        }
        lastRowBytes = s.position() - start;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (bodyBytes + lastRowBytes + overhead + tailBytes(stateReserve) > maxBytes) {
      s.takeBack(mark);
      if (s.rows == 0) {
        s.discard();
      }
      return Added.OVER_BYTES;
    }
    if (s.rows == 0) {
      sections.put(table.name(), s);
    }
    lastTable = table;
    lastDelete = delete;
    lastSection = s;
    s.rows++;
    bodyBytes += lastRowBytes + overhead;
    rows++;
    return Added.OK;
  }

  /** Bytes of the row {@link #add} last wrote (kept or taken back). */
  long lastRowBytes() {
    return lastRowBytes;
  }

  /** A delete as its primary-key columns, in the key's order. */
  private static void writeKey(JsonGenerator g, Table table, Row row) throws IOException {
    g.writeStartObject();
    for (String c : table.primaryKey()) {
      g.writeFieldName(c);
      RowJson.writeValue(g, row.get(c), c);
    }
    g.writeEndObject();
  }

  /** Bytes a new table section adds around its rows: name, brackets, separators. */
  private int sectionOverhead(Table table, boolean delete, boolean firstOfKind) {
    int name = quotedLength(table.name());
    int overhead = name + 3; // "name":[ … ]
    if (!firstOfKind) {
      overhead += 1; // comma between tables
    }
    if (delete && firstOfKind) {
      overhead += ",\"delete\":{}".length();
    }
    return overhead;
  }

  private int quotedLength(String s) {
    scratch.reset();
    try {
      scratchGen.writeString(s);
      scratchGen.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return scratch.size();
  }

  /**
   * Everything but the rows: {@code {"insert":{}} … ,<schema>,"state":<state>,"hasMore":false}} for
   * a response, {@code {"insert":{}}}} for a staged object (its state goes in the reply).
   */
  private long tailBytes(long stateBytes) {
    if (staged) {
      return "{\"insert\":{}}".length();
    }
    return "{\"insert\":{}".length() + 1 + schemaBytes.length + ",\"state\":".length() + stateBytes
        + HAS_MORE_BYTES;
  }

  /** The size of the response (or the staged object) with this state: exact for hasMore false. */
  long size(int stateBytes) {
    return bodyBytes + tailBytes(stateBytes);
  }

  /** The exact size of what {@link #writeTo} (or, staged, {@link #writeObject}) writes. */
  long exactSize(int stateBytes, boolean hasMore) {
    return size(stateBytes) - (hasMore && !staged ? 1 : 0); // "true" is a byte shorter
  }

  long bodyBytes() {
    return bodyBytes;
  }

  int rows() {
    return rows;
  }

  /** Per-table serialised bytes (inserts and deletes) and row counts, for the call log. */
  Map<String, SyncEngine.TableCounts> perTable() {
    Map<String, SyncEngine.TableCounts> out = new LinkedHashMap<>();
    inserts.forEach((table, s) -> out.merge(table,
        new SyncEngine.TableCounts(s.rows, 0, s.position()), ResponseBuilder::sum));
    deletes.forEach((table, s) -> out.merge(table,
        new SyncEngine.TableCounts(0, s.rows, s.position()), ResponseBuilder::sum));
    return out;
  }

  private static SyncEngine.TableCounts sum(SyncEngine.TableCounts a, SyncEngine.TableCounts b) {
    return new SyncEngine.TableCounts(a.rows() + b.rows(), a.deletes() + b.deletes(),
        a.bytes() + b.bytes());
  }

  /** Writes the whole response. Returns the number of bytes written. */
  long writeTo(OutputStream out, byte[] state, boolean hasMore) throws IOException {
    CountingStream c = new CountingStream(out);
    writeRows(c);
    c.write(",");
    writeTail(c, state, hasMore);
    return c.count;
  }

  /** Writes the staged object: {@code {"insert":{…},"delete":{…}}}. Returns its size. */
  long writeObject(OutputStream out) throws IOException {
    CountingStream c = new CountingStream(out);
    writeRows(c);
    c.write("}");
    return c.count;
  }

  /** Writes the reply to a staged call: {@code {"schema":…,"softDelete":…,"state":…,"hasMore":…}}. */
  long writeReply(OutputStream out, byte[] state, boolean hasMore) throws IOException {
    CountingStream c = new CountingStream(out);
    c.write("{");
    writeTail(c, state, hasMore);
    return c.count;
  }

  /** Removes any temporary files; the builder is unusable afterwards. */
  void discard() {
    for (Section s : inserts.values()) {
      s.discard();
    }
    for (Section s : deletes.values()) {
      s.discard();
    }
  }

  /**
   * The response has been written and will not be written again: the sections' chunks go back
   * to the pool for the next call. Nothing can be written after this.
   */
  void release() {
    for (Section s : inserts.values()) {
      s.release();
    }
    for (Section s : deletes.values()) {
      s.release();
    }
    inserts.clear();
    deletes.clear();
    lastSection = null;
    lastTable = null;
  }

  private void writeRows(CountingStream c) throws IOException {
    c.write("{\"insert\":{");
    writeSections(c, inserts);
    c.write("}");
    if (!deletes.isEmpty()) {
      c.write(",\"delete\":{");
      writeSections(c, deletes);
      c.write("}");
    }
  }

  private void writeTail(CountingStream c, byte[] state, boolean hasMore) throws IOException {
    c.write(schemaBytes);
    c.write(",\"state\":");
    c.write(state);
    c.write(hasMore ? ",\"hasMore\":true}" : ",\"hasMore\":false}");
  }

  private void writeSections(CountingStream c, Map<String, Section> sections) throws IOException {
    boolean first = true;
    for (Map.Entry<String, Section> e : sections.entrySet()) {
      if (!first) {
        c.write(",");
      }
      first = false;
      scratch.reset();
      scratchGen.writeString(e.getKey());
      scratchGen.flush();
      c.write(scratch.toByteArray());
      c.write(":[");
      c.copy(e.getValue().finished());
      c.write("]");
    }
  }

  private static final class CountingStream {
    final OutputStream out;
    long count;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    void write(String s) throws IOException {
      write(s.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] b) throws IOException {
      out.write(b);
      count += b.length;
    }

    void copy(SpillBuffer b) throws IOException {
      b.writeTo(out);
      count += b.size();
    }
  }
}
