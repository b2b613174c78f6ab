package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.functions.invoker.runner.Invoker;
import dev.tributary.EngineConfig;
import dev.tributary.destination.Destination;
import dev.tributary.driver.Driver;
import dev.tributary.driver.Target;
import dev.tributary.examples.demo.DemoSource;
import dev.tributary.examples.orders.OrdersApiConnector;
import dev.tributary.gcp.TributaryHttpFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Demo source → example connector → driver → destination, over rounds of inserts, updates on
 * cursor ties, deletes, injected 429s and 500s, with pages far smaller than the ties: after every
 * sync the destination equals the source. In process into DuckDB and into the machine's
 * PostgreSQL, and over HTTP through the real Functions Framework invoker with the CLI.
 */
class DemoEndToEndTest {
  static final Duration SETTLE_LAG = Duration.ofSeconds(1);
  @TempDir Path dir;

  /** Small pages and responses: ties of the demo data span several of each. */
  static EngineConfig config() {
    return EngineConfig.builder().pageSize(7).maxRowsPerResponse(40).settleLag(SETTLE_LAG)
        .logSink(line -> {}).build();
  }

  /** The example connector as a Cloud Function, configured in code. */
  public static final class OrdersFunction extends TributaryHttpFunction {
    public OrdersFunction() {
      super(new OrdersApiConnector(), config());
    }
  }

  static DemoSource source() throws Exception {
    DemoSource s = DemoSource.start(DemoSource.Options.builder().seed(11)
        .rateLimitEvery(40).serverErrorEvery(53).build());
    s.seed(12, 4);
    return s;
  }

  interface Sync {
    void run(Map<String, Object> secrets) throws Exception;
  }

  void rounds(DemoSource source, String url, Sync sync) throws Exception {
    Random random = new Random(5);
    Map<String, Object> secrets = Map.of("base_url", source.baseUrl(), "api_token", source.apiToken());
    for (int round = 0; round < 4; round++) {
      if (round > 0) {
        source.mutate(random);
        source.mutate(random); // a second round at the same instant lands on the first one's tie
        Thread.sleep(SETTLE_LAG.toMillis() + 200);
      }
      sync.run(secrets);
      try (Destination d = Destination.open(url)) {
        List<String> diffs = DemoCommand.compare(d, source.snapshot(), DemoSource.PRIMARY_KEYS);
        assertEquals(List.of(), diffs, "round " + round);
      }
    }
    Map<Integer, Long> statuses = source.responses();
    assertTrue(statuses.getOrDefault(429, 0L) > 0 && statuses.getOrDefault(500, 0L) > 0,
        "failures were injected: " + statuses);
  }

  /** Syncs in process into the destination at {@code url}, each round a new session. */
  void inProcess(String url) throws Exception {
    try (DemoSource source = source()) {
      rounds(source, url, secrets -> {
        try (Destination d = Destination.open(url)) {
          Driver.Summary s = Driver.builder(Target.inProcess(new OrdersApiConnector(), config()), d)
              .secrets(secrets).timeLimit(Duration.ofHours(1)).maxCalls(10_000).build().sync();
          assertEquals(Driver.Result.SUCCESS, s.result(), s.problems().toString());
          assertTrue(s.calls() > 1, "responses are cut inside ties: " + s.calls() + " calls");
        }
      });
    }
  }

  @Test
  void inProcessIntoDuckDbEveryRoundEndsEqualToTheSource() throws Exception {
    inProcess("duckdb:" + dir.resolve("warehouse.db"));
  }

  @Test
  void inProcessIntoPostgresEveryRoundEndsEqualToTheSource() throws Exception {
    try (TestPostgres pg = new TestPostgres()) {
      inProcess(pg.url());
    }
  }

  @Test
  void overHttpThroughTheFunctionsFrameworkEveryRoundEndsEqualToTheSource() throws Exception {
    int port = TargetsTest.freePort();
    Invoker invoker = new Invoker(port, OrdersFunction.class.getName(), "http",
        OrdersFunction.class.getClassLoader());
    invoker.startTestServer();
    Path secretsFile = dir.resolve("secrets.json");
    try (DemoSource source = source()) {
      rounds(source, "duckdb:" + dir.resolve("warehouse.db"), secrets -> {
        Files.writeString(secretsFile, Main.JSON.writeValueAsString(secrets));
        Cli.Run r = Cli.run("sync", "--dir", dir.toString(), "--url", "http://127.0.0.1:" + port + "/",
            "--secrets", secretsFile.toString(), "--quiet");
        assertEquals(0, r.exit(), r.out() + r.err());
      });
    } finally {
      invoker.stopServer();
    }
  }
}
