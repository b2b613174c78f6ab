package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.runner.Cli.Run;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tributary init`: the archetype's template rendered offline (built and run by NewConnectorIT). */
class InitCommandTest {
  @TempDir Path dir;

  @Test
  void initWritesTheProjectWithTheNamesFilledIn() throws Exception {
    Path project = dir.resolve("crm-connector");

    Run r = Cli.run("init", project.toString(), "--package", "com.acme.crm", "--name", "Crm");

    assertEquals(0, r.exit(), r.all());
    TreeSet<String> files;
    try (Stream<Path> all = Files.walk(project)) {
      files = all.filter(Files::isRegularFile).map(p -> project.relativize(p).toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(new TreeSet<>(List.of(".gitignore", "README.md", "events/sync.json", "pom.xml",
        "secrets.example.json", "src/main/azure/host.json", "src/main/azure/local.settings.json",
        "src/main/java/com/acme/crm/CrmConnector.java", "src/main/java/com/acme/crm/CrmSource.java",
        "src/main/resources/META-INF/services/dev.tributary.Connector",
        "src/test/java/com/acme/crm/CrmConnectorTest.java", "template.yaml")), files);
    for (String f : files) {
      String text = Files.readString(project.resolve(f));
      assertFalse(text.contains("${connectorName}") || text.contains("${package}")
          || text.contains("${artifactId}") || text.contains("__connectorName__"), f + ":\n" + text);
    }
    String pom = Files.readString(project.resolve("pom.xml"));
    assertTrue(pom.contains("<artifactId>tributary-connector-parent</artifactId>\n    <version>0.1.0-SNAPSHOT</version>"), pom);
    assertTrue(pom.contains("<groupId>com.acme.crm</groupId>") && pom.contains("<artifactId>crm-connector</artifactId>"), pom);
    assertTrue(pom.contains("${project.build.directory}/crm-connector-lambda.jar"),
        "Maven's own properties stay for Maven: " + pom);
    assertEquals("com.acme.crm.CrmConnector\n", Files.readString(
        project.resolve("src/main/resources/META-INF/services/dev.tributary.Connector")));
    assertTrue(Files.readString(project.resolve("template.yaml"))
        .contains("Handler: dev.tributary.aws.TributaryLambdaHandler::handleRequest"));
  }

  @Test
  void initRefusesAFolderThatIsNotEmpty() throws Exception {
    Files.writeString(dir.resolve("keep.txt"), "mine");

    Run r = Cli.run("init", dir.toString(), "--package", "com.acme.crm", "--name", "Crm");

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("already exists and is not empty"), r.all());
    assertEquals(List.of(dir.resolve("keep.txt")), Files.list(dir).toList());
  }

  @Test
  void initRefusesANameThatCannotBeAClassAndAPackageThatIsNotOne() {
    Run name = Cli.run("init", dir.resolve("p").toString(), "--package", "com.acme.crm", "--name", "crm-thing");
    Run pkg = Cli.run("init", dir.resolve("p").toString(), "--package", "com.acme.1crm", "--name", "Crm");

    assertEquals(64, name.exit(), name.all());
    assertTrue(name.err().contains("--name must start with a capital letter"), name.all());
    assertEquals(64, pkg.exit(), pkg.all());
    assertTrue(pkg.err().contains("--package must be a lower-case Java package name"), pkg.all());
    assertFalse(Files.exists(dir.resolve("p")));
  }

  @Test
  void aTemplateUsingMoreOfVelocityThanPropertiesIsRefused() throws Exception {
    Path t = dir.resolve("template");
    Files.createDirectories(t.resolve("META-INF/maven"));
    Files.createDirectories(t.resolve("archetype-resources"));
    Files.writeString(t.resolve(ProjectTemplate.DESCRIPTOR), "<archetype-descriptor name=\"x\"/>");
    Files.writeString(t.resolve("archetype-resources/pom.xml"), "#set($x = 1)<project/>");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {t.toUri().toURL()}, null)) {
      ProjectTemplate template = ProjectTemplate.load(loader);

      IllegalStateException e = assertThrows(IllegalStateException.class, () -> template.render(
          Map.of("groupId", "g", "artifactId", "a", "version", "1", "package", "p")));
      assertTrue(e.getMessage().contains("uses Velocity beyond ${property}"), e.getMessage());
    }
  }
}
