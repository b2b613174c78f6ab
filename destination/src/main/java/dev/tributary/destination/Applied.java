package dev.tributary.destination;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one applied response changed, per table in the order the response named them.
 *
 * @param tables table → rows upserted (or appended) and rows deleted; deletes of keys the table
 *     never held count as delivered
 * @param batch the {@code _fivetran_batch} of rows this response appended
 */
public record Applied(Map<String, Counts> tables, long batch) {
  /** Rows of one table in one response. */
  public record Counts(long upserted, long deleted) {}

  public Applied {
    tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
  }

  /** Rows upserted and deleted in all tables. */
  public long rows() {
    return tables.values().stream().mapToLong(c -> c.upserted() + c.deleted()).sum();
  }
}
