package dev.tributary.cache.valkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.cache.RateBudgetStore;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** TRIBUTARY_RATE_BUDGET_URL=redis://… gives every process the same waits. */
class RateBudgetFromEnvironmentTest {
  @Test
  void twoProcessesConfiguredFromTheEnvironmentShareOneBudget() throws Exception {
    Map<String, String> env = Map.of(RateBudgetStore.ENV_URL, "redis://127.0.0.1:6379");
    String host = "api-" + UUID.randomUUID() + ".example.com";
    try (RateBudgetStore a = RateBudgetStore.fromEnvironment(env).orElseThrow();
         RateBudgetStore b = RateBudgetStore.fromEnvironment(env).orElseThrow()) {
      assertInstanceOf(ValkeyRateBudgetStore.class, a);
      Instant later = Instant.now().plusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      a.raise(host, later);
      assertEquals(later, b.notBefore(host), "b waits for what a was told");
    }
  }

  @Test
  void unsetMeansNoSharedBudget() {
    assertTrue(RateBudgetStore.fromEnvironment(Map.of()).isEmpty());
  }
}
