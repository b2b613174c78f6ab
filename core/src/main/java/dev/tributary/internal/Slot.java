package dev.tributary.internal;

/**
 * Where one position lives: a top-level table, or one parent's partition of a child table.
 *
 * @param table the table's name
 * @param partition the parent key of a child table's partition (canonical JSON of the parent's
 *     primary key); null for a top-level table
 */
record Slot(String table, String partition) {
  static Slot of(String table) {
    return new Slot(table, null);
  }

  static Slot partition(String table, String parentKey) {
    return new Slot(table, parentKey);
  }

  boolean isPartition() {
    return partition != null;
  }

  // Written out rather than generated: a record's generated equals and hashCode bootstrap
  // method handles on first use, which a cold start's first call pays for.
  @Override
  public boolean equals(Object o) {
    return o instanceof Slot s && table.equals(s.table) && java.util.Objects.equals(partition, s.partition);
  }

  @Override
  public int hashCode() {
    return table.hashCode() * 31 + (partition == null ? 0 : partition.hashCode());
  }

  @Override
  public String toString() {
    return partition == null ? table : table + partition;
  }
}
