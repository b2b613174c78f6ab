package dev.tributary.examples.github;

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
import java.sql.ResultSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector as Fivetran runs it: the runner's {@code sync} in process, with the registered
 * connector's defaults, pages of 5 ({@code --env TRIBUTARY_PAGE_SIZE=5}) and a DuckDB warehouse.
 */
class GithubIssuesThroughRunnerTest {
  @TempDir Path dir;

  @Test
  void warehouseEqualsTheReplayAfterAFullAndAnIncrementalSync() throws Exception {
    try (GithubReplay replay = GithubReplay.start()) {
      Path secrets = dir.resolve("secrets.json");
      Files.writeString(secrets, new ObjectMapper().writeValueAsString(replay.secrets()));

      sync(secrets);
      assertEquals(ids(replay), warehouseIds());
      replay.add("new-issues.json");
      sync(secrets);
      assertEquals(ids(replay), warehouseIds());
    }
  }

  private void sync(Path secrets) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"sync", "--dir", dir.toString(), "--connector",
        GithubIssuesConnector.class.getName(), "--secrets", secrets.toString(),
        // No --not-secret: the runner reads the connector's own declaration of owner and repo,
        // which every row's html_url carries.
        "--env", "TRIBUTARY_PAGE_SIZE=5", "--quiet"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, output);
    Path functionLog = dir.resolve("function.log");
    String log = Files.exists(functionLog) ? Files.readString(functionLog) : "";
    assertFalse((output + log).contains(GithubReplay.TOKEN), "the token leaked");
  }

  private static Set<Long> ids(GithubReplay replay) {
    return replay.issues().stream().map(i -> i.get("id").asLong())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<Long> warehouseIds() throws Exception {
    Set<Long> ids = new TreeSet<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.db"));
         ResultSet rs = duck.createStatement().executeQuery("SELECT id FROM issues")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }
}
