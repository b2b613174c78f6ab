package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.examples.demo.DemoSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tributary} as a user runs it: the launcher script at the repository root, starting the
 * runner jar this build packaged (runs after {@code package}) — the demo, the real cloud runtimes
 * ({@code sync --gcp}, {@code --lambda}, {@code --through-s3}, {@code serve}), the setup test and
 * a usage error.
 */
class LauncherIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path GCP_JAR = ROOT.resolve("examples/orders-api/target/deploy-gcp/orders-api-gcp.jar");
  static final Path LAMBDA_JAR = ROOT.resolve("examples/orders-api/target/orders-api-lambda.jar");

  @TempDir Path dir;

  record Run(int exit, String out) {}

  static Run launch(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("tributary").toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
    assertFalse(out.contains("building the runner"), "the build's own jar is used: " + out);
    return new Run(p.exitValue(), out);
  }

  @Test
  void theLauncherRunsTheShortDemoAndItsSummarySaysTheWarehouseMatches() throws Exception {
    Run r = launch("demo", "--short", "--dir", dir.toString());
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("incremental sync 2"), r.out());
    assertTrue(r.out().contains("warehouse matches the source"), r.out());
    assertTrue(r.out().contains(" × 200 OK"), r.out());
    assertFalse(r.out().contains("http_retry"), "the connector's lines go to function.log: " + r.out());
  }

  Path secretsFor(DemoSource source) throws Exception {
    Path s = dir.resolve("secrets.json");
    Files.writeString(s, "{\"base_url\":\"" + source.baseUrl() + "\",\"api_token\":\""
        + source.apiToken() + "\"}");
    return s;
  }

  int count(Path workspace, String table) throws Exception {
    Run q = launch("query", "--dir", workspace.toString(), "SELECT count(*) AS n FROM " + table);
    assertEquals(0, q.exit(), q.out());
    return q.out().lines().map(String::strip).filter(l -> l.matches("\\d+")).map(Integer::valueOf)
        .findFirst().orElse(-1);
  }

  @Test
  void syncsTheBuiltJarsInTheRealGoogleAndLambdaRuntimesAndThroughS3() throws Exception {
    try (DemoSource source = DemoSource.start(DemoSource.Options.builder().seed(11).build())) {
      source.seed(8, 2);
      Path secrets = secretsFor(source);
      int orders = source.snapshot().get("orders").size();

      Path gcp = dir.resolve("gcp");
      Run g = launch("sync", "--dir", gcp.toString(), "--secrets", secrets.toString(), "--gcp",
          "--classpath", GCP_JAR.toString());
      assertEquals(0, g.exit(), g.out());
      assertTrue(g.out().contains("(Functions Framework invoker: dev.tributary.gcp.TributaryHttpFunction at http://127.0.0.1:"),
          g.out());
      assertEquals(orders, count(gcp, "orders"));

      Path lambda = dir.resolve("lambda");
      Run l = launch("sync", "--dir", lambda.toString(), "--secrets", secrets.toString(), "--lambda",
          "--lambda-handler", "dev.tributary.examples.orders.OrdersLambdaHandler::handleRequest",
          "--classpath", LAMBDA_JAR.toString());
      assertEquals(0, l.exit(), l.out());
      assertTrue(l.out().contains("(Lambda runtime interface client: dev.tributary.examples.orders.OrdersLambdaHandler::handleRequest)"),
          l.out());
      assertEquals(orders, count(lambda, "orders"));
      assertTrue(Files.readString(lambda.resolve("function.log")).contains("\"event\":\"call\""));

      Path s3 = dir.resolve("s3");
      Run t = launch("sync", "--dir", s3.toString(), "--secrets", secrets.toString(), "--lambda",
          "--through-s3", "--classpath", LAMBDA_JAR.toString(), "--json");
      assertEquals(0, t.exit(), t.out());
      JsonNode summary = Main.JSON.readTree(t.out());
      assertTrue(summary.path("target").asText().contains("through S3 (S3Proxy at http://127.0.0.1:"),
          t.out());
      assertEquals(orders, count(s3, "orders"));
      // A success without the object the request named would have failed the sync.
      assertEquals("success", summary.path("result").asText(), t.out());

      Run test = launch("test", "--dir", s3.toString(), "--secrets", secrets.toString(), "--lambda",
          "--classpath", LAMBDA_JAR.toString());
      assertEquals(0, test.exit(), test.out());
      assertTrue(test.out().startsWith("setup test passed (Lambda runtime interface client"), test.out());
    }
  }

  @Test
  void serveRunsTheRealInvokerUntilStoppedAndSyncReachesIt() throws Exception {
    serveAndSync("--gcp", GCP_JAR);
  }

  /** The Lambda runtime interface client behind the Invoke API, as {@code sam local start-lambda}. */
  @Test
  void serveRunsTheRealLambdaRuntimeBehindTheInvokeApiAndSyncReachesIt() throws Exception {
    serveAndSync("--lambda", LAMBDA_JAR);
  }

  private void serveAndSync(String runtime, Path jar) throws Exception {
    try (DemoSource source = DemoSource.start(DemoSource.Options.builder().seed(12).build())) {
      source.seed(4, 2);
      Path secrets = secretsFor(source);
      Process serve = new ProcessBuilder(ROOT.resolve("tributary").toString(), "serve", runtime,
          "--classpath", jar.toString(), "--dir", dir.toString())
          .directory(ROOT.toFile()).redirectErrorStream(true).start();
      try {
        BufferedReader lines = new BufferedReader(new InputStreamReader(serve.getInputStream(),
            StandardCharsets.UTF_8));
        String first = lines.readLine();
        assertTrue(first != null && first.contains(" at http://127.0.0.1:"), String.valueOf(first));
        String url = first.substring(first.indexOf("http://"));
        Run r = launch("sync", "--dir", dir.resolve("w").toString(), "--secrets",
            secrets.toString(), "--url", url);
        assertEquals(0, r.exit(), r.out());
        assertEquals(source.snapshot().get("orders").size(), count(dir.resolve("w"), "orders"));
      } finally {
        serve.destroy();
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void aUsageErrorIsOneShortMessageAndExit64() throws Exception {
    Run r = launch("sync", "--gcp", "--dir", dir.toString());
    assertEquals(64, r.exit(), r.out());
    assertTrue(r.out().contains("--gcp runs your built jar: name it with --classpath"), r.out());
    assertTrue(r.out().lines().count() <= 3, r.out());
  }
}
