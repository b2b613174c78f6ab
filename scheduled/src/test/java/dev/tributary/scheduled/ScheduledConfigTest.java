package dev.tributary.scheduled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a scheduled sync's settings from the environment: what is missing or wrong is named. */
class ScheduledConfigTest {
  static final String URL = "postgresql://sync@db.internal:5432/warehouse?schema=crm";

  @Test
  void aMissingDestinationIsNamedWithAnExample() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScheduledConfig.fromEnvironment(Map.of()));
    assertTrue(e.getMessage().contains("TRIBUTARY_DESTINATION_URL is not set"), e.getMessage());
    assertTrue(e.getMessage().contains("TRIBUTARY_DESTINATION_PASSWORD_FILE"), e.getMessage());
  }

  @Test
  void secretsComeInlineOrFromAMountedFileButNotBoth(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, "{\"apiToken\": \"tok-from-file\"}\n");
    ScheduledConfig fromFile = ScheduledConfig.fromEnvironment(Map.of(
        "TRIBUTARY_DESTINATION_URL", URL, "TRIBUTARY_SECRETS_FILE", file.toString()));
    assertEquals("tok-from-file", fromFile.secrets().path("apiToken").asText());

    ScheduledConfig inline = ScheduledConfig.fromEnvironment(Map.of(
        "TRIBUTARY_DESTINATION_URL", URL, "TRIBUTARY_SECRETS", "{\"apiToken\": \"tok-inline\"}"));
    assertEquals("tok-inline", inline.secrets().path("apiToken").asText());
    assertFalse(inline.toString().contains("tok-inline"), inline.toString());

    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> ScheduledConfig.fromEnvironment(Map.of("TRIBUTARY_DESTINATION_URL", URL,
            "TRIBUTARY_SECRETS", "{}", "TRIBUTARY_SECRETS_FILE", file.toString())));
    assertTrue(both.getMessage().contains("keep one"), both.getMessage());
  }

  @Test
  void secretsThatAreNotJsonAreRefusedWithoutQuotingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScheduledConfig.fromEnvironment(Map.of("TRIBUTARY_DESTINATION_URL", URL,
            "TRIBUTARY_SECRETS", "{\"apiToken\": hunter2-secret}")));
    assertTrue(e.getMessage().startsWith("TRIBUTARY_SECRETS is not JSON (line 1"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    IllegalArgumentException array = assertThrows(IllegalArgumentException.class,
        () -> ScheduledConfig.fromEnvironment(Map.of("TRIBUTARY_DESTINATION_URL", URL,
            "TRIBUTARY_SECRETS", "[\"hunter2-secret\"]")));
    assertTrue(array.getMessage().contains("not a JSON object"), array.getMessage());
  }

  @Test
  void theDestinationPasswordMayBeAMountedFileWithoutItsNewline(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "s3cret-pw\n");
    ScheduledConfig c = ScheduledConfig.fromEnvironment(Map.of("TRIBUTARY_DESTINATION_URL", URL,
        "TRIBUTARY_DESTINATION_PASSWORD_FILE", file.toString(), "TRIBUTARY_CONNECTION", "crm",
        "TRIBUTARY_APPLY_MARGIN_MS", "2500"));
    assertEquals("s3cret-pw", c.destinationOptions().password().orElseThrow());
    assertEquals("crm", c.connection());
    assertEquals(Duration.ofMillis(2500), c.applyMargin());
    assertFalse(c.toString().contains("s3cret"), c.toString());

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> ScheduledConfig.fromEnvironment(Map.of("TRIBUTARY_DESTINATION_URL", URL,
            "TRIBUTARY_DESTINATION_PASSWORD_FILE", dir.resolve("absent").toString())));
    assertTrue(missing.getMessage().startsWith("TRIBUTARY_DESTINATION_PASSWORD_FILE names "),
        missing.getMessage());
  }

  @Test
  void aBadMarginIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScheduledConfig.fromEnvironment(Map.of("TRIBUTARY_DESTINATION_URL", URL,
            "TRIBUTARY_APPLY_MARGIN_MS", "ten")));
    assertTrue(e.getMessage().startsWith("TRIBUTARY_APPLY_MARGIN_MS"), e.getMessage());
  }
}
