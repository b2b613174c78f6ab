package dev.tributary.destination;

import java.util.List;

/**
 * The result of {@link Destination#query}: column labels and rows as text ({@code null} for SQL
 * NULL), or the number of rows a statement changed.
 */
public record QueryResult(List<String> columns, List<List<String>> rows, long updated) {
  public QueryResult {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }
}
