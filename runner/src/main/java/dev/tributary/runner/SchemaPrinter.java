package dev.tributary.runner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.Connector;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints what a connector declares for a connection: tables, keys, cursors, tiebreakers. */
final class SchemaPrinter {
  private SchemaPrinter() {}

  static void print(Connector connector, Map<String, Object> secrets, List<String> configuration,
      boolean json, PrintStream out) throws Exception {
    Secrets s = Secrets.of(secrets);
    Schema schema;
    try {
      schema = connector.schema(s);
    } catch (RuntimeException e) {
      throw new UsageException("the connector's schema(secrets) failed: "
          + s.redact(Main.describe(e)) + " (check --secrets)");
    }
    if (json) {
      ArrayNode tables = Main.JSON.createArrayNode();
      for (Table t : schema.tables()) {
        ObjectNode n = tables.addObject();
        n.put("table", t.name());
        n.put("strategy", t.strategy().name().toLowerCase(Locale.ROOT));
        t.primaryKey().forEach(n.putArray("primary_key")::add);
        t.cursorColumn().ifPresent(c -> n.put("cursor", c));
        if (t.cursorType() != null) {
          n.put("cursor_type", t.cursorType().name().toLowerCase(Locale.ROOT));
        }
        if (t.tiebreakerColumn() != null) {
          n.put("tiebreaker", t.tiebreakerColumn());
          n.put("tiebreaker_type", t.tiebreakerType().name().toLowerCase(Locale.ROOT));
        }
        t.parent().ifPresent(p -> n.put("parent", p));
        if (!t.lookback().isZero()) {
          n.put("lookback", t.lookback().toString());
        }
        n.put("soft_delete", t.isSoftDelete());
      }
      ObjectNode root = Main.JSON.createObjectNode();
      root.put("connector", connector.getClass().getName());
      root.set("tables", tables);
      out.println(root.toString());
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"table", "strategy", "primary key", "cursor", "tiebreaker", "parent",
        "deletes"});
    for (Table t : schema.tables()) {
      rows.add(new String[] {t.name(), t.isIncremental() ? "incremental" : "full refresh",
          String.join(", ", t.primaryKey()),
          t.cursorColumn().map(c -> c + " (" + type(t.cursorType())
              + (t.lookback().isZero() ? "" : ", lookback " + t.lookback()) + ")").orElse("-"),
          t.tiebreakerColumn() == null ? "-"
              : t.tiebreakerColumn() + " (" + type(t.tiebreakerType()) + ")",
          t.parent().orElse("-"), t.isSoftDelete() ? "soft" : "hard"});
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    out.println(connector.getClass().getName() + ": " + schema.tables().size() + " table"
        + (schema.tables().size() == 1 ? "" : "s"));
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder("  ");
      for (int i = 0; i < r.length; i++) {
        sb.append(String.format("%-" + (width[i] + 2) + "s", r[i]));
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  private static String type(Object valueType) {
    return valueType == null ? "?" : valueType.toString().toLowerCase(Locale.ROOT);
  }
}
