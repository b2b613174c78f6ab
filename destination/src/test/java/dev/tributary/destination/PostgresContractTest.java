package dev.tributary.destination;

import org.junit.jupiter.api.AfterEach;

/** The destination contract on the machine's PostgreSQL, a schema per test. */
class PostgresContractTest extends DestinationContract {
  final TestPostgres pg = new TestPostgres();

  @AfterEach
  void dropSchema() throws Exception {
    closeAll();
    pg.close();
  }

  @Override
  Destination create() {
    return Destination.open(pg.url());
  }

  @Override
  Destination again() {
    return track(Destination.open(pg.url()));
  }

  @Override
  String urlOf(Destination d) {
    return pg.url();
  }

  @Override
  String alterToIntegerSql(String table, String column) {
    return "ALTER TABLE " + qualifiedForQuery(table) + " ALTER COLUMN \"" + column
        + "\" TYPE integer USING \"" + column + "\"::integer";
  }

  @Override
  String createForeignTableSql(String table) {
    return "CREATE TABLE " + qualifiedForQuery(table) + " (id integer)";
  }

  @Override
  String qualifiedForQuery(String table) {
    return pg.schema + "." + table;
  }
}
