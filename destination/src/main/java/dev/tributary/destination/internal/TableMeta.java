package dev.tributary.destination.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the destination knows of one of its tables: owner, key and columns in table order. */
final class TableMeta {
  final String connection;
  List<String> primaryKey;
  final Map<String, Column> columns = new LinkedHashMap<>();

  TableMeta(String connection, List<String> primaryKey) {
    this.connection = connection;
    this.primaryKey = List.copyOf(primaryKey);
  }

  boolean appendOnly() {
    return primaryKey.isEmpty();
  }
}
