package dev.tributary.examples.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.MissingSecretException;
import dev.tributary.testing.FakeFivetran;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every configuration mistake fails with a message that names the setting; no secret leaks. */
class ConfigurationTest {
  private TestDatabase db;
  private final List<String> log = new ArrayList<>();

  @BeforeEach
  void createTable() throws Exception {
    db = new TestDatabase();
    db.exec("CREATE TABLE orders (id bigint PRIMARY KEY, code text NOT NULL,"
        + " updated_at timestamptz, local_at timestamp)");
  }

  @AfterEach
  void dropTable() throws Exception {
    db.close();
  }

  private String orders(String extra) {
    return "[{\"name\": \"orders\", \"source_schema\": \"" + db.schema + "\","
        + " \"primary_key\": [\"id\"], \"cursor\": \"updated_at\"" + extra + "}]";
  }

  /** The error message of one sync call with these tables deployed and these secrets. */
  private FakeFivetran.Call call(String deployed, Map<String, Object> secrets) {
    FunctionHandler handler = new FunctionHandler(new PostgresConnector(deployed),
        EngineConfig.builder().logSink(log::add).build());
    FakeFivetran f = new FakeFivetran(handler, Clock.systemUTC(), Duration.ofSeconds(30),
        6_000_000).secrets(secrets);
    return f.call();
  }

  private String error(String deployed, Map<String, Object> secrets) {
    FakeFivetran.Call c = call(deployed, secrets);
    assertFalse(c.accepted(), "the call fails: " + c.body());
    String message = c.body().path("errorMessage").asText();
    assertFalse(message.contains(TestDatabase.PASSWORD), message);
    assertFalse(String.join("\n", log).contains(TestDatabase.PASSWORD), "log leaks the password");
    return c.body().path("errorType").asText() + ": " + message;
  }

  @Test
  void missingConnectionSettingsAreNamed() {
    Map<String, Object> s = new LinkedHashMap<>(db.secrets(null));
    s.remove("jdbc_url");
    assertEquals("ConfigurationError: secret secrets.jdbc_url is missing; add it to the"
        + " connection's secrets", error(orders(""), s));
    s = new LinkedHashMap<>(db.secrets(null));
    s.put("jdbc_url", "jdbc:mysql://db/shop");
    String message = error(orders(""), s);
    assertTrue(message.contains("secrets.jdbc_url must start with jdbc:postgresql://"), message);
  }

  @Test
  void tableSettingsAreCheckedAndNamedByTheirPath() {
    assertEquals("secrets.tables[1].name is missing",
        assertThrows(MissingSecretException.class, () -> TableSpec.parseAll("secrets.tables",
            "[{\"name\": \"a\", \"primary_key\": \"id\"}, {\"primary_key\": \"id\"}]"))
            .getMessage());
    assertEquals("secrets.tables[0].cursor_type is set but secrets.tables[0].cursor is missing;"
        + " add the cursor column, or remove cursor_type for a full refresh",
        assertThrows(MissingSecretException.class, () -> TableSpec.parseAll("secrets.tables",
            "[{\"name\": \"a\", \"primary_key\": \"id\", \"cursor_type\": \"date\"}]"))
            .getMessage());
    assertTrue(assertThrows(MissingSecretException.class, () -> TableSpec.parseAll(
        "secrets.tables", "[{\"name\": \"a\", \"primary_key\": \"id\", \"cursr\": \"x\"}]"))
        .getMessage().startsWith("secrets.tables[0].cursr is not a setting"));
    assertTrue(assertThrows(MissingSecretException.class, () -> TableSpec.parseAll(
        "secrets.tables", "[{\"name\": \"a\", \"primary_key\": [\"id\", \"n\"],"
            + " \"cursor\": \"t\"}]")).getMessage().startsWith("secrets.tables[0].tiebreaker is missing"));
    assertTrue(assertThrows(MissingSecretException.class, () -> TableSpec.parseAll(
        "secrets.tables", "[{\"name\": \"a\", \"primary_key\": \"id\", \"cursor\": \"t\","
            + " \"deletes\": {\"tombstone_table\": \"x\", \"column\": \"y\"}}]"))
        .getMessage().startsWith("secrets.tables[0].deletes needs exactly one of"));
    assertThrows(MissingSecretException.class, () -> new PostgresConnector("not json"));
    assertTrue(assertThrows(MissingSecretException.class, () -> TableSpec.parseAll(
        "secrets.tables", "[{\"name\": \"a\", \"primary_key\": \"id\", \"cursor\": \"t\","
            + " \"visibility\": \"none\"}]")).getMessage()
        .startsWith("secrets.tables[0].visibility and secrets.tables[0].lookback_values apply to"
            + " number cursors only"));
    assertEquals("secrets.tables[0].lookback_values must be a whole number of cursor values to"
        + " re-read each sync, such as 1000", assertThrows(MissingSecretException.class,
            () -> TableSpec.parseAll("secrets.tables", "[{\"name\": \"a\", \"primary_key\": \"id\","
                + " \"cursor\": \"id\", \"cursor_type\": \"number\", \"lookback_values\": -3}]"))
            .getMessage());
    TableSpec spec = TableSpec.parseAll("secrets.tables", "[{\"name\": \"a\", \"primary_key\":"
        + " \"id\", \"cursor\": \"id\", \"cursor_type\": \"number\", \"lookback_values\": 100}]")
        .get(0);
    assertEquals(TableSpec.Visibility.SNAPSHOT, spec.visibility(), "the default for a number cursor");
    assertEquals(100, spec.toTable().lookbackValues());
  }

  @Test
  void columnsThatDoNotExistOrDoNotFitAreNamed() {
    String wrongCursor = orders("").replace("updated_at", "updated_on");
    assertTrue(error(wrongCursor, db.secrets(wrongCursor)).contains(
        "secrets.tables[0].cursor updated_on is not a column of " + db.schema + ".orders"));
    String local = orders("").replace("updated_at", "local_at");
    assertTrue(error(local, db.secrets(local)).contains(
        "secrets.tables[0].cursor local_at has type timestamp, which does not fit"
            + " secrets.tables[0].cursor_type timestamp; timestamp without time zone"));
    String textTiebreaker = orders(", \"tiebreaker\": \"code\"");
    assertTrue(error(textTiebreaker, db.secrets(textTiebreaker)).contains(
        "secrets.tables[0].tiebreaker code has type text, which does not fit"
            + " secrets.tables[0].tiebreaker_type number"));
    String missingTable = orders("").replace("\"orders\", \"source_schema",
        "\"orders\", \"source_table\": \"nope\", \"source_schema");
    assertTrue(error(missingTable, db.secrets(missingTable)).contains(
        "secrets.tables[0].source_table: table " + db.schema + ".nope does not exist"));
  }

  @Test
  void nullCursorFailsNamingTableAndColumnUnlessSkipped() throws Exception {
    db.exec("INSERT INTO orders VALUES (1, 'a', '2024-01-01 00:00:00+00', NULL),"
        + " (2, 'b', NULL, NULL)");
    assertTrue(error(orders(""), db.secrets(orders(""))).contains("table orders (" + db.schema
        + ".orders) has rows whose cursor column updated_at is NULL"));
    String skip = orders(", \"null_cursor\": \"skip\"");
    FakeFivetran.Call ok = call(skip, db.secrets(skip));
    assertTrue(ok.accepted(), ok.body().toString());
    assertEquals(1, ok.body().path("insert").path("orders").size());
  }

  @Test
  void nullCursorMessageNamesTableAndColumnWhenTheTablesAreSentAsObjects() throws Exception {
    db.exec("INSERT INTO orders VALUES (1, 'a', NULL, NULL)");
    // Older Fivetran connections send nested objects: every name is a value of the secrets.
    Map<String, Object> s = new LinkedHashMap<>(db.secrets(null));
    s.put("tables", new ObjectMapper().readValue(orders(""), List.class));
    FunctionHandler handler = new FunctionHandler(new PostgresConnector(),
        EngineConfig.builder().logSink(log::add).build());
    FakeFivetran.Call c = new FakeFivetran(handler, Clock.systemUTC(), Duration.ofSeconds(30),
        6_000_000).secrets(s).call();

    assertFalse(c.accepted(), c.body().toString());
    assertEquals("table orders (" + db.schema + ".orders) has rows whose cursor column updated_at"
        + " is NULL; a keyset read never reaches them. Make the column NOT NULL (with a default),"
        + " or set secrets.tables[0].null_cursor to \"skip\" to leave such rows out",
        c.body().path("errorMessage").asText());
    assertFalse(String.join("\n", log).contains(TestDatabase.PASSWORD), "log leaks the password");
  }

  @Test
  void wrongPasswordIsAClearErrorWithoutThePassword() throws Exception {
    try (PasswordRejectingServer server = new PasswordRejectingServer()) {
      Map<String, Object> s = new LinkedHashMap<>(db.secrets(null));
      s.put("jdbc_url", server.url());
      s.put("user", "reader");
      String message = error(orders(""), s);
      assertEquals("ConfigurationError: PostgreSQL rejected the credentials in secrets.user and"
          + " secrets.password: FATAL: password authentication failed for user \"reader\"",
          message, "the user name is declared configuration, so the message names it");
    }
  }

  @Test
  void unreachableDatabaseIsASourceErrorWithoutThePasswordInTheUrl() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Map<String, Object> s = new LinkedHashMap<>(db.secrets(null));
    s.put("jdbc_url", "jdbc:postgresql://127.0.0.1:" + port + "/test?password="
        + TestDatabase.PASSWORD);
    String message = error(orders(""), s);
    assertTrue(message.startsWith("SourceError: "), message);
    assertTrue(message.contains("cannot connect to PostgreSQL at secrets.jdbc_url"), message);
  }
}
