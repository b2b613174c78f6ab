package dev.tributary;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tables a connector delivers, in the order a sync reads them. Every response names all of
 * them in its {@code schema} with their primary keys.
 */
public final class Schema {
  private final Map<String, Table> tables;

  private Schema(Map<String, Table> tables) {
    this.tables = tables;
  }

  /**
   * A schema of these tables. Names must be unique; a child's parent must be declared, must come
   * before it and must not itself be a child.
   */
  public static Schema of(Table... tables) {
    return of(List.of(tables));
  }

  public static Schema of(List<Table> tables) {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("a schema needs at least one table");
    }
    LinkedHashMap<String, Table> byName = new LinkedHashMap<>();
    for (Table t : tables) {
      t.validate();
      if (byName.put(t.name(), t) != null) {
        throw new IllegalArgumentException("table " + t.name() + " is declared twice");
      }
      if (t.parent().isPresent()) {
        Table parent = byName.get(t.parent().get());
        if (parent == null) {
          throw new IllegalArgumentException("child table " + t.name() + " names parent "
              + t.parent().get() + ", which is not declared before it");
        }
        if (parent.parent().isPresent()) {
          throw new IllegalArgumentException("child table " + t.name() + " names parent "
              + parent.name() + ", which is itself a child; one level of nesting is supported");
        }
      }
    }
    return new Schema(Collections.unmodifiableMap(byName));
  }

  /** All tables in declaration order. */
  public List<Table> tables() {
    return List.copyOf(tables.values());
  }

  public Optional<Table> table(String name) {
    return Optional.ofNullable(tables.get(name));
  }

  /** Tables a sync reads directly (not children), in order. */
  public List<Table> topLevel() {
    List<Table> out = new ArrayList<>();
    for (Table t : tables.values()) {
      if (t.parent().isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /** The children of a table, in order. */
  public List<Table> childrenOf(String parent) {
    List<Table> out = new ArrayList<>();
    for (Table t : tables.values()) {
      if (t.parent().filter(parent::equals).isPresent()) {
        out.add(t);
      }
    }
    return out;
  }
}
