package dev.tributary.destination;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The destination contract on a DuckDB file, one per test. */
class DuckDbContractTest extends DestinationContract {
  @TempDir Path dir;

  String url() {
    return "duckdb:" + dir.resolve("warehouse.db");
  }

  @Override
  Destination create() {
    return Destination.open(url());
  }

  @Override
  Destination again() {
    return track(Destination.open(url()));
  }

  @Override
  String urlOf(Destination d) {
    return url();
  }

  @Override
  String alterToIntegerSql(String table, String column) {
    return "ALTER TABLE \"" + table + "\" ALTER \"" + column + "\" TYPE INTEGER";
  }

  @Override
  String createForeignTableSql(String table) {
    return "CREATE TABLE \"" + table + "\" (id INTEGER)";
  }

  @Override
  String qualifiedForQuery(String table) {
    return table;
  }
}
