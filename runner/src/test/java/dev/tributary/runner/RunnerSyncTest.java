package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerSyncTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void syncsAConnectorInProcessIntoTheWarehouseAndKeepsItsState() throws Exception {
    Path secrets = dir.resolve("secrets.json");
    Files.writeString(secrets, "{\"api_token\":\"tok-9f8e7d6c5b4a\"}");
    Run r = run("sync", "--dir", dir.toString(), "--connector",
        "dev.tributary.testing.FixtureConnector", "--secrets", secrets.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("sync finished"), r.out());
    Run q = run("query", "--dir", dir.toString(),
        "SELECT count(*) AS n FROM orders WHERE NOT _fivetran_deleted");
    assertTrue(q.out().contains("28"), q.out());
    Run s = run("state", "--dir", dir.toString());
    assertTrue(s.out().contains("\"version\" : 2"), s.out());
    assertTrue(r.out().contains("33 rows"), "rows delivered, deletes included: " + r.out());
  }

  @Test
  void envOptionsConfigureTheFunctionRunInProcess() throws Exception {
    Path secrets = dir.resolve("secrets.json");
    Files.writeString(secrets, "{\"api_token\":\"tok-9f8e7d6c5b4a\"}");
    Run r = run("sync", "--dir", dir.toString(), "--connector",
        "dev.tributary.testing.FixtureConnector", "--secrets", secrets.toString(),
        "--env", "TRIBUTARY_MAX_ROWS=10");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("sync finished: 4 calls"), "10 rows per response: " + r.out());
    Run bad = run("sync", "--dir", dir.toString(), "--connector",
        "dev.tributary.testing.FixtureConnector", "--env", "TRIBUTARY_MAX_ROWS=many");
    assertTrue(bad.err().contains("TRIBUTARY_MAX_ROWS"), bad.err());
  }
}
