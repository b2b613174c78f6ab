package dev.tributary.destination;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a destination beyond its URL. Immutable; build with {@link #builder()}, change a
 * copy with {@link #newBuilder()}.
 */
public final class DestinationOptions {
  private static final DestinationOptions DEFAULTS = builder().build();

  private final String password;
  private final Map<String, ColumnType> columnTypes;

  private DestinationOptions(Builder b) {
    this.password = b.password;
    this.columnTypes = Map.copyOf(b.columnTypes);
  }

  /** No password beyond the URL's, every column type inferred. */
  public static DestinationOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    Builder b = new Builder();
    b.password = password;
    b.columnTypes.putAll(columnTypes);
    return b;
  }

  /** The password, if given here rather than in the URL (a URL's password wins). */
  public Optional<String> password() {
    return Optional.ofNullable(password);
  }

  /** The declared type of {@code table.column}, if any. */
  public Optional<ColumnType> columnType(String table, String column) {
    return Optional.ofNullable(columnTypes.get(key(table, column)));
  }

  private static String key(String table, String column) {
    return table + "\u0000" + column;
  }

  @Override
  public String toString() {
    return "DestinationOptions{password=" + (password == null ? "none" : "***")
        + ", columnTypes=" + columnTypes.size() + "}";
  }

  /** Builds {@link DestinationOptions}. */
  public static final class Builder {
    private String password;
    private final Map<String, ColumnType> columnTypes = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The database password, kept out of the URL (from an environment variable or a secrets
     * file). Default: none, or the URL's.
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password == null");
      return this;
    }

    /**
     * Declares the type of {@code table.column} instead of inferring it — for values JSON cannot
     * tell apart: bytes sent as base64 ({@link ColumnType#BYTES}), exact decimals sent as strings
     * ({@link ColumnType#DECIMAL}), text that looks like a date ({@link ColumnType#TEXT}).
     * Applies when the column is created.
     */
    public Builder columnType(String table, String column, ColumnType type) {
      Objects.requireNonNull(table, "table == null");
      Objects.requireNonNull(column, "column == null");
      columnTypes.put(key(table, column), Objects.requireNonNull(type, "type == null"));
      return this;
    }

    public DestinationOptions build() {
      return new DestinationOptions(this);
    }
  }
}
