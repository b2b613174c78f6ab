package dev.tributary.destination;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What only PostgreSQL does: faithful types (numeric, big integers, timestamptz, jsonb, bytea),
 * COPY with every character CSV can trip on, the PRIMARY KEY, names PostgreSQL would cut, the
 * advisory lock as lease — and the password, which never shows.
 */
class PostgresDestinationTest {
  static final String CONNECTION = "pg";
  final TestPostgres pg = new TestPostgres();
  final List<Destination> opened = new ArrayList<>();

  @AfterEach
  void drop() throws Exception {
    opened.forEach(Destination::close);
    pg.close();
  }

  Destination open() {
    Destination d = Destination.open(pg.url());
    opened.add(d);
    return d;
  }

  static Applied applyOne(Destination d, JsonNode response) {
    try (Lease lease = d.lease(CONNECTION)) {
      return lease.apply(lease.state(), response);
    }
  }

  String columnType(String table, String column) throws Exception {
    try (Connection c = TestPostgres.admin(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT data_type FROM information_schema.columns"
             + " WHERE table_schema = '" + pg.schema + "' AND table_name = '" + table
             + "' AND column_name = '" + column + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Faithful types

  @Test
  void numbersKeepEveryDigitAsNumericAndIntegersPast64BitsToo() throws Exception {
    Destination d = open();
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"amounts\":["
        + "{\"id\":1,\"price\":12.50,\"big\":123456789012345678901234567890},"
        + "{\"id\":2,\"price\":0.1,\"big\":-9223372036854775809},"
        + "{\"id\":3,\"price\":123456789012345678901234567890.123456789012345678901,\"big\":7}]},"
        + "\"schema\":{\"amounts\":{\"primary_key\":[\"id\"]}}}"));

    assertEquals("numeric", columnType("amounts", "price"));
    assertEquals("numeric", columnType("amounts", "big"));
    List<Map<String, Object>> rows = d.rows("amounts");
    assertEquals(new BigDecimal("12.50"), rows.get(0).get("price"), "scale kept");
    assertEquals(new BigDecimal("0.1"), rows.get(1).get("price"), "no binary rounding");
    assertEquals(new BigDecimal("123456789012345678901234567890.123456789012345678901"),
        rows.get(2).get("price"));
    assertEquals(new BigDecimal("123456789012345678901234567890"), rows.get(0).get("big"));
    assertEquals(new BigDecimal("-9223372036854775809"), rows.get(1).get("big"));
  }

  @Test
  void integersWithin64BitsAreBigintAndWidenToNumericWithoutLoss() throws Exception {
    Destination d = open();
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"t\":[{\"id\":1,\"n\":9223372036854775807}]},"
        + "\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}"));
    assertEquals("bigint", columnType("t", "n"));
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"t\":[{\"id\":2,\"n\":0.5}]}}"));

    assertEquals("numeric", columnType("t", "n"));
    assertEquals(new BigDecimal("9223372036854775807"), d.rows("t").get(0).get("n"));
  }

  @Test
  void instantsAreTimestamptzWithMicrosecondsAndWidenToTextAsTheyWereSent() throws Exception {
    Destination d = open();
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"t\":[{\"id\":1,\"at\":\"2024-05-01T08:00:00.123456Z\"},"
        + "{\"id\":2,\"at\":\"2024-05-01T10:00:00+02:00\"}]},\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}"));
    assertEquals("timestamp with time zone", columnType("t", "at"));
    assertEquals(Instant.parse("2024-05-01T08:00:00.123456Z"), d.rows("t").get(0).get("at"));

    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"t\":[{\"id\":3,\"at\":\"soon\"}]}}"));
    assertEquals("text", columnType("t", "at"));
    List<Object> at = new ArrayList<>();
    d.rows("t").forEach(r -> at.add(r.get("at")));
    assertEquals(List.of("2024-05-01T08:00:00.123456Z", "2024-05-01T08:00:00Z", "soon"), at);
  }

  @Test
  void objectsAndArraysAreJsonbWithExactNumbers() throws Exception {
    Destination d = open();
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"t\":[{\"id\":1,"
        + "\"doc\":{\"price\":12.50,\"huge\":123456789012345678901234567890,\"list\":[1,\"two\",null]}}]},"
        + "\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}"));

    assertEquals("jsonb", columnType("t", "doc"));
    JsonNode doc = (JsonNode) d.rows("t").get(0).get("doc");
    assertEquals(new BigDecimal("12.50"), doc.get("price").decimalValue());
    assertEquals("123456789012345678901234567890", doc.get("huge").asText());
    assertEquals(Json.parse("[1,\"two\",null]"), doc.get("list"));
  }

  @Test
  void declaredBytesAreBytea() throws Exception {
    Destination d = Destination.open(pg.url(), DestinationOptions.builder()
        .columnType("files", "content", ColumnType.BYTES).build());
    opened.add(d);
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"files\":[{\"id\":1,\"content\":\""
        + java.util.Base64.getEncoder().encodeToString(bytes) + "\"}]},"
        + "\"schema\":{\"files\":{\"primary_key\":[\"id\"]}}}"));

    assertEquals("bytea", columnType("files", "content"));
    assertArrayEquals(bytes, (byte[]) d.rows("files").get(0).get("content"));
  }

  @Test
  void aKeyedTableHasAPrimaryKeyConstraintThatFollowsTheDeclaredKey() throws Exception {
    Destination d = open();
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"lines\":[{\"o\":1,\"l\":1}]},"
        + "\"schema\":{\"lines\":{\"primary_key\":[\"o\"]}}}"));
    assertEquals(List.of("o"), primaryKey("lines"));
    applyOne(d, Json.parse("{\"state\":{},\"insert\":{\"lines\":[{\"o\":1,\"l\":2}]},"
        + "\"schema\":{\"lines\":{\"primary_key\":[\"o\",\"l\"]}}}"));

    assertEquals(List.of("o", "l"), primaryKey("lines"));
    assertEquals(2, d.rows("lines").size());
  }

  List<String> primaryKey(String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = TestPostgres.admin(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT a.attname FROM pg_index i JOIN pg_attribute a"
             + " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary"
             + " AND i.indrelid = '" + pg.schema + "." + table + "'::regclass"
             + " ORDER BY array_position(i.indkey::int2[], a.attnum)")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // COPY

  @Test
  void copyCarriesEveryCharacterCsvCouldTripOnAndTellsEmptyFromNull() {
    Destination d = open();
    List<String> values = List.of("", "\"", "\"\"", ",", "a,b", "line\nbreak", "cr\r\nlf",
        "back\\slash", "\\N", "NULL", "tab\there", "emoji 🦆 and ü", " leading and trailing ",
        "'single'", "x".repeat(100_000));
    ArrayNode rows = Json.array();
    for (int i = 0; i < values.size(); i++) {
      ObjectNode r = rows.addObject();
      r.put("id", i);
      r.put("v", values.get(i));
    }
    rows.addObject().put("id", values.size()).putNull("v");
    ObjectNode response = Json.object("{\"state\":{},\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}");
    response.putObject("insert").set("t", rows);
    applyOne(d, response);

    List<Map<String, Object>> back = d.rows("t");
    for (int i = 0; i < values.size(); i++) {
      assertEquals(values.get(i), back.get(i).get("v"), "value " + i);
    }
    assertEquals(null, back.get(values.size()).get("v"));
  }

  @Test
  void tensOfThousandsOfRowsGoThroughCopyInChunks() {
    Destination d = open();
    ArrayNode rows = Json.array();
    for (int i = 0; i < 30_000; i++) {
      rows.addObject().put("id", i).put("name", "row " + i + " with some text to make it long");
    }
    ObjectNode response = Json.object("{\"state\":{\"n\":1},\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}");
    response.putObject("insert").set("t", rows);
    Applied applied = applyOne(d, response);

    assertEquals(30_000, applied.tables().get("t").upserted());
    assertEquals(List.of(List.of("30000", "29999")),
        d.query("SELECT count(*), max(id) FROM " + pg.schema + ".t").rows());
  }

  @Test
  void aNulCharacterFailsTheResponseNamingTheColumn() {
    Destination d = open();
    DestinationException e = assertThrows(DestinationException.class, () -> applyOne(d,
        Json.parse("{\"state\":{\"n\":1},\"insert\":{\"t\":[{\"id\":1,\"v\":\"a\\u0000b\"}]},"
            + "\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}")));

    assertTrue(e.getMessage().contains("table t, column v") && e.getMessage().contains("U+0000"),
        e.getMessage());
    assertEquals(Json.object("{}"), d.state(CONNECTION));
  }

  @Test
  void aNamePostgresqlWouldCutIsRefusedInsteadOfMergedWithAnother() {
    Destination d = open();
    String name = "c".repeat(64);
    DestinationException e = assertThrows(DestinationException.class, () -> applyOne(d,
        Json.parse("{\"state\":{},\"insert\":{\"t\":[{\"id\":1,\"" + name + "\":1}]},"
            + "\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}")));

    assertTrue(e.getMessage().contains("64 bytes and PostgreSQL keeps 63"), e.getMessage());
  }

  @Test
  void aFailureWritingTheStateTakesTheResponsesRowsWithIt() throws Exception {
    Destination d = open();
    applyOne(d, Json.parse("{\"state\":{\"n\":1},\"insert\":{\"t\":[{\"id\":1}]},"
        + "\"schema\":{\"t\":{\"primary_key\":[\"id\"]}}}"));
    // A real failure at the very end of the transaction: the database refuses this state row.
    try (Connection c = TestPostgres.admin(); Statement st = c.createStatement()) {
      st.execute("CREATE FUNCTION " + pg.schema + ".refuse() RETURNS trigger LANGUAGE plpgsql AS"
          + " $$ BEGIN IF NEW.state LIKE '%refuse me%' THEN RAISE EXCEPTION 'state refused';"
          + " END IF; RETURN NEW; END $$");
      st.execute("CREATE TRIGGER refuse BEFORE UPDATE ON " + pg.schema + "._tributary_state"
          + " FOR EACH ROW EXECUTE FUNCTION " + pg.schema + ".refuse()");
    }
    DestinationException e = assertThrows(DestinationException.class, () -> applyOne(d,
        Json.parse("{\"state\":{\"n\":2,\"note\":\"refuse me\"},\"insert\":{\"t\":[{\"id\":2}],"
            + "\"u\":[{\"id\":1}]},\"schema\":{\"t\":{\"primary_key\":[\"id\"]},"
            + "\"u\":{\"primary_key\":[\"id\"]}}}")));

    assertTrue(e.getMessage().contains("writing the state of connection pg failed"), e.getMessage());
    assertEquals(1, d.rows("t").size(), "the rows went with the state");
    assertEquals(java.util.Set.of("t"), d.tables(CONNECTION), "and the table it created");
    assertEquals(Json.object("{\"n\":1}"), d.state(CONNECTION));
  }

  // ---------------------------------------------------------------------------------------------
  // Lease

  @Test
  void theLeaseIsAnAdvisoryLockWhoseHolderIsNamed() {
    Destination first = open();
    Destination second = open();
    try (Lease held = first.lease(CONNECTION)) {
      LeaseHeldException e = assertThrows(LeaseHeldException.class, () -> second.lease(CONNECTION));
      assertTrue(e.getMessage().matches("another run holds connection pg \\(PostgreSQL advisory"
          + " lock -?\\d+, held by backend pid \\d+ \\(tributary\\) from 127\\.0\\.0\\.1 since .*\\)"),
          e.getMessage());
    }
  }

  @Test
  void theLeaseEndsWithTheSessionThatHeldIt() throws Exception {
    Destination first = Destination.open(pg.url());
    first.lease(CONNECTION);
    Destination second = open();
    String message = assertThrows(LeaseHeldException.class, () -> second.lease(CONNECTION)).getMessage();
    java.util.regex.Matcher pid = java.util.regex.Pattern.compile("backend pid (\\d+)").matcher(message);
    assertTrue(pid.find(), message);
    // The holder's session ends the hard way, as when its process is killed.
    try (Connection admin = TestPostgres.admin(); Statement st = admin.createStatement()) {
      st.execute("SELECT pg_terminate_backend(" + Integer.parseInt(pid.group(1)) + ")");
    }
    Lease lease = awaitLease(second, CONNECTION);
    assertEquals(CONNECTION, lease.connection());
    lease.close();
    try {
      first.close();
    } catch (DestinationException ignored) {
      // Its session is gone.
    }
  }

  static Lease awaitLease(Destination d, String connection) throws InterruptedException {
    long until = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try {
        return d.lease(connection);
      } catch (LeaseHeldException e) {
        if (System.nanoTime() > until) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The password

  @Test
  void thePasswordIsInNoDescriptionAndNoError() {
    Destination d = open();
    assertEquals("postgresql://postgres:***@127.0.0.1:5432/test?schema=" + pg.schema, d.describe());
    DestinationException bad = assertThrows(DestinationException.class,
        () -> d.query("SELECT no_such_column FROM " + pg.schema + "._tributary_state"));
    assertFalse(bad.getMessage().contains(TestPostgres.PASSWORD), bad.getMessage());
    assertTrue(bad.getMessage().contains("no_such_column"), bad.getMessage());
  }

  @Test
  void aRefusedPasswordIsReportedWithoutIt() throws Exception {
    List<String> logged = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r.getMessage() + " " + r.getThrown());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger pgjdbc = Logger.getLogger("org.postgresql");
    Level level = pgjdbc.getLevel();
    pgjdbc.setLevel(Level.ALL);
    pgjdbc.addHandler(capture);
    String password = "s3cr3t:p@ss/wörd";
    String encoded = java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8);
    try (PasswordRejectingServer server = new PasswordRejectingServer()) {
      for (String url : List.of(
          "postgresql://app:" + encoded + "@127.0.0.1:" + server.port() + "/test?sslmode=disable",
          "jdbc:postgresql://127.0.0.1:" + server.port() + "/test?sslmode=disable&user=app&password=" + encoded)) {
        DestinationException e = assertThrows(DestinationException.class, () -> Destination.open(url));
        assertTrue(e.getMessage().contains("password authentication failed for user \"app\""), e.getMessage());
        assertTrue(e.getMessage().contains("postgresql://app:***@127.0.0.1:"), e.getMessage());
        assertNoSecret(e, password, encoded);
      }
      DestinationException e = assertThrows(DestinationException.class, () -> Destination.open(
          "postgresql://app@127.0.0.1:" + server.port() + "/test?sslmode=disable",
          DestinationOptions.builder().password(password).build()));
      assertNoSecret(e, password, encoded);
    } finally {
      pgjdbc.removeHandler(capture);
      pgjdbc.setLevel(level);
    }
    for (String line : logged) {
      assertFalse(line.contains(password) || line.contains(encoded), line);
    }
    assertFalse(DestinationOptions.builder().password(password).build().toString().contains(password));
  }

  @Test
  void anUnparseableUrlIsReportedWithoutRepeatingIt() {
    DestinationException e = assertThrows(DestinationException.class,
        () -> Destination.open("postgresql://app:pa ss{word@127.0.0.1/test"));
    assertFalse(e.getMessage().contains("pa ss{word"), e.getMessage());
    assertTrue(e.getMessage().contains("percent-encode"), e.getMessage());
    DestinationException scheme = assertThrows(DestinationException.class,
        () -> Destination.open("mysql://app:hunter2@host/db"));
    assertFalse(scheme.getMessage().contains("hunter2"), scheme.getMessage());
    assertTrue(scheme.getMessage().contains("use duckdb:PATH or postgresql://"), scheme.getMessage());
  }

  static void assertNoSecret(Throwable e, String... secrets) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      java.io.StringWriter trace = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(trace));
      for (String s : secrets) {
        assertFalse(String.valueOf(t.getMessage()).contains(s), t.getMessage());
        assertFalse(trace.toString().contains(s), trace.toString());
      }
    }
  }
}
