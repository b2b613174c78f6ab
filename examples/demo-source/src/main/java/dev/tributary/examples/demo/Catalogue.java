package dev.tributary.examples.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The product catalogue: its current rows by {@code sku}, and nothing else. Unlike a
 * {@link Resource} it has no change feed — a removed product is simply gone, with no tombstone —
 * so a reader can only list it whole, in {@code sku} order, and find out what changed or
 * disappeared by comparing with what it read before (what a full-refresh table does).
 *
 * <p>Skus are {@code SKU-00001}, {@code SKU-00002}, …: zero-padded, so their text order is
 * their number order, allocated in increasing order and never reused. Entries are immutable maps
 * in the order the API serialises them. Not thread-safe: the {@link DemoSource} holds its lock
 * around every call.
 */
final class Catalogue {
  final String name;

  private final TreeMap<String, Map<String, Object>> bySku = new TreeMap<>();
  private long lastNumber;

  Catalogue(String name) {
    this.name = name;
  }

  /** A new sku, after every sku given so far (removed ones included). */
  String nextSku() {
    return String.format("SKU-%05d", ++lastNumber);
  }

  /**
   * Inserts or replaces the product {@code sku}, stamped {@code updated_at = at}.
   *
   * @param columns the product's columns except {@code sku} and {@code updated_at}
   */
  void put(String sku, Instant at, Map<String, Object> columns) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("sku", sku);
    row.putAll(columns);
    row.put("updated_at", at.toString());
    bySku.put(sku, Collections.unmodifiableMap(row));
  }

  /** Removes the product {@code sku}, leaving no trace. */
  void remove(String sku) {
    if (bySku.remove(sku) == null) {
      throw new IllegalArgumentException(name + " " + sku + " is not in the catalogue");
    }
  }

  /** The product {@code sku}, or null. */
  Map<String, Object> get(String sku) {
    return bySku.get(sku);
  }

  /** Skus of the catalogue, ascending. */
  List<String> skus() {
    return new ArrayList<>(bySku.keySet());
  }

  /** Products by primary key ({@code [sku]}), ascending. */
  Map<List<Object>, Map<String, Object>> snapshot() {
    Map<List<Object>, Map<String, Object>> out = new LinkedHashMap<>();
    bySku.forEach((sku, row) -> out.put(List.of(sku), row));
    return out;
  }

  /** Up to {@code limit} products in sku order, strictly after {@code afterSku} (from the start when null). */
  Resource.Page page(String afterSku, int limit) {
    NavigableMap<String, Map<String, Object>> range =
        afterSku == null ? bySku : bySku.tailMap(afterSku, false);
    List<Map<String, Object>> entries = new ArrayList<>(Math.min(limit, range.size()));
    for (Map<String, Object> entry : range.values()) {
      if (entries.size() == limit) {
        return new Resource.Page(entries, true);
      }
      entries.add(entry);
    }
    return new Resource.Page(entries, false);
  }
}
