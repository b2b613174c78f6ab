package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.examples.demo.DemoSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged runner jar (runs after {@code package}) as a user runs it, against the jars the
 * example's own build made: it carries no example code, and a Lambda handler from a user's jar
 * runs that jar's connector.
 */
class UserCodeIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path RUNNER = ROOT.resolve("runner/target/tributary-runner.jar");
  static final Path LAMBDA_JAR = ROOT.resolve("examples/orders-api/target/orders-api-lambda.jar");

  @TempDir Path dir;

  @Test
  void theRunnerJarCarriesNoExampleCodeAndNoConnector() throws Exception {
    try (JarFile jar = new JarFile(RUNNER.toFile())) {
      List<String> examples = new ArrayList<>();
      jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("dev/tributary/examples/") || n.startsWith("okhttp3/")
              || n.equals("META-INF/services/dev.tributary.Connector"))
          .forEach(examples::add);
      assertEquals(List.of(), examples);
    }
  }

  @Test
  void theExamplesLambdaHandlerFromItsOwnJarSyncsTheSource() throws Exception {
    try (DemoSource source = DemoSource.start(DemoSource.Options.builder().seed(3).build())) {
      source.seed(10, 2);
      Path secrets = dir.resolve("secrets.json");
      Files.writeString(secrets, "{\"base_url\":\"" + source.baseUrl() + "\",\"api_token\":\""
          + source.apiToken() + "\"}");
      Run r = runner("sync", "--dir", dir.toString(), "--secrets", secrets.toString(),
          "--lambda-handler", "dev.tributary.examples.orders.OrdersLambdaHandler::handleRequest",
          "--classpath", LAMBDA_JAR.toString());

      assertEquals(0, r.exit, r.out);
      assertTrue(r.out.contains("sync finished"), r.out);
      assertFalse(r.out.contains("NoClassDefFoundError") || r.out.contains("\tat "), r.out);
      int orders = source.snapshot().get("orders").size();
      Run q = runner("query", "--dir", dir.toString(), "SELECT count(*) AS n FROM orders");
      assertTrue(q.out.lines().anyMatch(l -> l.strip().equals(String.valueOf(orders))),
          orders + " orders: " + q.out);
    }
  }

  record Run(int exit, String out) {}

  static Run runner(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-jar", RUNNER.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), out);
    return new Run(p.exitValue(), out);
  }
}
