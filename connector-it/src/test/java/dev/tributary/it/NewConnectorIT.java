package dev.tributary.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.runner.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stranger's first connector, end to end: {@code tributary init} writes a project into a
 * temporary folder outside this repository; a nested Maven builds and tests it offline against
 * a temporary local repository that holds only what this build installed into it (the reactor's
 * artifacts, by maven-invoker-plugin:install) and what Maven Central gave this build (through a
 * {@code file:} mirror of the outer local repository, plugins included); then the runner syncs
 * its Lambda jar in process and through the Lambda handler.
 */
class NewConnectorIT {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {
    String all() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  static Run tributary(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void initBuildsTestsOfflineAndSyncsInProcessAndThroughTheLambdaHandler() throws Exception {
    Path project = dir.resolve("crm-connector");
    Run init = tributary("init", project.toString(), "--package", "com.acme.crm", "--name", "Crm");
    assertEquals(0, init.exit(), init.all());
    assertTrue(Files.exists(project.resolve("src/main/java/com/acme/crm/CrmConnector.java")), init.all());
    for (String f : List.of("README.md", "secrets.example.json", "template.yaml", "events/sync.json",
        "src/test/java/com/acme/crm/CrmConnectorTest.java", ".gitignore")) {
      assertTrue(Files.exists(project.resolve(f)), f);
    }
    assertTrue(Files.readString(project.resolve("template.yaml"))
        .contains("CodeUri: target/crm-connector-lambda.jar"));

    String build = maven(project, "-B", "-o", "verify");

    assertTrue(build.contains("Tests run: 2, Failures: 0, Errors: 0"), build);
    Path lambdaJar = project.resolve("target/crm-connector-lambda.jar");
    assertTrue(Files.exists(lambdaJar), build);
    assertTrue(Files.exists(project.resolve("target/deploy-gcp/crm-connector-gcp.jar")), build);
    assertTrue(Files.exists(project.resolve("target/azure-functions/crm-connector/host.json")), build);

    String secrets = project.resolve("secrets.example.json").toString();
    Run inProcess = tributary("sync", "--dir", dir.resolve("in-process").toString(),
        "--secrets", secrets, "--classpath", lambdaJar.toString());
    Run lambda = tributary("sync", "--dir", dir.resolve("lambda").toString(), "--secrets", secrets,
        "--lambda-handler", "dev.tributary.aws.TributaryLambdaHandler::handleRequest",
        "--classpath", lambdaJar.toString());
    for (Run r : List.of(inProcess, lambda)) {
      assertEquals(0, r.exit(), r.all());
      assertTrue(r.out().contains("sync finished"), r.all());
    }
    assertTrue(inProcess.out().contains("in process: com.acme.crm.CrmConnector"), inProcess.all());
    for (String w : List.of("in-process", "lambda")) {
      Run q = tributary("query", "--dir", dir.resolve(w).toString(),
          "SELECT (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM stages) AS stages");
      assertEquals(0, q.exit(), q.all());
      assertTrue(q.out().lines().anyMatch(l -> l.replaceAll("\\s+", " ").strip().equals("24 | 3")
          || l.replaceAll("[\\s|]+", " ").strip().equals("24 3")), w + ": " + q.out());
    }
    Run state = tributary("state", "--dir", dir.resolve("lambda").toString());
    assertEquals(0, state.exit(), state.all());
    assertTrue(state.out().contains("\"version\""), "the state is committed with the rows: "
        + state.all());
  }

  /** Runs Maven on {@code project} against the temporary repository; returns its output. */
  static String maven(Path project, String... goals) throws Exception {
    Path itRepo = Path.of(System.getProperty("it.repo"));
    Path outerRepo = Path.of(System.getProperty("outer.repo"));
    Path settings = project.resolveSibling("settings.xml");
    Files.writeString(settings, "<settings><mirrors><mirror><id>outer-local-repository</id>"
        + "<mirrorOf>*</mirrorOf><url>" + outerRepo.toUri() + "</url></mirror></mirrors></settings>");
    String home = System.getProperty("maven.home");
    List<String> cmd = new ArrayList<>(List.of(
        home != null ? Path.of(home, "bin", "mvn").toString() : "mvn",
        "-s", settings.toString(), "-Dmaven.repo.local=" + itRepo,
        // Offline, except for the file: mirror, which is a folder on this machine.
        "-Daether.offline.protocols=file"));
    cmd.addAll(List.of(goals));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
    pb.environment().remove("MAVEN_OPTS");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
