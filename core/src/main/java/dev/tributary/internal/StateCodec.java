package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.Position;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.ValueType;
import dev.tributary.internal.StateSnapshot.DigestEntry;
import dev.tributary.internal.StateSnapshot.TableEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes {@code state}: a versioned, human-readable envelope an operator can edit
 * through Fivetran's state API (delete one table's entry to re-sync that table).
 *
 * <pre>{@code
 * {"version": 2,
 *  "sync": {"horizon": "2024-05-01T10:00:00Z", "done": ["orders"], "empty_responses": 0},
 *  "tables": {
 *    "orders": {"cursor": "updated_at", "cursor_type": "timestamp", "tiebreaker": "id",
 *               "tiebreaker_type": "number", "position": ["2024-05-01T09:59:58.123456Z", 991]},
 *    "order_lines": {..., "partitions": {"keys": [991, 992],
 *        "cursors": ["2024-05-01T09:59:58.123456Z", 1500000], "tiebreakers": [3, -2]}}}}
 * }</pre>
 *
 * <p>Versions: {@code 2} is current: a child table's partitions are one block of columns
 * ({@link PartitionBlock}). Version 1 kept them as {@code {"[991]": [cursor, tiebreaker]}} and
 * migrates to 2 as it is read. An unversioned, non-empty state is version 0: the
 * {@code {"<table>": "<cursor value>"}} map a hand-written Fivetran function typically keeps; it
 * migrates to positions that re-read the rows at that cursor value (a max-seen cursor may have
 * split a tie), so adopting Tributary on an existing connection needs no re-sync. A state from a
 * newer version, or one that cannot be read, is a protocol error that changes nothing.
 */
final class StateCodec {
  // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, without loading the JDK's date-time parser
  // on a function's first call.
  private static final Instant EARLIEST_HORIZON = Instant.ofEpochSecond(-62_135_596_800L);
  private static final Instant LATEST_HORIZON = Instant.ofEpochSecond(253_402_300_799L);

  private final Json json;
  private final Schema schema;
  private final ByteArrayOutputStream positionScratch = new ByteArrayOutputStream(64);
  private final JsonGenerator positionGenerator;
  private final PartitionBlock partitions;

  /** The decoded state and what the decoder did that an operator should know about. */
  record Decoded(StateSnapshot state, List<String> notices) {}

  /** The sync block while it is decoded. */
  private static final class SyncBlock {
    Instant horizon;
    final Set<String> done = new LinkedHashSet<>();
    final Map<String, Object> bounds = new LinkedHashMap<>();
    int emptyResponses;
  }

  StateCodec(Json json, Schema schema) {
    this.json = json;
    this.schema = schema;
    try {
      this.positionGenerator = json.factory().createGenerator(positionScratch);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    positionGenerator.setRootValueSeparator(null);
    this.partitions = new PartitionBlock(json);
  }

  Decoded decode(ObjectNode raw) throws ProtocolFailure {
    List<String> notices = new ArrayList<>();
    ObjectNode node = migrated(raw, notices);
    SyncBlock sync = new SyncBlock();
    readSync(node.get("sync"), sync);
    Map<String, TableEntry> entries = new LinkedHashMap<>();
    Map<String, JsonNode> undeclared = new LinkedHashMap<>();
    JsonNode tables = node.path("tables");
    if (!tables.isMissingNode() && !tables.isNull() && !tables.isObject()) {
      throw new ProtocolFailure("state.tables is not an object; reset the connection's state");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = tables.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Table t = schema.table(e.getKey()).orElse(null);
      if (t == null) {
        undeclared.put(e.getKey(), e.getValue());
        continue;
      }
      TableEntry entry = readTable(t, e.getValue(), notices);
      if (entry == null) {
        sync.done.remove(t.name());
      } else {
        entries.put(t.name(), entry);
      }
    }
    sync.done.removeIf(name -> schema.table(name).isEmpty());
    return new Decoded(new StateSnapshot(sync.horizon, new ArrayList<>(sync.done), sync.bounds,
        sync.emptyResponses, entries, undeclared), notices);
  }

  /** The state in the current version, migrated step by step from the one it was written in. */
  private ObjectNode migrated(ObjectNode raw, List<String> notices) throws ProtocolFailure {
    ObjectNode node = raw;
    int version = versionOf(node);
    if (version > StateSnapshot.VERSION) {
      throw new ProtocolFailure("state was written by a newer Tributary (state version " + version
          + "); this connector reads up to version " + StateSnapshot.VERSION
          + ": deploy the newer connector again, or reset the connection's state");
    }
    // One notice for all the steps, if any changed more than the version number.
    int from = version;
    List<String> changed = new ArrayList<>();
    while (version < StateSnapshot.VERSION) {
      node = migrate(version, node, changed);
      version++;
    }
    if (!changed.isEmpty()) {
      notices.add("state migrated from version " + from + " to " + StateSnapshot.VERSION + " ("
          + String.join("; ", changed) + ")");
    }
    return node;
  }

  private static int versionOf(ObjectNode node) throws ProtocolFailure {
    JsonNode v = node.get("version");
    if (v == null || v.isNull()) {
      return node.isEmpty() ? StateSnapshot.VERSION : 0;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0) {
      throw new ProtocolFailure("state.version is not a whole number: " + v.getNodeType()
          + "; reset the connection's state");
    }
    return v.intValue();
  }

  private ObjectNode migrate(int from, ObjectNode node, List<String> changed)
      throws ProtocolFailure {
    if (from == 0) {
      changed.add("cursor values became positions that re-read the rows at them");
      return fromLegacyCursorMap(node);
    }
    if (from == 1) {
      return toPartitionBlocks(node, changed);
    }
    throw new ProtocolFailure("state version " + from + " has no migration; reset the connection's state");
  }

  /** Version 0 → 1: {@code {"orders": "2024-05-01T00:00:00Z"}} becomes an inclusive position. */
  private ObjectNode fromLegacyCursorMap(ObjectNode legacy) throws ProtocolFailure {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode out = f.objectNode();
    out.put("version", 1);
    ObjectNode tables = out.putObject("tables");
    Iterator<Map.Entry<String, JsonNode>> it = legacy.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      Table t = schema.table(e.getKey()).orElse(null);
      if (t == null || !t.isIncremental() || t.parent().isPresent()) {
        throw new ProtocolFailure("state has no version and its key '" + e.getKey()
            + "' is not an incremental table of this connector, so it cannot be read as a"
            + " cursor map; reset the connection's state (a full re-sync) or replace it with"
            + " {\"<table>\": \"<cursor value>\"} through Fivetran's state API");
      }
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw new ProtocolFailure("state." + e.getKey()
            + " has no version and is not a cursor value; reset the connection's state");
      }
      ObjectNode entry = tables.putObject(t.name());
      entry.put("cursor", t.cursorColumn().orElseThrow());
      entry.put("cursor_type", t.cursorType().stateName());
      entry.put("tiebreaker", t.tiebreakerColumn());
      entry.put("tiebreaker_type", t.tiebreakerType().stateName());
      ArrayNode pos = entry.putArray("position");
      pos.add(e.getValue());
      pos.addNull();
    }
    return out;
  }

  /**
   * Version 1 → 2: each table's {@code "partitions": {"<key>": [cursor, tiebreaker]}} becomes a
   * {@link PartitionBlock}, read with the types its entry records. An entry of a table this
   * connector no longer declares, or declares differently, that cannot be read is kept as it is
   * (it is not read either way); one of a declared table is the protocol error version 1 gave.
   */
  private ObjectNode toPartitionBlocks(ObjectNode v1, List<String> changed) throws ProtocolFailure {
    ObjectNode out = v1.deepCopy();
    out.put("version", 2);
    JsonNode tables = out.get("tables");
    if (tables == null || !tables.isObject()) {
      return out; // decode reports a malformed tables member
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = tables.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isObject()) {
        continue;
      }
      ObjectNode entry = (ObjectNode) e.getValue();
      JsonNode parts = entry.get("partitions");
      if (parts == null || parts.isNull()) {
        continue;
      }
      Table declared = schema.table(e.getKey()).orElse(null);
      boolean read = declared != null && changedDeclaration(declared, entry) == null;
      String where = "state.tables." + e.getKey() + ".partitions";
      try {
        if (!parts.isObject()) {
          throw new ProtocolFailure(where + " is not an object; remove it to re-read the children");
        }
        ValueType cursorType = text(entry, "cursor") == null ? null
            : stateType(text(entry, "cursor_type"), where);
        ValueType tiebreakerType = stateType(text(entry, "tiebreaker_type"), where);
        Map<String, Position> positions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = parts.fields(); p.hasNext(); ) {
          Map.Entry<String, JsonNode> pe = p.next();
          positions.put(pe.getKey(), readPosition(cursorType != null, cursorType, tiebreakerType,
              pe.getValue(), where));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = json.factory().createGenerator(bytes)) {
          g.writeStartObject();
          partitions.write(g, cursorType, tiebreakerType, positions);
          g.writeEndObject();
        }
        JsonNode block = json.mapper().readTree(bytes.toByteArray()).get("partitions");
        if (block == null) {
          entry.remove("partitions");
        } else {
          entry.set("partitions", block);
        }
        changed.add("the partitions of table " + e.getKey() + " are kept in columns");
      } catch (ProtocolFailure f) {
        if (read) {
          throw f;
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return out;
  }

  private static ValueType stateType(String name, String where) throws ProtocolFailure {
    for (ValueType v : ValueType.values()) {
      if (v.stateName().equals(name)) {
        return v;
      }
    }
    throw new ProtocolFailure(where + ": its entry has no known value type; remove the table's"
        + " entry to re-sync it");
  }

  private void readSync(JsonNode sync, SyncBlock state) throws ProtocolFailure {
    if (sync == null || sync.isNull()) {
      return;
    }
    if (!sync.isObject()) {
      throw new ProtocolFailure("state.sync is not an object; reset the connection's state");
    }
    state.horizon = readHorizon(sync.get("horizon"));
    JsonNode done = sync.get("done");
    if (done != null && done.isArray()) {
      for (JsonNode n : done) {
        if (n.isTextual()) {
          state.done.add(n.textValue());
        }
      }
    }
    readBounds(sync.get("bounds"), state.bounds);
    JsonNode empty = sync.get("empty_responses");
    if (empty != null && empty.canConvertToInt()) {
      state.emptyResponses = Math.max(0, empty.intValue());
    }
  }

  private static Instant readHorizon(JsonNode h) throws ProtocolFailure {
    if (h == null || !h.isTextual()) {
      throw new ProtocolFailure("state.sync.horizon is missing; remove state.sync to restart the sync");
    }
    Instant horizon;
    try {
      horizon = (Instant) ValueType.TIMESTAMP.normalize(h.textValue());
    } catch (IllegalArgumentException e) {
      throw new ProtocolFailure("state.sync.horizon " + e.getMessage()
          + "; remove state.sync to restart the sync");
    }
    // A horizon is a clock reading minus the settle lag: never an infinity or a far era, which
    // would bound every read by nothing (and overflow the date cursors' day).
    if (horizon.isBefore(EARLIEST_HORIZON) || horizon.isAfter(LATEST_HORIZON)) {
      throw new ProtocolFailure("state.sync.horizon is not between years 1 and 9999; remove"
          + " state.sync to restart the sync");
    }
    return horizon;
  }

  private void readBounds(JsonNode bounds, Map<String, Object> into) throws ProtocolFailure {
    if (bounds == null || bounds.isNull()) {
      return;
    }
    if (!bounds.isObject()) {
      throw new ProtocolFailure("state.sync.bounds is not an object; remove state.sync to restart the sync");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = bounds.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Table t = schema.table(e.getKey()).orElse(null);
      if (t == null || !t.isIncremental()) {
        continue; // no longer declared: the bound has nothing to bound
      }
      try {
        Object v = Values.readState(t.cursorType(), e.getValue());
        if (v != null) {
          into.put(t.name(), v);
        }
      } catch (IllegalArgumentException ex) {
        throw new ProtocolFailure("state.sync.bounds." + t.name() + " " + ex.getMessage()
            + "; remove state.sync to restart the sync");
      }
    }
  }

  /** The table's state, or null when the declaration changed and the table starts over. */
  private TableEntry readTable(Table t, JsonNode entry, List<String> notices) throws ProtocolFailure {
    String where = "state.tables." + t.name();
    if (!entry.isObject()) {
      throw new ProtocolFailure(where + " is not an object; remove it to re-sync the table");
    }
    String changed = changedDeclaration(t, entry);
    if (changed != null) {
      notices.add("table " + t.name() + " starts over: " + changed);
      return null;
    }
    Map<String, Position> parts = Map.of();
    JsonNode block = entry.get("partitions");
    if (block != null && !block.isNull()) {
      parts = partitions.read(block, t.isIncremental() ? t.cursorType() : null, t.tiebreakerType(),
          where + ".partitions");
    }
    return new TableEntry(t.cursorColumn().orElse(null), t.cursorType(), t.tiebreakerColumn(),
        t.tiebreakerType(),
        readPosition(t, entry.get("position"), where + ".position"),
        readPosition(t, entry.get("reread_after"), where + ".reread_after"),
        readPosition(t, entry.get("children_of"), where + ".children_of"),
        readPosition(t, entry.get("tail_after"), where + ".tail_after"),
        parts, readDigest(t, entry.get("digest"), where + ".digest", notices));
  }

  /**
   * A table's delivered digest: {@code {"key": [columns], "delivered": {"<key>": "<hash>"},
   * "seen": {…}}}. Null if there is none, or if it was kept for another primary key (then the
   * table's rows are sent once more).
   */
  private static DigestEntry readDigest(Table t, JsonNode node, String where,
      List<String> notices) throws ProtocolFailure {
    if (node == null || node.isNull()) {
      return null;
    }
    String fix = "; remove it (the table's rows are then sent once more)";
    if (!node.isObject()) {
      throw new ProtocolFailure(where + " is not an object" + fix);
    }
    JsonNode key = node.get("key");
    if (key == null || !key.isArray()) {
      throw new ProtocolFailure(where + ".key is not an array of column names" + fix);
    }
    List<String> columns = new ArrayList<>();
    for (JsonNode c : key) {
      if (!c.isTextual()) {
        throw new ProtocolFailure(where + ".key is not an array of column names" + fix);
      }
      columns.add(c.asText());
    }
    if (!columns.equals(t.primaryKey())) {
      notices.add("table " + t.name() + " had primary key " + columns + ", now " + t.primaryKey()
          + ": what it delivered is forgotten and its rows are sent once more");
      return null;
    }
    return new DigestEntry(columns, readHashes(node.get("delivered"), where + ".delivered", fix),
        readHashes(node.get("seen"), where + ".seen", fix));
  }

  private static Map<String, Long> readHashes(JsonNode node, String where, String fix)
      throws ProtocolFailure {
    Map<String, Long> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      throw new ProtocolFailure(where + " is not an object of row hashes" + fix);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        if (!e.getValue().isTextual()) {
          throw new IllegalArgumentException("a row hash is a string");
        }
        out.put(e.getKey(), RowHash.parse(e.getValue().asText()));
      } catch (IllegalArgumentException ex) {
        throw new ProtocolFailure(where + " holds a value that is not a row hash ("
            + ex.getMessage() + ")" + fix);
      }
    }
    return out;
  }

  private static String changedDeclaration(Table t, JsonNode entry) {
    String cursor = text(entry, "cursor");
    String cursorType = text(entry, "cursor_type");
    String declaredCursorType = t.cursorType() == null ? null : t.cursorType().stateName();
    if (!Objects.equals(cursor, t.cursorColumn().orElse(null))
        || !Objects.equals(cursorType, declaredCursorType)) {
      return "cursor was " + describe(cursor, cursorType) + ", now "
          + describe(t.cursorColumn().orElse(null), declaredCursorType);
    }
    String tb = text(entry, "tiebreaker");
    String tbType = text(entry, "tiebreaker_type");
    if (!Objects.equals(tb, t.tiebreakerColumn())
        || !Objects.equals(tbType, t.tiebreakerType().stateName())) {
      return "tiebreaker was " + describe(tb, tbType) + ", now "
          + describe(t.tiebreakerColumn(), t.tiebreakerType().stateName());
    }
    return null;
  }

  private static String describe(String column, String type) {
    return column == null ? "none" : column + " (" + type + ")";
  }

  private static String text(JsonNode entry, String field) {
    JsonNode n = entry.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static Position readPosition(Table t, JsonNode node, String where) throws ProtocolFailure {
    return readPosition(t.isIncremental(), t.cursorType(), t.tiebreakerType(), node, where);
  }

  private static Position readPosition(boolean incremental, ValueType cursorType,
      ValueType tiebreakerType, JsonNode node, String where) throws ProtocolFailure {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray() || node.size() != 2) {
      throw new ProtocolFailure(where + " is not a [cursor, tiebreaker] pair; remove the table's"
          + " entry to re-sync it");
    }
    Object cursor;
    Object tiebreaker;
    try {
      cursor = incremental ? Values.readState(cursorType, node.get(0)) : null;
    } catch (IllegalArgumentException e) {
      throw new ProtocolFailure(where + "[0] " + e.getMessage() + "; fix it or remove the table's entry");
    }
    try {
      tiebreaker = Values.readState(tiebreakerType, node.get(1));
    } catch (IllegalArgumentException e) {
      throw new ProtocolFailure(where + "[1] " + e.getMessage() + "; fix it or remove the table's entry");
    }
    if (incremental && cursor == null) {
      throw new ProtocolFailure(where + " has no cursor value; fix it or remove the table's entry");
    }
    if (!incremental && tiebreaker == null) {
      throw new ProtocolFailure(where + " has no key; fix it or remove the table's entry");
    }
    return Position.of(cursor, tiebreaker);
  }

  /** The state as compact JSON bytes. */
  byte[] encode(StateSnapshot state) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.factory().createGenerator(out)) {
      write(g, state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private void write(JsonGenerator g, StateSnapshot s) throws IOException {
    g.writeStartObject();
    g.writeNumberField("version", StateSnapshot.VERSION);
    if (s.inSync()) {
      g.writeObjectFieldStart("sync");
      g.writeFieldName("horizon");
      Values.writeState(g, s.horizon());
      g.writeArrayFieldStart("done");
      for (String d : s.done()) {
        g.writeString(d);
      }
      g.writeEndArray();
      if (!s.bounds().isEmpty()) {
        g.writeObjectFieldStart("bounds");
        for (Map.Entry<String, Object> b : s.bounds().entrySet()) {
          g.writeFieldName(b.getKey());
          Values.writeState(g, b.getValue());
        }
        g.writeEndObject();
      }
      g.writeNumberField("empty_responses", s.emptyResponses());
      g.writeEndObject();
    }
    g.writeObjectFieldStart("tables");
    for (Table t : schema.tables()) {
      TableEntry ts = s.tables().get(t.name());
      if (ts != null && !ts.isEmpty()) {
        writeTable(g, t.name(), ts);
      }
    }
    for (Map.Entry<String, JsonNode> u : s.undeclared().entrySet()) {
      g.writeFieldName(u.getKey());
      g.writeTree(u.getValue());
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  private void writeTable(JsonGenerator g, String name, TableEntry ts) throws IOException {
    g.writeObjectFieldStart(name);
    if (ts.cursorColumn() != null) {
      g.writeStringField("cursor", ts.cursorColumn());
      g.writeStringField("cursor_type", ts.cursorType().stateName());
    }
    g.writeStringField("tiebreaker", ts.tiebreakerColumn());
    g.writeStringField("tiebreaker_type", ts.tiebreakerType().stateName());
    writePosition(g, "position", ts.position());
    if (ts.reread() != null) {
      writePosition(g, "reread_after", ts.reread());
    }
    if (ts.childrenOf() != null) {
      writePosition(g, "children_of", ts.childrenOf());
    }
    if (ts.tail() != null) {
      writePosition(g, "tail_after", ts.tail());
    }
    partitions.write(g, ts.cursorColumn() == null ? null : ts.cursorType(), ts.tiebreakerType(),
        ts.partitions());
    if (ts.digest() != null && !ts.digest().isEmpty()) {
      writeDigest(g, ts.digest());
    }
    g.writeEndObject();
  }

  private static void writeDigest(JsonGenerator g, DigestEntry d) throws IOException {
    g.writeObjectFieldStart("digest");
    g.writeArrayFieldStart("key");
    for (String c : d.key()) {
      g.writeString(c);
    }
    g.writeEndArray();
    writeHashes(g, "delivered", d.delivered());
    writeHashes(g, "seen", d.seen());
    g.writeEndObject();
  }

  private static void writeHashes(JsonGenerator g, String field, Map<String, Long> hashes)
      throws IOException {
    if (hashes.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, Long> e : hashes.entrySet()) {
      g.writeStringField(e.getKey(), RowHash.text(e.getValue()));
    }
    g.writeEndObject();
  }

  /**
   * Bytes a table's digest adds to the state beyond its entries: {@code ,"digest":{"key":[…],
   * "delivered":{},"seen":{}}} (the last entry's comma counted as a brace's place).
   */
  static long digestOverhead(Table t) {
    long n = ",\"digest\":{\"key\":[],\"delivered\":{},\"seen\":{}}".length();
    for (String c : t.primaryKey()) {
      n += Digest.entryBytes(c) - 13; // "column", quoted and escaped, with its comma
    }
    return n;
  }

  /**
   * The entry of {@code state.tables} that takes the most bytes, named with its size, for "state
   * too large" errors: a declared table or one this connector no longer declares.
   */
  String largestEntry(StateSnapshot s) {
    String largest = "no table";
    int most = -1;
    for (Map.Entry<String, TableEntry> e : s.tables().entrySet()) {
      int size = entrySize(g -> writeTable(g, e.getKey(), e.getValue()));
      if (size > most) {
        most = size;
        largest = "table " + e.getKey() + " (" + size + " bytes)";
      }
    }
    for (Map.Entry<String, JsonNode> e : s.undeclared().entrySet()) {
      int size = entrySize(g -> {
        g.writeFieldName(e.getKey());
        g.writeTree(e.getValue());
      });
      if (size > most) {
        most = size;
        largest = "state.tables." + e.getKey() + ", a table this connector no longer declares ("
            + size + " bytes)";
      }
    }
    return largest;
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private int entrySize(Writer w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = json.factory().createGenerator(out)) {
      g.writeStartObject();
      w.write(g);
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.size() - 2;
  }

  /**
   * The exact bytes a table's partition block gives up as its entries are forgotten, in order
   * (see {@link PartitionBlock.Walk}).
   *
   * @param cursorType null for a table without a cursor
   */
  PartitionBlock.Walk partitionWalk(ValueType cursorType, ValueType tiebreakerType, int entries) {
    return partitions.walk(cursorType, tiebreakerType, entries);
  }

  /**
   * Bytes {@code p} takes in the encoded state, as {@code [cursor,tiebreaker]}: counted, not
   * written, for the common values (the engine asks for every row's position).
   */
  int positionBytes(Position p) {
    if (p == null) {
      return 4;
    }
    int cursor = IsoText.stateLength(p.cursor());
    int tiebreaker = IsoText.stateLength(p.tiebreaker().orElse(null));
    if (cursor >= 0 && tiebreaker >= 0) {
      return cursor + tiebreaker + 3;
    }
    return writtenPositionBytes(p);
  }

  /** {@link #positionBytes} by writing the position. */
  int writtenPositionBytes(Position p) {
    positionScratch.reset();
    try {
      writePosition(positionGenerator, p);
      positionGenerator.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return positionScratch.size();
  }

  private static void writePosition(JsonGenerator g, String field, Position p) throws IOException {
    g.writeFieldName(field);
    writePosition(g, p);
  }

  private static void writePosition(JsonGenerator g, Position p) throws IOException {
    if (p == null) {
      g.writeNull();
      return;
    }
    g.writeStartArray();
    Values.writeState(g, p.cursor());
    Values.writeState(g, p.tiebreaker().orElse(null));
    g.writeEndArray();
  }

  /** The state's size in bytes as the response will carry it. */
  int size(StateSnapshot s) {
    return encode(s).length;
  }
}
