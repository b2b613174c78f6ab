package dev.tributary.examples.orders.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packaged Azure app of the example: one HTTP function, this cloud's jars only. */
class AzureAppIT {
  final Path app = Path.of(System.getProperty("stagingDirectory"));

  @Test
  void theAppHasAFunctionKeyedHttpTriggerForPostAndTheScheduledTimer() throws Exception {
    String function = Files.readString(app.resolve("fivetran/function.json"));
    assertTrue(function.contains("\"httpTrigger\"") && function.contains("\"FUNCTION\"")
        && function.contains("\"POST\""), function);
    assertTrue(function.contains("dev.tributary.azure.FivetranFunction.run"), function);
    assertTrue(Files.exists(app.resolve("host.json")));
    File[] functions = app.toFile().listFiles(f -> new File(f, "function.json").exists());
    assertEquals(2, functions.length);
    // Scheduled, without Fivetran: the adapter's timer, on the app setting TRIBUTARY_SCHEDULE.
    String timer = Files.readString(app.resolve("scheduled/function.json"));
    assertTrue(timer.contains("\"timerTrigger\"") && timer.contains("%TRIBUTARY_SCHEDULE%"), timer);
    assertTrue(timer.contains("dev.tributary.azure.ScheduledFunction.run"), timer);
  }

  @Test
  void libHoldsTheScheduledSyncWithThePostgresDriver() {
    List<String> lib = Arrays.asList(app.resolve("lib").toFile().list());
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("tributary-scheduled-")), lib.toString());
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("postgresql-")), lib.toString());
    assertFalse(lib.stream().anyMatch(n -> n.startsWith("duckdb") || n.startsWith("joda")),
        lib.toString());
  }

  @Test
  void libHoldsTheConnectorAndAzureAdapterButNoOtherCloud() {
    List<String> lib = Arrays.asList(app.resolve("lib").toFile().list());
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("tributary-example-orders-api-")), lib.toString());
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("tributary-azure-function-")), lib.toString());
    assertFalse(lib.stream().anyMatch(n -> n.contains("aws") || n.contains("gcp")
        || n.startsWith("s3-") || n.startsWith("sdk-core")), lib.toString());
  }
}
