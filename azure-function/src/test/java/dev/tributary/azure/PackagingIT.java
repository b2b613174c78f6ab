package dev.tributary.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The folder {@code mvn package} stages is a deployable Azure Functions app: what
 * {@code func azure functionapp publish} or a zip deploy of it would upload. Runs after
 * {@code package} (failsafe), which passes the folder's location.
 */
class PackagingIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Path STAGING = Path.of(System.getProperty("stagingDirectory",
      "target/azure-functions/tributary-fivetran"));
  private static final String ADAPTER_JAR = System.getProperty("adapterJar",
      "tributary-azure-function-0.1.0-SNAPSHOT.jar");

  @Test
  void stagesHostJsonWithVersion2AndAnExtensionBundle() throws IOException {
    JsonNode host = MAPPER.readTree(STAGING.resolve("host.json").toFile());

    assertEquals("2.0", host.path("version").asText());
    assertEquals("Microsoft.Azure.Functions.ExtensionBundle",
        host.path("extensionBundle").path("id").asText());
  }

  @Test
  void declaresFivetranAsAPostOnlyHttpTriggerBehindAFunctionKey() throws IOException {
    JsonNode function = MAPPER.readTree(STAGING.resolve("fivetran/function.json").toFile());

    assertEquals("dev.tributary.azure.FivetranFunction.run", function.path("entryPoint").asText());
    JsonNode trigger = binding(function, "httpTrigger");
    assertEquals("in", trigger.path("direction").asText());
    assertEquals("FUNCTION", trigger.path("authLevel").asText());
    assertEquals(List.of("POST"), MAPPER.convertValue(trigger.path("methods"), List.class));
    assertEquals("binary", trigger.path("dataType").asText());
    assertEquals("$return", binding(function, "http").path("name").asText());
  }

  @Test
  void declaresTheScheduledSyncAsATimerOnTheScheduleOfAnAppSetting() throws IOException {
    JsonNode function = MAPPER.readTree(STAGING.resolve("scheduled/function.json").toFile());

    assertEquals("dev.tributary.azure.ScheduledFunction.run", function.path("entryPoint").asText());
    assertEquals("../" + ADAPTER_JAR, function.path("scriptFile").asText());
    JsonNode trigger = binding(function, "timerTrigger");
    assertEquals("in", trigger.path("direction").asText());
    assertEquals("timer", trigger.path("name").asText());
    assertEquals("%TRIBUTARY_SCHEDULE%", trigger.path("schedule").asText());
    assertEquals(1, function.path("bindings").size(), function.toString());
  }

  @Test
  void libHoldsTheScheduledSyncWithThePostgresDriverButNotDuckDb() throws IOException {
    List<String> jars;
    try (Stream<Path> lib = Files.list(STAGING.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
    }

    assertTrue(jars.stream().anyMatch(j -> j.startsWith("tributary-scheduled-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("tributary-destination-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("postgresql-")), jars.toString());
    assertFalse(jars.stream().anyMatch(j -> j.startsWith("duckdb")), jars.toString());
  }

  @Test
  void functionScriptFileIsTheStagedAdapterJar() throws IOException {
    JsonNode function = MAPPER.readTree(STAGING.resolve("fivetran/function.json").toFile());
    String scriptFile = function.path("scriptFile").asText();

    assertEquals("../" + ADAPTER_JAR, scriptFile);
    assertTrue(Files.isRegularFile(STAGING.resolve("fivetran").resolve(scriptFile).normalize()),
        scriptFile + " is not in the staging folder");
  }

  @Test
  void libHoldsCoreAndJacksonButNotTheProvidedWorkerLibrary() throws IOException {
    List<String> jars;
    try (Stream<Path> lib = Files.list(STAGING.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
    }

    assertTrue(jars.stream().anyMatch(j -> j.startsWith("tributary-core-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("jackson-core-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("jackson-databind-")), jars.toString());
    assertFalse(jars.stream().anyMatch(j -> j.startsWith("azure-functions-java")), jars.toString());
    assertFalse(jars.stream().anyMatch(j -> j.contains("tests") || j.startsWith("junit")),
        jars.toString());
  }

  private static JsonNode binding(JsonNode function, String type) {
    for (JsonNode b : function.path("bindings")) {
      if (type.equals(b.path("type").asText())) {
        return b;
      }
    }
    throw new AssertionError("no " + type + " binding in " + function);
  }
}
