package dev.tributary.examples.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.MissingSecretException;
import dev.tributary.Table;
import dev.tributary.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of the {@code tables} configuration, parsed and checked. Every message names the
 * setting by its path ({@code secrets.tables[1].cursor}), never a secret value.
 *
 * @param path where this entry came from, for messages: {@code secrets.tables[1]}
 */
record TableSpec(
    String path,
    String name,
    String sourceSchema,
    String sourceTable,
    List<String> primaryKey,
    String cursor,
    ValueType cursorType,
    String tiebreaker,
    ValueType tiebreakerType,
    Deletes deletes,
    boolean softDeleteInDestination,
    NullCursor nullCursor,
    Visibility visibility,
    long lookbackValues) {

  /**
   * How a number cursor (a sequence) is kept from passing an id whose transaction is still open:
   * {@code SNAPSHOT} waits, at each sync's start, for the transactions writing at that moment
   * (see {@link PostgresConnector#visibilityHorizon}); {@code NONE} reads unbounded (append-only
   * tables written by one session, or with a {@code lookback_values} window instead).
   */
  enum Visibility { SNAPSHOT, NONE }

  /** What to do with rows whose cursor is NULL (they can never be read by a keyset). */
  enum NullCursor {
    /** Fail the sync, naming the table and column (the default: nothing is skipped silently). */
    FAIL,
    /** Leave such rows out; for tables where a NULL cursor means "not ready yet". */
    SKIP
  }

  /**
   * Where deletes come from: a tombstone table ({@code tombstoneTable} set) or a soft-delete
   * column of the table itself ({@code column} set).
   */
  record Deletes(String tombstoneSchema, String tombstoneTable, String tombstoneCursor,
      String column) {
    boolean isTombstone() {
      return tombstoneTable != null;
    }
  }

  private static final Set<String> KEYS = Set.of("name", "source_schema", "source_table",
      "primary_key", "cursor", "cursor_type", "tiebreaker", "tiebreaker_type", "deletes",
      "destination_deletes", "null_cursor", "visibility", "lookback_values");
  private static final Set<String> TOMBSTONE_KEYS = Set.of("tombstone_table", "tombstone_schema",
      "tombstone_cursor");
  private static final ObjectMapper JSON = new ObjectMapper();

  boolean isIncremental() {
    return cursor != null;
  }

  /** The table as the engine sees it. */
  Table toTable() {
    Table t = isIncremental()
        ? Table.incremental(name).cursor(cursor, cursorType)
        : Table.fullRefresh(name);
    t = t.primaryKey(primaryKey.toArray(String[]::new)).tiebreaker(tiebreaker, tiebreakerType);
    if (lookbackValues > 0) {
      t = t.lookback(lookbackValues);
    }
    return softDeleteInDestination ? t.softDelete() : t;
  }

  /**
   * The first setting in which {@code other} differs from this entry, as "cursor updated_at vs
   * modified_at"; null when they describe the same table.
   */
  String differenceFrom(TableSpec other) {
    Map<String, Object[]> fields = new LinkedHashMap<>();
    fields.put("name", new Object[] {name, other.name});
    fields.put("source_schema", new Object[] {sourceSchema, other.sourceSchema});
    fields.put("source_table", new Object[] {sourceTable, other.sourceTable});
    fields.put("primary_key", new Object[] {primaryKey, other.primaryKey});
    fields.put("cursor", new Object[] {cursor, other.cursor});
    fields.put("cursor_type", new Object[] {cursorType, other.cursorType});
    fields.put("tiebreaker", new Object[] {tiebreaker, other.tiebreaker});
    fields.put("tiebreaker_type", new Object[] {tiebreakerType, other.tiebreakerType});
    fields.put("deletes", new Object[] {deletes, other.deletes});
    fields.put("destination_deletes",
        new Object[] {softDeleteInDestination, other.softDeleteInDestination});
    fields.put("null_cursor", new Object[] {nullCursor, other.nullCursor});
    fields.put("visibility", new Object[] {visibility, other.visibility});
    fields.put("lookback_values", new Object[] {lookbackValues, other.lookbackValues});
    for (Map.Entry<String, Object[]> e : fields.entrySet()) {
      if (!Objects.equals(e.getValue()[0], e.getValue()[1])) {
        return e.getKey() + " " + e.getValue()[0] + " vs " + e.getValue()[1];
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing

  /**
   * Parses a {@code tables} value: a list of objects, or the same as JSON text (Fivetran sends
   * secrets as a flat string map on newer connections).
   *
   * @param setting the setting's name for messages, e.g. {@code secrets.tables}
   * @throws MissingSecretException naming the first setting that is missing or wrong
   */
  static List<TableSpec> parseAll(String setting, Object value) {
    if (value == null || (value instanceof String && ((String) value).isBlank())) {
      throw new MissingSecretException(setting + " is missing; list the tables to sync, e.g."
          + " [{\"name\": \"orders\", \"primary_key\": [\"id\"], \"cursor\": \"updated_at\"}]");
    }
    if (value instanceof String) {
      try {
        value = JSON.readValue((String) value, Object.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new MissingSecretException(setting + " is not valid JSON: "
            + e.getOriginalMessage());
      }
    }
    if (!(value instanceof List) || ((List<?>) value).isEmpty()) {
      throw new MissingSecretException(setting + " must be a non-empty list of table objects");
    }
    List<TableSpec> out = new ArrayList<>();
    List<?> list = (List<?>) value;
    for (int i = 0; i < list.size(); i++) {
      String path = setting + "[" + i + "]";
      if (!(list.get(i) instanceof Map)) {
        throw new MissingSecretException(path + " must be an object");
      }
      TableSpec spec = parse(path, (Map<?, ?>) list.get(i));
      for (TableSpec before : out) {
        if (before.name.equals(spec.name)) {
          throw new MissingSecretException(path + ".name " + spec.name + " repeats "
              + before.path + ".name; destination table names must be unique");
        }
      }
      out.add(spec);
    }
    return List.copyOf(out);
  }

  static TableSpec parse(String path, Map<?, ?> m) {
    for (Object k : m.keySet()) {
      if (!KEYS.contains(String.valueOf(k))) {
        throw new MissingSecretException(path + "." + k + " is not a setting; the settings are "
            + new java.util.TreeSet<>(KEYS));
      }
    }
    String name = requireText(path, m, "name");
    String schema = text(path, m, "source_schema", "public");
    String table = text(path, m, "source_table", name);
    List<String> pk = columns(path + ".primary_key", m.get("primary_key"));
    String cursor = text(path, m, "cursor", null);
    ValueType cursorType = null;
    if (cursor != null) {
      cursorType = choice(path, m, "cursor_type", "timestamp",
          Map.of("timestamp", ValueType.TIMESTAMP, "date", ValueType.DATE,
              "number", ValueType.NUMBER));
    } else if (m.containsKey("cursor_type")) {
      throw new MissingSecretException(path + ".cursor_type is set but " + path
          + ".cursor is missing; add the cursor column, or remove cursor_type for a full refresh");
    }
    String tiebreaker = text(path, m, "tiebreaker", null);
    if (tiebreaker == null) {
      if (pk.size() != 1) {
        throw new MissingSecretException(path + ".tiebreaker is missing; with a composite"
            + " primary_key name a column unique among rows that share a cursor value");
      }
      tiebreaker = pk.get(0);
    }
    ValueType tiebreakerType = choice(path, m, "tiebreaker_type", "number",
        Map.of("number", ValueType.NUMBER, "string", ValueType.STRING));
    Deletes deletes = deletes(path + ".deletes", m.get("deletes"), schema, cursor);
    boolean soft = choice(path, m, "destination_deletes", "hard",
        Map.of("hard", Boolean.FALSE, "soft", Boolean.TRUE));
    NullCursor nullCursor = choice(path, m, "null_cursor", "fail",
        Map.of("fail", NullCursor.FAIL, "skip", NullCursor.SKIP));
    if (cursor == null && m.containsKey("null_cursor")) {
      throw new MissingSecretException(path + ".null_cursor is set but " + path
          + ".cursor is missing");
    }
    boolean numberCursor = cursorType == ValueType.NUMBER;
    if (!numberCursor && (m.containsKey("visibility") || m.containsKey("lookback_values"))) {
      throw new MissingSecretException(path + ".visibility and " + path + ".lookback_values apply"
          + " to number cursors only (cursor_type \"number\"); remove them");
    }
    Visibility visibility = numberCursor
        ? choice(path, m, "visibility", "snapshot",
            Map.of("snapshot", Visibility.SNAPSHOT, "none", Visibility.NONE))
        : Visibility.NONE;
    long lookbackValues = 0;
    Object lb = m.get("lookback_values");
    if (lb != null) {
      if (!(lb instanceof Number) || ((Number) lb).longValue() < 0
          || ((Number) lb).doubleValue() != ((Number) lb).longValue()) {
        throw new MissingSecretException(path + ".lookback_values must be a whole number of"
            + " cursor values to re-read each sync, such as 1000");
      }
      lookbackValues = ((Number) lb).longValue();
    }
    return new TableSpec(path, name, schema, table, pk, cursor, cursorType, tiebreaker,
        tiebreakerType, deletes, soft, nullCursor, visibility, lookbackValues);
  }

  private static Deletes deletes(String path, Object v, String schema, String cursor) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map)) {
      throw new MissingSecretException(path + " must be an object: {\"tombstone_table\": …}"
          + " or {\"column\": …}");
    }
    Map<?, ?> m = (Map<?, ?>) v;
    boolean tombstone = m.containsKey("tombstone_table");
    boolean column = m.containsKey("column");
    if (tombstone == column) {
      throw new MissingSecretException(path + " needs exactly one of tombstone_table (a table"
          + " of deleted keys) or column (a soft-delete column of the table)");
    }
    if (column) {
      if (m.size() != 1) {
        throw new MissingSecretException(path + " with column takes no other setting");
      }
      return new Deletes(null, null, null, requireText(path, m, "column"));
    }
    for (Object k : m.keySet()) {
      if (!TOMBSTONE_KEYS.contains(String.valueOf(k))) {
        throw new MissingSecretException(path + "." + k + " is not a setting; the settings are "
            + new java.util.TreeSet<>(TOMBSTONE_KEYS));
      }
    }
    if (cursor == null) {
      throw new MissingSecretException(path + ".tombstone_table needs an incremental table"
          + " (set the table's cursor); a full-refresh table has no position to read"
          + " tombstones after");
    }
    return new Deletes(text(path, m, "tombstone_schema", schema),
        requireText(path, m, "tombstone_table"), text(path, m, "tombstone_cursor", cursor), null);
  }

  private static List<String> columns(String path, Object v) {
    if (v == null) {
      throw new MissingSecretException(path + " is missing");
    }
    List<String> out = new ArrayList<>();
    if (v instanceof String) {
      out.add((String) v);
    } else if (v instanceof List) {
      for (Object o : (List<?>) v) {
        if (!(o instanceof String)) {
          throw new MissingSecretException(path + " must list column names");
        }
        out.add((String) o);
      }
    } else {
      throw new MissingSecretException(path + " must be a column name or a list of them");
    }
    if (out.isEmpty() || out.stream().anyMatch(String::isBlank)) {
      throw new MissingSecretException(path + " must name at least one column, none blank");
    }
    if (out.stream().distinct().count() != out.size()) {
      throw new MissingSecretException(path + " repeats a column");
    }
    return List.copyOf(out);
  }

  private static String requireText(String path, Map<?, ?> m, String key) {
    String v = text(path, m, key, null);
    if (v == null) {
      throw new MissingSecretException(path + "." + key + " is missing");
    }
    return v;
  }

  private static String text(String path, Map<?, ?> m, String key, String fallback) {
    Object v = m.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String) || ((String) v).isBlank()) {
      throw new MissingSecretException(path + "." + key + " must be a non-blank string");
    }
    return (String) v;
  }

  private static <T> T choice(String path, Map<?, ?> m, String key, String fallback,
      Map<String, T> options) {
    String v = text(path, m, key, fallback).toLowerCase(Locale.ROOT);
    T t = options.get(v);
    if (t == null) {
      throw new MissingSecretException(path + "." + key + " must be one of "
          + new java.util.TreeSet<>(options.keySet()) + ", not \"" + m.get(key) + "\"");
    }
    return t;
  }
}
