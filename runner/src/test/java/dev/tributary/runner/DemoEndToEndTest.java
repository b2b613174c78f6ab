package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.functions.invoker.runner.Invoker;
import dev.tributary.EngineConfig;
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
 * Demo source → example connector → runner → warehouse, over rounds of inserts, updates on cursor
 * ties, deletes, injected 429s and 500s, with pages far smaller than the ties: after every sync the
 * warehouse equals the source. Once in process, once over HTTP through the real Functions
 * Framework invoker.
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

  void rounds(DemoSource source, Sync sync) throws Exception {
    Random random = new Random(5);
    Map<String, Object> secrets = Map.of("base_url", source.baseUrl(), "api_token", source.apiToken());
    for (int round = 0; round < 4; round++) {
      if (round > 0) {
        source.mutate(random);
        source.mutate(random); // a second round at the same instant lands on the first one's tie
        Thread.sleep(SETTLE_LAG.toMillis() + 200);
      }
      sync.run(secrets);
      try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
        List<String> diffs = DemoCommand.compare(w, source.snapshot(), DemoSource.PRIMARY_KEYS);
        assertEquals(List.of(), diffs, "round " + round);
      }
    }
    Map<Integer, Long> statuses = source.responses();
    assertTrue(statuses.getOrDefault(429, 0L) > 0 && statuses.getOrDefault(500, 0L) > 0,
        "failures were injected: " + statuses);
  }

  @Test
  void inProcessEveryRoundEndsEqualToTheSource() throws Exception {
    try (DemoSource source = source()) {
      rounds(source, secrets -> {
        try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
          Driver.Summary s = new Driver(Target.inProcess(new OrdersApiConnector(), config()), w,
              new StateFile(dir.resolve("state.json")), secrets,
              new ProtocolChecker(6_000_000, 1_000_000, Main.secretValues(secrets)),
              Duration.ofSeconds(60), Duration.ofHours(1), 10_000,
              new Progress(System.out, false, true)).sync();
          assertEquals(Driver.Result.SUCCESS, s.result(), s.problems().toString());
          assertTrue(s.calls() > 1, "responses are cut inside ties: " + s.calls() + " calls");
        }
      });
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
      rounds(source, secrets -> {
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
