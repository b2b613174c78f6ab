package dev.tributary;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
  private final Map<String, Object> values;
  private final boolean delete;

  private Row(Map<String, ?> values, boolean delete) {
    Objects.requireNonNull(values, "values");
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>(values.size() * 2);
    for (Map.Entry<String, ?> e : values.entrySet()) {
      copy.put(Objects.requireNonNull(e.getKey(), "column name"), e.getValue());
    }
    this.values = Collections.unmodifiableMap(copy);
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

  /** The row's values by column name, in the order they were given. */
  public Map<String, Object> values() {
    return values;
  }

  /** The value of one column, or {@code null} if absent or null. */
  public Object get(String column) {
    return values.get(column);
  }

  /** True for a delete. */
  public boolean isDelete() {
    return delete;
  }

  /** Column names only: row values never appear in logs or messages. */
  @Override
  public String toString() {
    return (delete ? "Row.delete" : "Row") + values.keySet();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Row && ((Row) o).delete == delete && ((Row) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode() * 31 + (delete ? 1 : 0);
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
