package dev.tributary.runner;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.driver.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The function a command calls and how it is reached — in process, over HTTP, through a Lambda
 * handler, or in the real Google or AWS runtime — with the connection's secrets. Shared by
 * {@code sync}, {@code test} and {@code schema}.
 */
final class TargetOptions {
  @Option(names = "--connector", paramLabel = "<class>",
      description = "Connector class to run in process (default: the one in META-INF/services on the classpath).")
  String connector;

  @Option(names = "--classpath", paramLabel = "<path>",
      description = "Jars and folders holding the connector or handler, separated by '${sys:path.separator}'.")
  String classpath;

  @Option(names = "--url", paramLabel = "<url>",
      description = "POST to an HTTP function (a Functions Framework invoker, an Azure function, a deployed one).")
  java.net.URI url;

  @Option(names = "--header", paramLabel = "<name:value>",
      description = "Header for --url, e.g. x-functions-key:<key>. Repeatable.")
  List<String> headers = new ArrayList<>();

  @Option(names = "--lambda-handler", paramLabel = "<pkg.Class::handleRequest>",
      description = "Call an AWS Lambda stream handler as the Lambda runtime does (in this JVM;"
          + " with --lambda, the handler the runtime interface client runs).")
  String lambdaHandler;

  @Option(names = "--gcp", description = "Run --classpath's jar in the real Google Functions"
      + " Framework invoker (its own JVM, a loopback port) and call it over HTTP.")
  boolean gcp;

  @Option(names = "--gcp-function", paramLabel = "<class>",
      description = "The HttpFunction --gcp serves (default: " + GcpInvoker.DEFAULT_FUNCTION + ").")
  String gcpFunction;

  @Option(names = "--lambda", description = "Run --classpath's jar in the real AWS Lambda runtime"
      + " interface client (its own JVM) against a loopback Runtime API.")
  boolean lambda;

  @Option(names = "--through-s3", description = "Sync through S3 (Fivetran's CLOUD_STORAGE):"
      + " start S3Proxy, name a bucket and file in each request, read the rows from the object."
      + " With --lambda or --lambda-handler.")
  boolean throughS3;

  @Option(names = "--secrets", paramLabel = "<file>",
      description = "JSON object file with the connection's secrets.")
  Path secretsFile;

  @Option(names = "--env", paramLabel = "<NAME=VALUE>",
      description = "An environment variable for the function run in process or in a runtime, as"
          + " its platform would set it (e.g. TRIBUTARY_PAGE_SIZE=5). Repeatable.")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--not-secret", paramLabel = "<name>",
      description = "A key of the secrets file that is plain configuration (e.g. owner, repo):"
          + " its value may appear in rows. Every other value is a secret the check looks for."
          + " A connector run in process adds the keys it declares (Connector.notSecretKeys())."
          + " Repeatable.")
  List<String> notSecret = new ArrayList<>();

  /** An opened target: close it to stop what it started and restore the JVM's output. */
  static final class Opened implements AutoCloseable {
    final Target target;
    final Map<String, Object> secrets;
    /** Secret keys that are plain configuration: --not-secret and the connector's declaration. */
    final List<String> configuration;
    /** The connector, when it runs in process ({@code --connector} or META-INF/services). */
    final Connector connector;
    private final List<AutoCloseable> resources;

    Opened(Target target, Map<String, Object> secrets, List<String> configuration,
        Connector connector, List<AutoCloseable> resources) {
      this.target = target;
      this.secrets = secrets;
      this.configuration = configuration;
      this.connector = connector;
      this.resources = resources;
    }

    @Override
    public void close() {
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception ignored) {
          // stopping what we started must not hide the command's own outcome
        }
      }
    }
  }

  private CommandLine.Model.CommandSpec spec;

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** Checks the combination of options; throws a usage error naming what to change. */
  void validate(CommandLine.Model.CommandSpec spec) {
    this.spec = spec;
    int targets = (url != null ? 1 : 0) + (connector != null ? 1 : 0) + (gcp ? 1 : 0)
        + (lambda ? 1 : 0) + (lambdaHandler != null && !lambda ? 1 : 0);
    if (targets > 1) {
      throw usage("choose one target: --connector, --url or --lambda-handler"
          + " (or --gcp, --lambda with --classpath)");
    }
    if ((gcp || lambda) && (classpath == null || classpath.isBlank())) {
      throw usage((gcp ? "--gcp" : "--lambda") + " runs your built jar: name it with --classpath"
          + " (e.g. target/<connector>-" + (gcp ? "gcp" : "lambda") + ".jar)");
    }
    if (gcpFunction != null && !gcp) {
      throw usage("--gcp-function goes with --gcp");
    }
    if (throughS3 && !lambda && lambdaHandler == null) {
      throw usage("--through-s3 is AWS only (Fivetran's CLOUD_STORAGE): add --lambda or"
          + " --lambda-handler <pkg.Class::handleRequest>");
    }
    if (!headers.isEmpty() && url == null) {
      throw usage("--header goes with --url");
    }
  }

  /** Opens the target in workspace {@code ws}: starts runtimes, loads user code, reads secrets. */
  Opened open(Main.Workspace ws, CommandLine.Model.CommandSpec spec) throws Exception {
    validate(spec);
    Map<String, Object> secrets = readSecrets(secretsFile);
    Files.createDirectories(ws.dir);
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      return open(ws, secrets, resources);
    } catch (Exception | Error e) {
      new Opened(null, secrets, List.of(), null, resources).close();
      throw e;
    }
  }

  private Opened open(Main.Workspace ws, Map<String, Object> secrets, List<AutoCloseable> resources)
      throws Exception {
    Path log = ws.functionLog();
    if (url != null) {
      Map<String, String> hs = new LinkedHashMap<>();
      for (String h : headers) {
        int colon = h.indexOf(':');
        if (colon <= 0) {
          throw usage("--header must be name:value, got '" + h + "'");
        }
        hs.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
      }
      return new Opened(Target.http(url, hs), secrets, notSecret, null, resources);
    }
    if (gcp || lambda) {
      checkClasspathEntries();
      Map<String, String> environment = new LinkedHashMap<>(env);
      LocalS3 s3 = null;
      if (throughS3) {
        s3 = LocalS3.start(log);
        resources.add(s3);
        environment.putAll(s3.environment());
      }
      Target t;
      if (gcp) {
        GcpInvoker invoker = GcpInvoker.start(classpath,
            gcpFunction != null ? gcpFunction : GcpInvoker.DEFAULT_FUNCTION, 0, environment, log);
        resources.add(invoker);
        t = Target.http(invoker.url(), Map.of());
        t = Targets.described(t, "Functions Framework invoker: " + (gcpFunction != null ? gcpFunction
            : GcpInvoker.DEFAULT_FUNCTION) + " at " + invoker.url());
      } else {
        String handler = lambdaHandler != null ? lambdaHandler : LambdaRuntime.DEFAULT_HANDLER;
        LambdaRuntime rt = LambdaRuntime.start(classpath, handler, environment, log);
        resources.add(rt);
        t = Targets.lambdaRuntime(rt, handler);
      }
      return new Opened(s3 != null ? Targets.throughS3(s3, t) : t, secrets, notSecret, null, resources);
    }

    ClassLoader loader;
    try {
      loader = UserCodeLoader.of(classpath, Main.class.getClassLoader());
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    // From here on the function runs in this JVM: what it prints goes to function.log (the
    // HTTP toolkit's interceptors take System.out when they are built, so before creating it).
    resources.add(FunctionOutput.to(log));
    if (lambdaHandler != null) {
      LocalS3 s3 = null;
      if (throughS3) {
        s3 = LocalS3.start(log);
        resources.add(s3);
        Map<String, String> previous = new LinkedHashMap<>();
        s3.systemProperties().forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
        resources.add(() -> previous.forEach((k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        }));
      }
      String cls = lambdaHandler.contains("::")
          ? lambdaHandler.substring(0, lambdaHandler.indexOf("::")) : lambdaHandler;
      Object handler = instantiate(loader, cls, "--lambda-handler");
      if (!(handler instanceof RequestStreamHandler)) {
        throw usage("--lambda-handler: " + cls
            + " is not a com.amazonaws.services.lambda.runtime.RequestStreamHandler; name"
            + " dev.tributary.aws.TributaryLambdaHandler or your subclass of it");
      }
      Target t = Target.withLoader(loader,
          Targets.lambda((RequestStreamHandler) handler, lambdaHandler, Main.functionLog(ws)));
      return new Opened(s3 != null ? Targets.throughS3(s3, t) : t, secrets, notSecret, null, resources);
    }
    Connector c = connector(loader);
    List<String> configuration = new ArrayList<>(notSecret);
    configuration.addAll(Set.copyOf(c.notSecretKeys()));
    Map<String, String> environment = new LinkedHashMap<>(System.getenv());
    environment.putAll(env);
    EngineConfig config = EngineConfig.fromEnvironment(environment).newBuilder()
        .logSink(Main.functionLog(ws)).build();
    return new Opened(Target.withLoader(loader, Target.inProcess(c, config)), secrets,
        configuration, c, resources);
  }

  /** The in-process connector: {@code --connector}, or the one the class path registers. */
  private Connector connector(ClassLoader loader) throws Exception {
    if (connector != null) {
      Object o = instantiate(loader, connector, "--connector");
      if (!(o instanceof Connector)) {
        throw usage("--connector: " + connector + " does not implement dev.tributary.Connector");
      }
      return (Connector) o;
    }
    return created("the connector named in META-INF/services/dev.tributary.Connector",
        "--connector", () -> UserCodeLoader.with(loader, Connector::load));
  }

  private void checkClasspathEntries() {
    try {
      UserCodeLoader.of(classpath, Main.class.getClassLoader());
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /**
   * The secrets file as a map; a file that is missing, not JSON or not an object is a usage
   * error naming the file (and the line and column) — never quoting it, as it holds secrets.
   */
  static Map<String, Object> readSecrets(Path file) throws IOException {
    if (file == null) {
      return Map.of();
    }
    JsonNode n = readJson(file, "--secrets", false);
    if (n == null || !n.isObject()) {
      throw new UsageException(file + " must hold a JSON object of secrets"
          + " ({\"api_token\": \"…\"}), not " + (n == null ? "nothing" : "a JSON " + n.getNodeType()
          .name().toLowerCase(java.util.Locale.ROOT)) + " (--secrets)");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = Main.JSON.convertValue(n, LinkedHashMap.class);
    return m;
  }

  /**
   * Reads a JSON file the user wrote; a missing file or bad JSON is a {@link UsageException}
   * naming the file, the line and the column. Jackson's own description of the problem (which
   * quotes the text it choked on) is included only when {@code quote} allows it.
   */
  static JsonNode readJson(Path file, String option, boolean quote) throws IOException {
    try {
      return Main.JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new UsageException(option + ": " + file + " does not exist");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new UsageException(file + " is not valid JSON" + where
          + (quote ? ": " + e.getOriginalMessage().lines().findFirst().orElse("") : "")
          + "; fix the file (" + option + ")");
    }
  }

  /**
   * Creates an instance of the user's class {@code cls} in the user's class loader, which is
   * also the thread's context class loader meanwhile (so the adapters' {@code ServiceLoader}
   * look-ups see the user's service files).
   */
  private Object instantiate(ClassLoader loader, String cls, String option) throws Exception {
    return created(cls, option, () -> UserCodeLoader.with(loader, () -> {
      Class<?> type;
      try {
        type = Class.forName(cls, true, loader);
      } catch (ClassNotFoundException e) {
        throw usage(option + ": class " + cls + " not found" + (classpath == null
            ? "; add its jar or classes folder with --classpath"
            : " in --classpath " + classpath + " (nor in the runner); check the name and the jar"));
      }
      try {
        return type.getConstructor().newInstance();
      } catch (NoSuchMethodException e) {
        throw usage(option + ": " + cls + " needs a public no-argument constructor");
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw new Main.UserCodeException(e.getCause());
      }
    }));
  }

  /**
   * Runs {@code create}, turning what the user's code can throw while it is loaded and
   * constructed into one clear usage error instead of a stack trace.
   */
  private <T> T created(String what, String option, Callable<T> create) throws Exception {
    try {
      return create.call();
    } catch (Main.UserCodeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof LinkageError) {
        throw usage(linkageMessage(option, what, (LinkageError) cause));
      }
      throw usage(option + ": creating " + what + " failed: " + Main.describe(cause));
    } catch (LinkageError e) {
      throw usage(linkageMessage(option, what, e));
    } catch (java.util.ServiceConfigurationError e) {
      throw usage(option + ": loading " + what + " failed: " + Main.describe(e));
    } catch (IllegalStateException e) {
      // Connector.load(): none or several registered; its message says what to do.
      throw usage(e.getMessage() + (classpath == null ? "" : " (looked in --classpath " + classpath
          + ")") + "; or name one with " + option);
    }
  }

  private String linkageMessage(String option, String what, LinkageError e) {
    if (e instanceof ExceptionInInitializerError && e.getCause() != null) {
      return option + ": initialising " + what + " failed: " + Main.describe(e.getCause());
    }
    if (e instanceof UnsupportedClassVersionError) {
      return option + ": " + what + " was compiled for a newer Java than this one ("
          + System.getProperty("java.version") + "): " + e.getMessage()
          + "; build it with --release 17 (maven.compiler.release)";
    }
    String missing = e.getMessage() == null ? e.toString() : e.getMessage().replace('/', '.');
    return option + ": " + what + " needs class " + missing + ", which is not in "
        + (classpath == null ? "the runner" : "--classpath " + classpath)
        + "; add the jar that holds it (a shaded jar built with your connector's `mvn package`"
        + " has all of them)";
  }
}
