package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connector driven call by call the way Fivetran drives it (the test kit's FakeFivetran). */
class ${connectorName}ConnectorTest {
  /** Fivetran's calls and the engine share one clock, so deadlines and the horizon agree. */
  static FakeFivetran fivetran(EngineConfig.Builder config) {
    FakeClock clock = new FakeClock(Instant.parse("2024-05-02T00:00:00Z"));
    FunctionHandler handler = new FunctionHandler(new ${connectorName}Connector(),
        config.clock(clock).logSink(line -> {}).build());
    return new FakeFivetran(handler, clock, Duration.ofSeconds(60), 6_000_000)
        .secrets(Map.of("api_token", "tok-test-1234"));
  }

  @Test
  void aSyncInSmallResponsesDeliversEveryContactOnceAndTheStages() {
    // Three rows per response and two per page: every tie of ten rows is split many times.
    FakeFivetran fivetran = fivetran(EngineConfig.builder().pageSize(2).maxRowsPerResponse(3));

    fivetran.sync();

    assertTrue(fivetran.calls().size() > 5, "many responses: " + fivetran.calls().size());
    assertEquals(24, fivetran.rowsById("contacts").size(), "25 contacts, one deleted");
    assertEquals(3, fivetran.table("stages").size());
    fivetran.deliveries("contacts").forEach((key, times) -> assertEquals(1, times, key));
  }

  @Test
  void theNextSyncFindsNothingNew() {
    FakeFivetran fivetran = fivetran(EngineConfig.builder());
    fivetran.sync();

    int second = fivetran.sync().stream().mapToInt(FakeFivetran.Call::rows).sum();

    // The full-refresh stages are read again, but the engine remembers what it delivered
    // (EngineConfig.Builder.maxDigestRows) and sends only rows that changed: none did.
    assertEquals(0, second, "nothing new, and the stages unchanged");
  }
}
