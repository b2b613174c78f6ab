package dev.tributary.runner;

import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Prints query results as an aligned text table. */
final class Tables {
  private static final int MAX_WIDTH = 60;

  private Tables() {}

  static int print(ResultSet rs, PrintStream out) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[n];
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      header[i] = md.getColumnLabel(i + 1);
      width[i] = header[i].length();
    }
    while (rs.next()) {
      String[] row = new String[n];
      for (int i = 0; i < n; i++) {
        String v = rs.getString(i + 1);
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
