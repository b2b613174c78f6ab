package dev.tributary.destination;

/**
 * The type of a destination column, inferred from JSON values or declared with {@link
 * DestinationOptions.Builder#columnType}.
 *
 * <p>Inference: {@code true}/{@code false} → {@link #BOOLEAN}; integers → {@link #INTEGER} (64
 * bits), {@link #BIG_INTEGER} beyond; other numbers → {@link #DECIMAL}; strings that are ISO-8601
 * instants with an offset and at most microseconds → {@link #TIMESTAMP}, {@code yyyy-MM-dd} →
 * {@link #DATE} (real calendar dates and clock times only), other strings → {@link #TEXT};
 * objects and arrays → {@link #JSON}. Nulls never decide a type. {@link #BYTES} is never
 * inferred (base64 looks like text): declare it.
 *
 * <p>Widening, when a value no longer fits: {@code INTEGER → BIG_INTEGER → DECIMAL} among
 * numbers, anything else to {@link #TEXT}. A declared column never widens; a value that does not
 * fit it fails the response with a message naming the column.
 *
 * <p>As stored: PostgreSQL {@code boolean, bigint, numeric, numeric, timestamptz, date, text,
 * jsonb, bytea}; DuckDB {@code BOOLEAN, BIGINT, HUGEINT} (beyond 128 bits {@code VARCHAR}),
 * {@code DOUBLE, TIMESTAMPTZ, DATE, VARCHAR, JSON, BLOB}. PostgreSQL keeps every digit of a
 * number; DuckDB's {@code DOUBLE} rounds decimals.
 */
public enum ColumnType {
  BOOLEAN,
  INTEGER,
  BIG_INTEGER,
  DECIMAL,
  TIMESTAMP,
  DATE,
  TEXT,
  JSON,
  /** Bytes, sent as base64 strings (how Tributary writes {@code byte[]}). */
  BYTES
}
