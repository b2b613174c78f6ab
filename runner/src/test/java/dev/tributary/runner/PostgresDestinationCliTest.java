package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.destination.Destination;
import dev.tributary.destination.Lease;
import dev.tributary.runner.Cli.Run;
import dev.tributary.runner.ScriptedHttpFunction.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync}, {@code state}, {@code query} and {@code reset} against the machine's PostgreSQL
 * ({@code --destination postgresql://…}): rows and state land in the destination's schema, the
 * password (from the environment) never shows, and a second run of a held connection is skipped.
 */
class PostgresDestinationCliTest {
  static final String FIXTURE = "dev.tributary.testing.FixtureConnector";
  static final String TOKEN = "tok-9f8e7d6c5b4a";
  static final Map<String, String> ENV =
      Map.of(DestinationFlags.PASSWORD_ENV, TestPostgres.PASSWORD);

  @TempDir Path dir;
  final TestPostgres pg = new TestPostgres();

  @AfterEach
  void dropSchema() throws Exception {
    pg.close();
  }

  Run cli(String... args) {
    return Cli.runWith(ENV, args);
  }

  Path secrets() throws Exception {
    Path f = dir.resolve("secrets.json");
    Files.writeString(f, "{\"api_token\":\"" + TOKEN + "\"}");
    return f;
  }

  @Test
  void syncStateQueryAndResetWorkAgainstPostgresAndNeverShowThePassword() throws Exception {
    Run sync = cli("sync", "--dir", dir.toString(), "--destination", pg.url(),
        "--connection", "orders-prod", "--connector", FIXTURE, "--secrets", secrets().toString());
    assertEquals(0, sync.exit(), sync.all());
    assertTrue(sync.out().contains("sync finished") && sync.out().contains("33 rows"), sync.all());
    assertTrue(sync.out().contains("into postgresql://postgres:***@127.0.0.1:5432/test?schema="
        + pg.schema), sync.all());
    assertFalse(Files.exists(dir.resolve("warehouse.db")), "nothing went to the DuckDB default");

    // Unqualified names find the connection's tables in the destination's schema.
    Run query = cli("query", "--destination", pg.url(),
        "SELECT count(*) AS n FROM orders WHERE NOT _fivetran_deleted");
    assertEquals(0, query.exit(), query.all());
    assertTrue(query.out().lines().anyMatch("28"::equals), query.all());

    Run state = cli("state", "--destination", pg.url(), "--connection", "orders-prod");
    assertEquals(0, state.exit(), state.all());
    JsonNode committed = Main.JSON.readTree(state.out());
    assertTrue(committed.has("version"), state.out());
    try (Destination d = Destination.open(pg.url())) {
      assertEquals(committed, Main.JSON.readTree(d.state("orders-prod").toString()),
          "the state row of the connection, in the destination");
      assertEquals(Main.JSON.createObjectNode(), d.state("default"), "another connection's");
    }

    Run reset = cli("reset", "--destination", pg.url(), "--connection", "orders-prod");
    assertEquals(0, reset.exit(), reset.all());
    assertTrue(reset.out().contains("reset connection orders-prod in postgresql://postgres:***@"),
        reset.all());
    try (Destination d = Destination.open(pg.url())) {
      assertEquals(Main.JSON.createObjectNode(), d.state("orders-prod"));
      assertEquals(List.of(), List.copyOf(d.tables("orders-prod")));
    }

    for (Run r : List.of(sync, query, state, reset)) {
      assertFalse(r.all().contains(TestPostgres.PASSWORD), "the password showed: " + r.all());
      assertFalse(r.all().contains(TOKEN), r.all());
    }
  }

  @Test
  void aPasswordInTheUrlNeverShowsEvenWhenTheDatabaseRefusesTheConnection() {
    String url = "postgresql://postgres:" + TestPostgres.PASSWORD + "@127.0.0.1:1/test?schema=x";
    Run r = Cli.run("state", "--destination", url);

    assertEquals(1, r.exit(), r.all());
    assertTrue(r.err().contains("cannot connect"), r.all());
    assertFalse(r.all().contains(TestPostgres.PASSWORD), r.all());
  }

  @Test
  void aSecondRunOfAHeldConnectionIsSkippedAndCallsNothing() throws Exception {
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        Reply.of("{\"state\":{\"cursor\":1},\"hasMore\":false}"));
         Destination other = Destination.open(pg.url());
         Lease held = other.lease("default")) {
      Run skipped = cli("sync", "--dir", dir.toString(), "--destination", pg.url(),
          "--url", fn.uri().toString());
      assertEquals(0, skipped.exit(), skipped.all());
      assertTrue(skipped.out().contains("skipped: another run holds connection default"),
          skipped.all());
      assertEquals(0, fn.requests().size(), "a skipped run calls nothing");

      Run failing = cli("sync", "--dir", dir.toString(), "--destination", pg.url(),
          "--url", fn.uri().toString(), "--fail-if-held", "--json");
      assertEquals(75, failing.exit(), failing.all());
      JsonNode summary = Main.JSON.readTree(failing.out());
      assertEquals("skipped", summary.path("result").asText(), failing.out());
      assertEquals(0, fn.requests().size());

      held.close();
      Run after = cli("sync", "--dir", dir.toString(), "--destination", pg.url(),
          "--url", fn.uri().toString());
      assertEquals(0, after.exit(), after.all());
      assertEquals(1, fn.requests().size());
      assertEquals(Main.JSON.readTree("{\"cursor\":1}"),
          Main.JSON.readTree(other.state("default").toString()));
    }
  }
}
