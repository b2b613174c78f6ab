package dev.tributary.runner;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints query results as an aligned text table. */
final class Tables {
  private static final int MAX_WIDTH = 60;

  private Tables() {}

  /** Prints {@code columns} and {@code rows} (null for SQL NULL); returns the number of rows. */
  static int print(List<String> columns, List<List<String>> values, PrintStream out) {
    int n = columns.size();
    List<String[]> rows = new ArrayList<>();
    String[] header = columns.toArray(new String[0]);
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      width[i] = header[i].length();
    }
    for (List<String> value : values) {
      String[] row = new String[n];
      for (int i = 0; i < n; i++) {
        String v = value.get(i);
        v = v == null ? "NULL" : v;
        if (v.length() > MAX_WIDTH) {
          v = v.substring(0, MAX_WIDTH - 1) + "…";
        }
        row[i] = v;
        width[i] = Math.max(width[i], v.length());
      }
      rows.add(row);
    }
    line(out, header, width);
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < n; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    out.println(rule);
    for (String[] r : rows) {
      line(out, r, width);
    }
    out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
    return rows.size();
  }

  private static void line(PrintStream out, String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      sb.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", cells[i]));
    }
    out.println(sb.toString().stripTrailing());
  }
}
