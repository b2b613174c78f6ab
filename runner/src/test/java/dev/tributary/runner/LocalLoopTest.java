package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.examples.demo.DemoSource;
import dev.tributary.runner.Cli.Run;
import dev.tributary.runner.ScriptedHttpFunction.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner as the whole local loop, in this JVM: the setup test, the schema, clean output
 * ({@code --json}, {@code --quiet}, the connector's own lines in {@code function.log}) and errors
 * that say what to fix.
 */
class LocalLoopTest {
  static final String FIXTURE = "dev.tributary.testing.FixtureConnector";
  static final String TOKEN = "tok-9f8e7d6c5b4a";

  @TempDir Path dir;

  Path secrets(String json) throws Exception {
    Path f = dir.resolve("secrets.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  void testCommandPassesAndTouchesNothing() throws Exception {
    Run r = Cli.run("test", "--dir", dir.toString(), "--connector", FIXTURE,
        "--secrets", secrets("{\"api_token\":\"" + TOKEN + "\"}").toString());

    assertEquals(0, r.exit(), r.all());
    assertTrue(r.out().startsWith("setup test passed (in process: " + FIXTURE + ")"), r.all());
    assertFalse(Files.exists(dir.resolve("warehouse.db")), "the default destination is not created");
  }

  @Test
  void testCommandPrintsTheConnectorsMessageRedacted() throws Exception {
    Run r = Cli.run("test", "--dir", dir.toString(), "--connector", FIXTURE, "--secrets",
        secrets("{\"api_token\":\"" + TOKEN + "\",\"mode\":\"source-down\"}").toString());

    assertEquals(3, r.exit(), r.all());
    assertTrue(r.out().contains("setup test failed"), r.all());
    assertTrue(r.out().contains("ping?api_token=*** refused"), r.all());
    assertFalse(r.all().contains(TOKEN), r.all());

    Run missing = Cli.run("test", "--dir", dir.toString(), "--connector", FIXTURE, "--json");
    assertEquals(3, missing.exit(), missing.all());
    JsonNode n = Main.JSON.readTree(missing.out());
    assertEquals("failed", n.path("result").asText());
    assertEquals("ConfigurationError", n.path("error_type").asText());
    assertTrue(n.path("message").asText().contains("api_token"), missing.out());
  }

  @Test
  void testCommandOverHttpFlagsAnOversizedSetupReply() throws Exception {
    String big = "{\"state\":{},\"hasMore\":false,\"pad\":\"" + "x".repeat(70_000) + "\"}";
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(Reply.of(big))) {
      Run r = Cli.run("test", "--dir", dir.toString(), "--url", fn.uri().toString());
      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("exceeds the limit of 65536"), r.all());
      assertEquals(true, fn.requests().get(0).body().path("setup_test").asBoolean());
    }
  }

  @Test
  void schemaPrintsTablesKeysCursorsAndTiebreakers() throws Exception {
    Run r = Cli.run("schema", "--connector", FIXTURE, "--dir", dir.toString());

    assertEquals(0, r.exit(), r.all());
    String orders = r.out().lines().filter(l -> l.strip().startsWith("orders")).findFirst().orElse("");
    assertTrue(orders.matches("\\s*orders\\s+incremental\\s+id\\s+updated_at \\(timestamp\\)\\s+id \\(number\\)\\s+-\\s+soft"),
        r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.strip().matches("currencies\\s+full refresh\\s+code\\s+-\\s+code \\(string\\)\\s+-\\s+hard")),
        r.out());
    Run json = Cli.run("schema", "--connector", FIXTURE, "--dir", dir.toString(), "--json");
    JsonNode t = Main.JSON.readTree(json.out()).path("tables").get(0);
    assertEquals("updated_at", t.path("cursor").asText());
    assertEquals("id", t.path("tiebreaker").asText());

    Run remote = Cli.run("schema", "--url", "http://127.0.0.1:9/");
    assertEquals(64, remote.exit(), remote.all());
    assertTrue(remote.err().contains("runs the connector in process"), remote.all());
  }

  @Test
  void aMalformedSecretsFileNamesTheLineAndColumnButNotItsText() throws Exception {
    Path f = secrets("{\n  \"api_token\": \"" + TOKEN + "\",\n  \"password\": hunter2-secret\n}");
    Run r = Cli.run("sync", "--dir", dir.toString(), "--connector", FIXTURE, "--secrets", f.toString());

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains(f + " is not valid JSON at line 3, column "), r.all());
    assertTrue(r.err().contains("(--secrets)"), r.all());
    assertFalse(r.all().contains("hunter2"), "the file's text is never quoted: " + r.all());
    assertFalse(r.all().contains("\tat "), r.all());
    assertFalse(Files.exists(dir.resolve("warehouse.db")));
  }

  @Test
  void aDestinationOfAnUnknownKindIsAUsageErrorThatRepeatsOnlyItsScheme() throws Exception {
    Run r = Cli.run("sync", "--dir", dir.toString(), "--connector", FIXTURE,
        "--destination", "mysql://root:hunter2-secret@db/x");

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("--destination with scheme mysql: is not supported: use"
        + " duckdb:PATH or postgresql://"), r.all());
    assertFalse(r.all().contains("hunter2"), "the URL's password is never repeated: " + r.all());
    assertFalse(Files.exists(dir.resolve("warehouse.db")));
  }

  @Test
  void aColumnTypeThatIsNoTypeNamesTheTypesThereAre() throws Exception {
    Run r = Cli.run("sync", "--dir", dir.toString(), "--connector", FIXTURE,
        "--column-type", "orders.amount=MONEY");

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("--column-type orders.amount: 'MONEY' is not a type; use one of"
        + " [BOOLEAN, INTEGER, BIG_INTEGER, DECIMAL, TIMESTAMP, DATE, TEXT, JSON, BYTES]"), r.all());
    assertFalse(Files.exists(dir.resolve("warehouse.db")));
  }

  @Test
  void aReplyThatIsNotJsonShowsItsStatusAndItsStartWithSecretsMasked() throws Exception {
    byte[] html = ("<html><body>502 Bad Gateway: upstream " + TOKEN + " timed out</body></html>")
        .getBytes(StandardCharsets.UTF_8);
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answering(
        new Reply(502, html, java.time.Duration.ZERO))) {
      Run r = Cli.run("sync", "--dir", dir.toString(), "--url", fn.uri().toString(),
          "--secrets", secrets("{\"api_token\":\"" + TOKEN + "\"}").toString());

      assertEquals(2, r.exit(), r.all());
      assertTrue(r.out().contains("call 1: response is not JSON (HTTP 502, " + html.length
          + " bytes, starting: '<html><body>502 Bad Gateway: upstream *** timed out"), r.all());
      assertFalse(r.all().contains(TOKEN), r.all());
    }
  }

  @Test
  void aClasspathEntryThatDoesNotExistIsNamed() {
    Path missing = dir.resolve("target/crm-connector-lambda.jar");
    Run r = Cli.run("sync", "--dir", dir.toString(), "--classpath", missing.toString());

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("--classpath entry " + missing + " does not exist"), r.all());
  }

  @Test
  void usageErrorsAreShortAndExit64() {
    Run r = Cli.run("sync", "--dir", dir.toString(), "--no-such-option");

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("Unknown option: '--no-such-option'"), r.all());
    assertTrue(r.err().contains("see: tributary sync --help"), r.all());
    assertTrue(r.err().lines().count() <= 4, "no usage dump: " + r.all());
    assertEquals("", r.out());
  }

  @Test
  void resetOfAMissingFolderSaysSo() {
    Path nowhere = dir.resolve("no-such-workspace");
    Run r = Cli.run("reset", "--dir", nowhere.toString());

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("nothing to reset: there is no folder " + nowhere), r.all());
    assertFalse(Files.exists(nowhere));

    Run empty = Cli.run("reset", "--dir", dir.toString());
    assertEquals(0, empty.exit(), empty.all());
    assertTrue(empty.out().contains("nothing to reset in"), empty.all());
  }

  /** The example connector logs each retry on standard output, as a function does on a platform. */
  @Test
  void jsonIsOneDocumentQuietIsQuietAndTheConnectorsLinesGoToFunctionLog() throws Exception {
    try (DemoSource source = DemoSource.start(DemoSource.Options.builder().seed(5).rateLimitEvery(3).build())) {
      source.seed(5, 2);
      Path s = secrets("{\"base_url\":\"" + source.baseUrl() + "\",\"api_token\":\""
          + source.apiToken() + "\"}");
      String cp = DemoCommandTest.demoClasspath();

      Run json = Cli.run("sync", "--dir", dir.resolve("a").toString(), "--secrets", s.toString(),
          "--classpath", cp, "--json");
      assertEquals(0, json.exit(), json.all());
      JsonNode doc = Main.JSON.readTree(json.out());
      assertEquals("success", doc.path("result").asText(), json.out());
      assertEquals(1, json.out().strip().lines().count(), "one document: " + json.out());
      String log = Files.readString(dir.resolve("a/function.log"));
      assertTrue(log.contains("\"event\":\"http_retry\"") && log.contains("\"sync_id\""), log);

      Run quiet = Cli.run("sync", "--dir", dir.resolve("b").toString(), "--secrets", s.toString(),
          "--classpath", cp, "--quiet");
      assertEquals(0, quiet.exit(), quiet.all());
      assertEquals("", quiet.out() + quiet.err());

      Run plain = Cli.run("sync", "--dir", dir.resolve("c").toString(), "--secrets", s.toString(),
          "--classpath", cp);
      assertEquals(0, plain.exit(), plain.all());
      assertFalse(plain.out().contains("http_retry"), plain.out());
      assertTrue(plain.out().contains("sync finished"), plain.out());
    }
  }
}
