package dev.tributary.examples.postgres;

import static dev.tributary.examples.postgres.TestDatabase.SETTLED_NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.runner.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector as Fivetran runs it: the runner's {@code sync} in process, into a DuckDB
 * warehouse with the engine's default settings (30-second settle lag, pages of 1,000), and
 * without Fivetran into PostgreSQL ({@code --destination}) with pages and responses far smaller
 * than the ties. Writes use {@link TestDatabase#SETTLED_NOW} as their cursor so the next sync
 * covers them.
 */
class PostgresThroughRunnerTest {
  private TestDatabase db;
  /** The PostgreSQL destination's schema (in the same database as the source). */
  private final String destination = "tributary_dest_"
      + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  @TempDir Path dir;

  @BeforeEach
  void createTables() throws Exception {
    db = new TestDatabase();
    db.exec(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL,"
            + " amount numeric(12,2), tags text[], attrs jsonb, updated_at timestamptz NOT NULL)",
        "CREATE TABLE orders_deleted (id bigint NOT NULL, deleted_at timestamptz NOT NULL)",
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text, vip boolean,"
            + " deleted boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL)",
        "CREATE TABLE currencies (code text PRIMARY KEY, id bigint NOT NULL, name text)",
        "INSERT INTO orders SELECT g, 'c' || (g % 7), g * 1.25, ARRAY['a', 'b' || g],"
            + " jsonb_build_object('n', g, 'nested', jsonb_build_object('ok', g % 2 = 0)),"
            + " " + SETTLED_NOW + " - g * interval '1 minute' FROM generate_series(1, 250) g",
        "INSERT INTO customers SELECT g, 'u' || g || '@example.com', g % 3 = 0, false,"
            + " " + SETTLED_NOW + " - interval '1 day' FROM generate_series(1, 40) g",
        "INSERT INTO currencies VALUES ('EUR', 1, 'Euro'), ('USD', 2, 'US dollar'),"
            + " ('JPY', 3, 'Yen')");
  }

  @AfterEach
  void dropTables() throws Exception {
    System.clearProperty(PostgresConnector.TABLES_PROPERTY);
    db.close();
    try (Connection pg = TestDatabase.connect(); java.sql.Statement st = pg.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + destination + " CASCADE");
    }
  }

  private String tables() {
    return "[{\"name\": \"orders\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": [\"id\"], \"cursor\": \"updated_at\", \"tiebreaker\": \"id\","
        + " \"deletes\": {\"tombstone_table\": \"orders_deleted\","
        + " \"tombstone_cursor\": \"deleted_at\"}},"
        + " {\"name\": \"customers\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": \"id\", \"cursor\": \"updated_at\","
        + " \"deletes\": {\"column\": \"deleted\"}, \"destination_deletes\": \"soft\"},"
        + " {\"name\": \"currencies\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": \"code\", \"tiebreaker_type\": \"string\"}]";
  }

  @Test
  void warehouseEqualsTheTablesAfterInsertsUpdatesAndBothKindsOfDelete() throws Exception {
    System.setProperty(PostgresConnector.TABLES_PROPERTY, tables());
    Path secrets = dir.resolve("secrets.json");
    Files.writeString(secrets, new ObjectMapper().writeValueAsString(db.secrets(tables())));

    sync(secrets);
    assertWarehouseEqualsSource();

    changeEverything();
    sync(secrets);
    assertWarehouseEqualsSource();
  }

  /** Inserts, updates sharing one timestamp (a tie of 25), hard and soft deletes, a full refresh. */
  private void changeEverything() throws Exception {
    db.exec(
        "INSERT INTO orders VALUES (1001, 'new', 99999.99, '{}', '{\"n\": 1001}', " + SETTLED_NOW + ")",
        "UPDATE orders SET amount = amount + 0.01, tags = tags || ARRAY['changed'],"
            + " updated_at = " + SETTLED_NOW + " WHERE id % 10 = 0",
        "DELETE FROM orders WHERE id IN (3, 4, 5)",
        "INSERT INTO orders_deleted SELECT g, " + SETTLED_NOW + " FROM generate_series(3, 5) g",
        "UPDATE customers SET deleted = true, updated_at = " + SETTLED_NOW + " WHERE id IN (7, 8)",
        "UPDATE customers SET email = NULL, vip = true, updated_at = " + SETTLED_NOW
            + " WHERE id = 9",
        "INSERT INTO customers VALUES (41, 'x@example.com', false, false, " + SETTLED_NOW + ")",
        "DELETE FROM currencies WHERE code = 'JPY'",
        "UPDATE currencies SET name = 'Euro (EUR)' WHERE code = 'EUR'");
  }

  @Test
  void postgresDestinationEqualsTheTablesAfterEachRoundOfDeletesTiesAndReinserts()
      throws Exception {
    System.setProperty(PostgresConnector.TABLES_PROPERTY, tables());
    Path secrets = dir.resolve("secrets.json");
    Files.writeString(secrets, new ObjectMapper().writeValueAsString(db.secrets(tables())));
    String url = "postgresql://postgres@127.0.0.1:5432/test?schema=" + destination;
    // Pages of 7 and responses of 40 rows: every tie spans pages and responses.
    String[] small = {"--destination", url, "--connection", "pg-example",
        "--env", "TRIBUTARY_PAGE_SIZE=7", "--env", "TRIBUTARY_MAX_ROWS=40"};

    sync(secrets, small);
    assertDestinationEqualsSource();

    changeEverything();
    sync(secrets, small);
    assertDestinationEqualsSource();

    // Re-inserts: deleted orders come back under their old ids, a soft-deleted customer is live
    // again, a deleted currency is back; all in one more tie.
    db.exec(
        "INSERT INTO orders VALUES (3, 'back', 3.33, '{}', '{\"n\": 3}', " + SETTLED_NOW + "),"
            + " (4, 'back', 4.44, '{}', NULL, " + SETTLED_NOW + ")",
        "UPDATE customers SET deleted = false, updated_at = " + SETTLED_NOW + " WHERE id = 7",
        "INSERT INTO currencies VALUES ('JPY', 3, 'Yen (again)')",
        "UPDATE orders SET customer = 'tie', updated_at = " + SETTLED_NOW + " WHERE id < 60");
    sync(secrets, small);
    assertDestinationEqualsSource();
    sync(secrets, small); // nothing changed: nothing changes
    assertDestinationEqualsSource();
  }

  private void assertDestinationEqualsSource() throws Exception {
    try (Connection dest = TestDatabase.connect()) {
      try (java.sql.Statement st = dest.createStatement()) {
        st.execute("SET search_path TO " + destination);
      }
      assertEqualsSource(dest);
    }
  }

  private void sync(Path secrets, String... extra) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("sync", "--dir",
        dir.toString(), "--connector", PostgresConnector.class.getName(), "--secrets",
        secrets.toString(), "--quiet"));
    args.addAll(java.util.List.of(extra));
    int code = Main.run(args.toArray(new String[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, output);
    assertFalse(output.contains(TestDatabase.PASSWORD), output);
  }

  private void assertWarehouseEqualsSource() throws Exception {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.db"))) {
      assertEqualsSource(duck);
    }
  }

  /** The destination on {@code duck} (DuckDB or PostgreSQL) holds what the source tables do. */
  private void assertEqualsSource(Connection duck) throws Exception {
    try (Connection pg = TestDatabase.connect()) {
      Map<String, String> orders = Tables.types(pg, db.schema + ".orders");
      Tables.assertSameRows(Tables.source(pg, "SELECT * FROM " + db.schema + ".orders", orders),
          Tables.warehouse(duck, "SELECT * FROM orders", orders), "orders");

      // Soft-deleted in the source → kept and marked _fivetran_deleted in the destination.
      Map<String, String> customers = Tables.types(pg, db.schema + ".customers");
      customers.remove("deleted");
      Tables.assertSameRows(
          Tables.source(pg, "SELECT * FROM " + db.schema + ".customers WHERE NOT deleted", customers),
          Tables.warehouse(duck, "SELECT * FROM customers WHERE NOT _fivetran_deleted", customers),
          "live customers");
      assertEquals(
          Tables.ids(Tables.source(pg, "SELECT id FROM " + db.schema + ".customers WHERE deleted",
              Map.of())),
          Tables.ids(Tables.warehouse(duck, "SELECT id FROM customers WHERE _fivetran_deleted",
              Map.of())),
          "soft-deleted customers");

      // A full-refresh table upserts what exists; rows gone from the source stay in the
      // destination (Fivetran's semantics for a re-sent table without deletes), so compare the
      // source's rows.
      Map<String, String> currencies = Tables.types(pg, db.schema + ".currencies");
      Map<Long, Map<String, Object>> wh = Tables.warehouse(duck, "SELECT * FROM currencies",
          currencies);
      Tables.source(pg, "SELECT * FROM " + db.schema + ".currencies", currencies)
          .forEach((id, row) -> assertEquals(row, wh.get(id), "currency " + id));
    }
  }
}
