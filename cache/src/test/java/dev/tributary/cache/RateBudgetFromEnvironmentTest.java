package dev.tributary.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateBudgetFromEnvironmentTest {
  @TempDir Path dir;

  @Test
  void aFileUrlSharesTheBudgetBetweenProcessesOnOneMachine() throws Exception {
    Map<String, String> env = Map.of(RateBudgetStore.ENV_URL, dir.toUri().toString());
    Instant later = Instant.parse("2030-01-01T00:00:00Z");
    try (RateBudgetStore a = RateBudgetStore.fromEnvironment(env).orElseThrow();
         RateBudgetStore b = RateBudgetStore.fromEnvironment(env).orElseThrow()) {
      a.raise("api.example.com", later);
      assertEquals(later, b.notBefore("api.example.com"));
    }
  }

  @Test
  void anUnknownSchemeNamesTheVariableAndWhatToUse() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RateBudgetStore.fromEnvironment(Map.of(RateBudgetStore.ENV_URL, "ftp://x/")));
    assertTrue(e.getMessage().startsWith(RateBudgetStore.ENV_URL) && e.getMessage().contains("redis://"),
        e.getMessage());
  }
}
