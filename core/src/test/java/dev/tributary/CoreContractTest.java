package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tributary.testing.AdapterContract;
import dev.tributary.testing.FixtureConnector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The adapter contract run against the core itself (the identity adapter), plus the statuses the
 * fixtures are meant to produce, so a change in the core shows here before in every adapter.
 */
class CoreContractTest extends AdapterContract {
  @Override
  protected Reply invoke(byte[] request) throws Exception {
    FunctionHandler handler = new FunctionHandler(Connector.load(),
        EngineConfig.fromEnvironment().newBuilder().logSink(line -> {}).build());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FunctionHandler.Outcome o = handler.handle(new ByteArrayInputStream(request), out,
        Instant.now().plusSeconds(60));
    return new Reply(o.httpStatus(), "application/json", out.toByteArray());
  }

  @Test
  void fixturesProduceTheIntendedStatuses() {
    Map<String, Integer> expected = Map.ofEntries(
        Map.entry("first-sync.json", 200),
        Map.entry("resume-inside-tie.json", 200),
        Map.entry("caught-up.json", 200),
        Map.entry("legacy-state.json", 200),
        Map.entry("setup-test.json", 200),
        Map.entry("setup-test-missing-secret.json", 400),
        Map.entry("source-down.json", 502),
        Map.entry("connector-bug.json", 500),
        Map.entry("malformed.json", 400),
        Map.entry("not-an-object.json", 400),
        Map.entry("state-not-object.json", 400),
        Map.entry("state-from-newer-version.json", 400),
        Map.entry("cloud-storage.json", 400),
        Map.entry("cloud-storage-without-file.json", 400));
    assertEquals(expected.keySet(), Set.copyOf(fixtures()));
    expected.forEach((name, status) ->
        assertEquals(status, coreAnswer(fixture(name)).status(), name));
  }

  @Test
  void serviceLoaderFindsTheRegisteredConnector() {
    assertInstanceOf(FixtureConnector.class, Connector.load());
  }
}
