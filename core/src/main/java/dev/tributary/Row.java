package dev.tributary;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One row a connector hands to the engine: either an upsert (the row's current values) or a
 * delete (the key of a row that no longer exists, plus its cursor and tiebreaker so the engine
 * can place it in the read order).
 *
 * <p>Values may be {@code null}, {@link String}, {@link Boolean}, any {@link Number},
 * {@link java.time.Instant}, {@link java.time.OffsetDateTime}, {@link java.time.ZonedDateTime},
 * {@link java.time.LocalDate}, {@link java.time.LocalDateTime}, {@link java.util.Date},
 * {@code byte[]} (sent as base64), {@link java.util.UUID}, enums, and {@link Map}s and
 * {@link java.util.List}s of those. Timestamps are written as ISO-8601 UTC strings.
 *
 * <p>Immutable; column order is kept.
 */
public final class Row {
  /** The columns; for a row read by {@link JsonRows}, parsed from its bytes when first asked. */
  private Columns values;
  private final boolean delete;
  /** A row read by {@link JsonRows}: its record's bytes, and the columns read from them. */
  private final byte[] json;
  private final int jsonOffset;
  private final int jsonLength;
  private final String[] readNames;
  private final Object[] readValues;

  private Row(Map<String, ?> values, boolean delete) {
    Objects.requireNonNull(values, "values");
    int n = values.size();
    String[] names = new String[n];
    Object[] data = new Object[n];
    int i = 0;
    for (Map.Entry<String, ?> e : values.entrySet()) {
      names[i] = Objects.requireNonNull(e.getKey(), "column name");
      data[i++] = e.getValue();
    }
    this.values = new Columns(names, data, i);
    this.delete = delete;
    this.json = null;
    this.jsonOffset = 0;
    this.jsonLength = 0;
    this.readNames = null;
    this.readValues = null;
  }

  /** A row kept as its source's JSON record, with the columns the engine needs already read. */
  Row(byte[] json, int offset, int length, String[] readNames, Object[] readValues,
      boolean delete) {
    this.json = json;
    this.jsonOffset = offset;
    this.jsonLength = length;
    this.readNames = readNames;
    this.readValues = readValues;
    this.delete = delete;
  }

  /** An upsert: the row's current values. */
  public static Row of(Map<String, ?> values) {
    return new Row(values, false);
  }

  /**
   * A delete: the deleted row's primary-key columns, and for an incremental table also its
   * cursor and tiebreaker columns (for example the time the source recorded the deletion).
   */
  public static Row delete(Map<String, ?> keyAndCursor) {
    return new Row(keyAndCursor, true);
  }

  /** A builder for an upsert row, for connectors that assemble rows column by column. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The row's values by column name, in the order they were given. For a row read by
   * {@link JsonRows}, parsed from the record on first use (numbers as {@link Long} or
   * {@link java.math.BigDecimal}, nested values as Jackson trees).
   */
  public Map<String, Object> values() {
    Columns v = values;
    if (v == null) {
      v = JsonRows.parse(json, jsonOffset, jsonLength);
      values = v; // immutable and the same every time: a race only parses twice
    }
    return v;
  }

  /** The value of one column, or {@code null} if absent or null. */
  public Object get(String column) {
    if (readNames != null) {
      for (int i = 0; i < readNames.length; i++) {
        if (readNames[i] == column || readNames[i].equals(column)) {
          return readValues[i];
        }
      }
    }
    return values().get(column);
  }

  /**
   * True for a row read by {@link JsonRows}: the engine copies its record's bytes into the
   * response as they are, without building its values.
   */
  public boolean isSourceJson() {
    return json != null;
  }

  /**
   * Writes the record's bytes exactly as the source sent them (a row read by {@link JsonRows});
   * writes nothing for another row.
   */
  public void writeSourceJsonTo(java.io.OutputStream out) throws java.io.IOException {
    if (json != null) {
      out.write(json, jsonOffset, jsonLength);
    }
  }

  /** The same values as a delete: for a source's tombstone record. */
  public Row asDelete() {
    if (delete) {
      return this;
    }
    if (json != null) {
      return new Row(json, jsonOffset, jsonLength, readNames, readValues, true);
    }
    return new Row(values, true);
  }

  /**
   * A row's columns in two arrays, in order: a fraction of a hash map's memory, a lookup that
   * scans a few names (identical strings first: column names are usually constants), and
   * iteration without an entry per column. Immutable; equal to any map of the same entries.
   */
  static final class Columns extends AbstractMap<String, Object> {
    private final String[] names;
    private final Object[] data;
    private final int size;

    Columns(String[] names, Object[] data, int size) {
      this.names = names;
      this.data = data;
      this.size = size;
    }

    private int indexOf(Object column) {
      for (int i = 0; i < size; i++) {
        if (names[i] == column) {
          return i;
        }
      }
      if (column != null) {
        for (int i = 0; i < size; i++) {
          if (names[i].equals(column)) {
            return i;
          }
        }
      }
      return -1;
    }

    @Override
    public Object get(Object column) {
      int i = indexOf(column);
      return i < 0 ? null : data[i];
    }

    @Override
    public boolean containsKey(Object column) {
      return indexOf(column) >= 0;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
      for (int i = 0; i < size; i++) {
        action.accept(names[i], data[i]);
      }
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return size;
        }

        @Override
        public Iterator<Map.Entry<String, Object>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < size;
            }

            @Override
            public Map.Entry<String, Object> next() {
              if (next >= size) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return new AbstractMap.SimpleImmutableEntry<>(names[i], data[i]);
            }
          };
        }
      };
    }
  }

  /** True for a delete. */
  public boolean isDelete() {
    return delete;
  }

  /** Column names only: row values never appear in logs or messages. */
  @Override
  public String toString() {
    return (delete ? "Row.delete" : "Row") + values().keySet();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Row && ((Row) o).delete == delete && ((Row) o).values().equals(values());
  }

  @Override
  public int hashCode() {
    return values().hashCode() * 31 + (delete ? 1 : 0);
  }

  /** Collects columns for an upsert {@link Row}. Not thread-safe. */
  public static final class Builder {
    private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();

    private Builder() {}

    public Builder set(String column, Object value) {
      values.put(Objects.requireNonNull(column, "column"), value);
      return this;
    }

    public Row build() {
      return new Row(values, false);
    }
  }
}
