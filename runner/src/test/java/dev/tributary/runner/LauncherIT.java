package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `./tributary demo --short` as a user runs it: the launcher script at the repository root,
 * starting the runner jar this build packaged (runs after `package`).
 */
class LauncherIT {
  @TempDir Path dir;

  @Test
  void theLauncherRunsTheShortDemoAndItsSummarySaysTheWarehouseMatches() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Process p = new ProcessBuilder(root.resolve("tributary").toString(), "demo", "--short",
        "--dir", dir.toString()).directory(root.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("incremental sync 2"), out);
    assertTrue(out.contains("warehouse matches the source"), out);
    assertTrue(!out.contains("building the runner"), "the build's own jar is used: " + out);
  }
}
