package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.tributary.Connector;
import dev.tributary.aws.TributaryLambdaHandler;
import dev.tributary.runner.Cli.Run;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `tributary sync --classpath` runs the user's code, not the runner's: the user's jar is built
 * here with javac, while this test's own class path (the runner's "parent") holds other
 * connectors registered in {@code META-INF/services} (the example orders connector and the core's
 * fixture connector) and a class of the same name as one of the user's — the situation of the
 * runner jar that bundled the examples.
 */
class UserCodeTest {
  static final String CONNECTOR = """
      package com.example.acme;

      import dev.tributary.*;
      import java.util.*;

      public final class AcmeConnector implements Connector {
        @Override public Schema schema() {
          return Schema.of(Table.fullRefresh("acme_widgets").primaryKey("id"));
        }
        @Override public Page read(TableRead read) {
          if (read.after().isPresent()) return new Page(List.of(), false);
          List<Row> rows = new ArrayList<>();
          for (long id = 1; id <= 3; id++) rows.add(Row.of(Map.of("id", "w" + id, "name", Names.of(id))));
          return new Page(rows, false);
        }
        @Override public void test(Secrets secrets) {}
      }
      """;
  static final String NAMES = """
      package com.example.acme;

      final class Names {
        static String of(long id) { return "widget-" + id; }
      }
      """;
  static final String HANDLER = """
      package com.example.acme;

      public final class AcmeHandler extends dev.tributary.aws.TributaryLambdaHandler {
        public AcmeHandler() { super(new AcmeConnector()); }
      }
      """;
  static final String SERVICES = "META-INF/services/dev.tributary.Connector";

  @TempDir Path dir;
  Path secrets;

  @BeforeEach
  void secrets() throws Exception {
    secrets = dir.resolve("secrets.json");
    Files.writeString(secrets, "{\"api_token\":\"tok-9f8e7d6c5b4a\"}");
  }

  Path userJar() throws Exception {
    return new UserJar().source("com.example.acme.AcmeConnector", CONNECTOR)
        .source("com.example.acme.Names", NAMES)
        .source("com.example.acme.AcmeHandler", HANDLER)
        .resource(SERVICES, "com.example.acme.AcmeConnector\n")
        .build(dir, "acme.jar", Connector.class, TributaryLambdaHandler.class, RequestStreamHandler.class,
            org.crac.Resource.class);
  }

  void assertSyncedTheUsersConnector(Run r, Path workspace) {
    assertEquals(0, r.exit(), r.all());
    assertTrue(r.out().contains("3 rows"), r.all());
    String widgets = TargetsTest.query(workspace, "SELECT id, name FROM acme_widgets ORDER BY id");
    assertTrue(widgets.contains("widget-3") && widgets.contains("(3 rows)"), widgets);
    assertTrue(Cli.run("query", "--dir", workspace.toString(), "SELECT * FROM orders").exit() != 0,
        "no other connector's table was synced");
  }

  @Test
  void classpathWithoutConnectorRunsTheConnectorRegisteredInTheUsersJar() throws Exception {
    Path jar = userJar();

    Run r = Cli.run("sync", "--dir", dir.resolve("w").toString(), "--secrets", secrets.toString(),
        "--classpath", jar.toString());

    assertSyncedTheUsersConnector(r, dir.resolve("w"));
    assertTrue(r.out().contains("in process: com.example.acme.AcmeConnector"), r.all());
  }

  @Test
  void ourLambdaHandlerWithTheUsersJarRunsTheUsersConnector() throws Exception {
    Path jar = userJar();

    Run r = Cli.run("sync", "--dir", dir.resolve("w").toString(), "--secrets", secrets.toString(),
        "--lambda-handler", "dev.tributary.aws.TributaryLambdaHandler::handleRequest",
        "--classpath", jar + File.pathSeparator + UserJar.locationOf(TributaryLambdaHandler.class));

    assertSyncedTheUsersConnector(r, dir.resolve("w"));
  }

  @Test
  void theUsersSubclassOfOurLambdaHandlerRunsTheUsersConnector() throws Exception {
    Path jar = userJar();

    Run r = Cli.run("sync", "--dir", dir.resolve("w").toString(), "--secrets", secrets.toString(),
        "--lambda-handler", "com.example.acme.AcmeHandler::handleRequest",
        "--classpath", jar + File.pathSeparator + UserJar.locationOf(TributaryLambdaHandler.class));

    assertSyncedTheUsersConnector(r, dir.resolve("w"));
  }

  @Test
  void theUsersClassWinsOverTheRunnersClassOfTheSameName() throws Exception {
    // The user's jar names its connector like the example the test class path also has.
    Path jar = new UserJar()
        .source("dev.tributary.examples.orders.OrdersApiConnector",
            CONNECTOR.replace("package com.example.acme;", "package dev.tributary.examples.orders;")
                .replace("AcmeConnector", "OrdersApiConnector").replace("Names.of(id)", "\"widget-\" + id"))
        .build(dir, "same-name.jar", Connector.class);

    Run r = Cli.run("sync", "--dir", dir.resolve("w").toString(), "--secrets", secrets.toString(),
        "--connector", "dev.tributary.examples.orders.OrdersApiConnector", "--classpath", jar.toString());

    assertSyncedTheUsersConnector(r, dir.resolve("w"));
  }

  @Test
  void aJarCarryingItsOwnCopyOfTheCoreStillTalksToTheRunnersCore() throws Exception {
    byte[] connectorClass;
    try (InputStream in = Connector.class.getResourceAsStream("Connector.class")) {
      connectorClass = in.readAllBytes();
    }
    Path jar = new UserJar().source("com.example.acme.AcmeConnector", CONNECTOR)
        .source("com.example.acme.Names", NAMES)
        .resource("dev/tributary/Connector.class", connectorClass) // as a shaded jar has it
        .resource(SERVICES, "com.example.acme.AcmeConnector\n")
        .build(dir, "shaded.jar", Connector.class);

    Run r = Cli.run("sync", "--dir", dir.resolve("w").toString(), "--secrets", secrets.toString(),
        "--connector", "com.example.acme.AcmeConnector", "--classpath", jar.toString());

    assertSyncedTheUsersConnector(r, dir.resolve("w"));
  }

  @Test
  void aClassMissingFromTheUsersJarIsAClearErrorNotAStackTrace() throws Exception {
    Path jar = new UserJar().source("com.example.acme.AcmeConnector", CONNECTOR)
        .source("com.example.acme.Names", NAMES).leaveOut("com.example.acme.Names")
        .build(dir, "broken.jar", Connector.class);

    Run r = Cli.run("sync", "--dir", dir.resolve("w").toString(), "--secrets", secrets.toString(),
        "--connector", "com.example.acme.AcmeConnector", "--classpath", jar.toString());

    assertEquals(3, r.exit(), r.all());
    assertTrue(r.all().contains("needs class com.example.acme.Names"), r.all());
    assertTrue(r.all().contains("add the jar that holds it to --classpath"), r.all());
    assertFalse(r.all().contains("\tat "), "no stack trace: " + r.all());
    assertEquals("{ }", Cli.run("state", "--dir", dir.resolve("w").toString()).out().strip(),
        "no state was written");
  }

  @Test
  void severalConnectorsInTheUsersJarsAreNamedWithWhatToDo() throws Exception {
    Path jar = new UserJar().source("com.example.acme.AcmeConnector", CONNECTOR)
        .source("com.example.acme.Names", NAMES)
        .source("com.example.acme.OtherConnector", CONNECTOR.replace("AcmeConnector", "OtherConnector"))
        .resource(SERVICES, "com.example.acme.AcmeConnector\ncom.example.acme.OtherConnector\n")
        .build(dir, "two.jar", Connector.class);

    Run r = Cli.run("sync", "--dir", dir.resolve("w").toString(), "--classpath", jar.toString());

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("several connectors found [com.example.acme.AcmeConnector,"
        + " com.example.acme.OtherConnector]"), r.all());
    assertTrue(r.err().contains("--connector"), r.all());
    assertFalse(r.err().contains("OrdersApiConnector") || r.err().contains("FixtureConnector"),
        "only the user's jars count: " + r.all());
  }

  @Test
  void aMissingClasspathEntryIsAUsageErrorNamingIt() {
    Run r = Cli.run("sync", "--dir", dir.toString(), "--classpath", dir.resolve("nope.jar").toString());

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("nope.jar does not exist"), r.all());
  }

  @Test
  void aMisspelledClassIsAUsageErrorNamingTheClasspath() throws Exception {
    Path jar = userJar();

    Run r = Cli.run("sync", "--dir", dir.toString(), "--connector", "com.example.acme.Acme",
        "--classpath", jar.toString());

    assertEquals(64, r.exit(), r.all());
    assertTrue(r.err().contains("--connector: class com.example.acme.Acme not found in --classpath "
        + jar), r.all());
  }
}
