package dev.tributary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary}: the local Fivetran. Syncs a connector into a DuckDB warehouse exactly the way
 * Fivetran would, and is stricter than Fivetran about the protocol.
 */
@Command(name = "tributary", mixinStandardHelpOptions = true, version = "tributary 0.1.0",
    description = "The local Fivetran: sync a connector into a DuckDB warehouse, check every response.",
    subcommands = {DemoCommand.class, InitCommand.class, Main.Sync.class, Main.Reset.class, Main.State.class,
        Main.Query.class},
    exitCodeOnInvalidInput = Main.USAGE, exitCodeOnExecutionException = Main.FAILURE)
public final class Main {
  static final int FAILURE = 1;
  static final int USAGE = 64;
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the CLI with these streams; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Main());
    // The annotation's codes hold for `tributary` itself only; subcommands would answer a usage
    // error with picocli's default 2, which is the code of a protocol violation.
    for (CommandLine c : cl.getSubcommands().values()) {
      c.getCommandSpec().exitCodeOnInvalidInput(USAGE)
          .exitCodeOnExecutionException(FAILURE);
    }
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      err.println("tributary: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return FAILURE;
    });
    return cl.execute(args);
  }

  /** Where a connection's local state lives. */
  static final class Workspace {
    @Option(names = "--dir", defaultValue = ".", paramLabel = "<dir>",
        description = "Folder holding state.json, warehouse.db and function.log (default: ${DEFAULT-VALUE}).")
    Path dir;

    Path state() {
      return dir.resolve("state.json");
    }

    Path warehouse() {
      return dir.resolve("warehouse.db");
    }

    Path functionLog() {
      return dir.resolve("function.log");
    }
  }

  @Command(name = "sync", mixinStandardHelpOptions = true,
      description = {"Drive a connector like Fivetran: call with state.json's state, repeat while"
          + " hasMore, apply each response to the warehouse, save the state after each one.",
          "Exit codes: 0 success, 2 protocol violation, 3 connector error, 64 usage."})
  static final class Sync implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();

    @Option(names = "--connector", paramLabel = "<class>",
        description = "Connector class to run in process (default: the one in META-INF/services on the classpath).")
    String connector;

    @Option(names = "--classpath", paramLabel = "<path>",
        description = "Jars and folders holding the connector or handler, separated by '${sys:path.separator}'.")
    String classpath;

    @Option(names = "--url", paramLabel = "<url>",
        description = "POST to an HTTP function (a Functions Framework invoker, an Azure function, a deployed one).")
    URI url;

    @Option(names = "--header", paramLabel = "<name:value>",
        description = "Header for --url, e.g. x-functions-key:<key>. Repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--lambda-handler", paramLabel = "<pkg.Class::handleRequest>",
        description = "Call an AWS Lambda stream handler as the Lambda runtime does.")
    String lambdaHandler;

    @Option(names = "--secrets", paramLabel = "<file>",
        description = "JSON object file with the connection's secrets.")
    Path secretsFile;

    @Option(names = "--call-timeout", defaultValue = "60s", paramLabel = "<duration>",
        description = "Deadline of each call, e.g. 60s, 5m (default: ${DEFAULT-VALUE}).")
    String callTimeout;

    @Option(names = "--time-limit", defaultValue = "6h", paramLabel = "<duration>",
        description = "Longest a sync may run; Fivetran's is 6h (default: ${DEFAULT-VALUE}).")
    String timeLimit;

    @Option(names = "--limit-bytes", defaultValue = "6000000", paramLabel = "<bytes>",
        description = "Largest response the target cloud accepts; AWS Lambda's is 6 MB (default: ${DEFAULT-VALUE}).")
    long limitBytes;

    @Option(names = "--state-limit-bytes", defaultValue = "1000000", paramLabel = "<bytes>",
        description = "Largest state accepted (default: ${DEFAULT-VALUE}).")
    long stateLimitBytes;

    @Option(names = "--max-calls", defaultValue = "100000", paramLabel = "<n>",
        description = "Stop a sync that makes more calls than this (default: ${DEFAULT-VALUE}).")
    int maxCalls;

    @Option(names = "--env", paramLabel = "<NAME=VALUE>",
        description = "An environment variable for the function run in process, as its platform"
            + " would set it (e.g. TRIBUTARY_PAGE_SIZE=5). Repeatable.")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--not-secret", paramLabel = "<name>",
        description = "A key of the secrets file that is plain configuration (e.g. owner, repo):"
            + " its value may appear in rows. Every other value is a secret the check looks for."
            + " A connector run in process adds the keys it declares (Connector.notSecretKeys())."
            + " Repeatable.")
    List<String> notSecret = new ArrayList<>();

    /** What an in-process connector declares as configuration; set by {@link #target}. */
    private Set<String> declaredNotSecret = Set.of();

    @Option(names = "--json", description = "Print a machine-readable summary.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
          StandardCharsets.UTF_8);
      int targets = (url != null ? 1 : 0) + (lambdaHandler != null ? 1 : 0) + (connector != null ? 1 : 0);
      if (targets > 1) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "choose one target: --connector, --url or --lambda-handler");
      }
      Map<String, Object> secrets = readSecrets(secretsFile);
      Files.createDirectories(ws.dir);
      Target target = target(secrets);
      List<String> configuration = new ArrayList<>(notSecret);
      configuration.addAll(declaredNotSecret);
      try (Warehouse warehouse = new Warehouse(ws.warehouse())) {
        Driver driver = new Driver(target, warehouse, new StateFile(ws.state()), secrets,
            new ProtocolChecker(limitBytes, stateLimitBytes,
                secretValues(without(secrets, configuration))),
            durationOf("--call-timeout", callTimeout), durationOf("--time-limit", timeLimit),
            maxCalls, new Progress(out, System.console() != null && !json, quiet || json));
        Driver.Summary s = driver.sync();
        Report.print(s, target.describe(), json, out);
        return s.result().exitCode;
      }
    }

    private Target target(Map<String, Object> secrets) throws Exception {
      if (url != null) {
        List<String[]> hs = new ArrayList<>();
        for (String h : headers) {
          int colon = h.indexOf(':');
          if (colon <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--header must be name:value, got '" + h + "'");
          }
          hs.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
        }
        return Target.http(url, hs);
      }
      ClassLoader loader;
      try {
        loader = UserCodeLoader.of(classpath, Main.class.getClassLoader());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      if (lambdaHandler != null) {
        String cls = lambdaHandler.contains("::") ? lambdaHandler.substring(0, lambdaHandler.indexOf("::"))
            : lambdaHandler;
        // The adapter's engine takes System.out as its log when it is built (on Lambda that is
        // CloudWatch), so build it while System.out is function.log; Target.lambda redirects
        // what the handler prints during calls.
        Files.createDirectories(ws.dir);
        PrintStream original = System.out;
        System.setOut(new PrintStream(Files.newOutputStream(ws.functionLog(),
            StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8));
        Object handler;
        try {
          handler = instantiate(loader, cls, "--lambda-handler");
        } finally {
          System.setOut(original);
        }
        if (!(handler instanceof RequestStreamHandler)) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--lambda-handler: " + cls
              + " is not a com.amazonaws.services.lambda.runtime.RequestStreamHandler; name"
              + " dev.tributary.aws.TributaryLambdaHandler or your subclass of it");
        }
        return Target.withLoader(loader,
            Target.lambda((RequestStreamHandler) handler, lambdaHandler, functionLog(ws)));
      }
      Connector c;
      if (connector != null) {
        Object o = instantiate(loader, connector, "--connector");
        if (!(o instanceof Connector)) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--connector: " + connector
              + " does not implement dev.tributary.Connector");
        }
        c = (Connector) o;
      } else {
        c = created("the connector named in META-INF/services/dev.tributary.Connector",
            "--connector", () -> UserCodeLoader.with(loader, Connector::load));
      }
      declaredNotSecret = Set.copyOf(c.notSecretKeys());
      Map<String, String> environment = new LinkedHashMap<>(System.getenv());
      environment.putAll(env);
      EngineConfig config = EngineConfig.fromEnvironment(environment).newBuilder()
          .logSink(functionLog(ws)).build();
      return Target.withLoader(loader, Target.inProcess(c, config));
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
          throw new CommandLine.ParameterException(spec.commandLine(), option + ": class " + cls
              + " not found" + (classpath == null ? "; add its jar or classes folder with --classpath"
              : " in --classpath " + classpath + " (nor in the runner); check the name and the jar"));
        }
        try {
          return type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + cls
              + " needs a public no-argument constructor");
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw new UserCodeException(e.getCause());
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
      } catch (UserCodeException e) {
        Throwable cause = e.getCause();
        if (cause instanceof LinkageError) {
          throw new CommandLine.ParameterException(spec.commandLine(), linkageMessage(option, what,
              (LinkageError) cause));
        }
        throw new CommandLine.ParameterException(spec.commandLine(), option + ": creating " + what
            + " failed: " + describe(cause));
      } catch (LinkageError e) {
        throw new CommandLine.ParameterException(spec.commandLine(), linkageMessage(option, what, e));
      } catch (java.util.ServiceConfigurationError e) {
        throw new CommandLine.ParameterException(spec.commandLine(), option + ": loading " + what
            + " failed: " + describe(e));
      } catch (IllegalStateException e) {
        // Connector.load(): none or several registered; its message says what to do.
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage()
            + (classpath == null ? "" : " (looked in --classpath " + classpath + ")")
            + "; or name one with " + option);
      }
    }

    private String linkageMessage(String option, String what, LinkageError e) {
      if (e instanceof ExceptionInInitializerError && e.getCause() != null) {
        return option + ": initialising " + what + " failed: " + describe(e.getCause());
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

  /** Something the user's code threw while the runner created it. */
  static final class UserCodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserCodeException(Throwable cause) {
      super(cause);
    }
  }

  /** A throwable as one line: its class and message, and its cause's. */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null && sb.length() < 500; c = c.getCause()) {
      sb.append(sb.length() == 0 ? "" : "; caused by ").append(c.getClass().getName())
          .append(c.getMessage() == null ? "" : ": " + c.getMessage());
      if (c.getCause() == c) {
        break;
      }
    }
    return sb.toString();
  }

  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = "Delete state.json and the warehouse: the next sync is a fresh historical sync.")
  static final class Reset implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      new StateFile(ws.state()).delete();
      Files.deleteIfExists(ws.warehouse());
      Files.deleteIfExists(ws.dir.resolve("warehouse.db.wal"));
      spec.commandLine().getOut().println("reset " + ws.dir.toAbsolutePath().normalize()
          + ": state and warehouse deleted");
      return 0;
    }
  }

  @Command(name = "state", mixinStandardHelpOptions = true,
      description = "Print the connection's state, or replace it (what an operator does through"
          + " Fivetran's state API).")
  static final class State implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();

    @Option(names = "--set", paramLabel = "<file>", description = "Replace the state with this JSON object.")
    Path set;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      StateFile file = new StateFile(ws.state());
      if (set != null) {
        JsonNode n = JSON.readTree(set.toFile());
        if (n == null || !n.isObject()) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              set + " must hold a JSON object (Fivetran's state is always an object)");
        }
        file.write(n);
      }
      spec.commandLine().getOut().println(
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file.read()));
      return 0;
    }
  }

  @Command(name = "query", mixinStandardHelpOptions = true,
      description = "Run SQL on the warehouse (DuckDB) and print the result.")
  static final class Query implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();

    @Parameters(paramLabel = "<sql>", description = "e.g. \"SELECT * FROM orders LIMIT 10\"")
    String sql;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!Files.exists(ws.warehouse())) {
        throw new CommandLine.ParameterException(spec.commandLine(), "no warehouse at "
            + ws.warehouse() + "; run `tributary sync` (or `tributary demo`) first");
      }
      PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
          StandardCharsets.UTF_8);
      try (Warehouse w = new Warehouse(ws.warehouse())) {
        w.query(sql, out);
      }
      return 0;
    }
  }

  // ---------------------------------------------------------------------------------------------

  static Map<String, Object> readSecrets(Path file) throws IOException {
    if (file == null) {
      return Map.of();
    }
    JsonNode n = JSON.readTree(file.toFile());
    if (n == null || !n.isObject()) {
      throw new IOException(file + " must hold a JSON object of secrets");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = JSON.convertValue(n, LinkedHashMap.class);
    return m;
  }

  static Map<String, Object> without(Map<String, Object> secrets, List<String> names) {
    Map<String, Object> out = new LinkedHashMap<>(secrets);
    names.forEach(out::remove);
    return out;
  }

  /** Secret values the checker looks for in responses (the core's redaction rule: 4+ chars). */
  static List<String> secretValues(Map<String, Object> secrets) {
    List<String> out = new ArrayList<>();
    collect(secrets, out);
    return out;
  }

  private static void collect(Object v, List<String> out) {
    if (v instanceof Map) {
      ((Map<?, ?>) v).values().forEach(o -> collect(o, out));
    } else if (v instanceof List) {
      ((List<?>) v).forEach(o -> collect(o, out));
    } else if (v != null && !(v instanceof Boolean) && String.valueOf(v).length() >= 4) {
      out.add(String.valueOf(v));
    }
  }

  static java.util.function.Consumer<String> functionLog(Workspace ws) {
    Path log = ws.functionLog();
    return line -> {
      try {
        Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  /** {@code 90s}, {@code 5m}, {@code 6h}, plain seconds, or ISO-8601 ({@code PT6H}). */
  static Duration durationOf(String option, String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.startsWith("pt")) {
        return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
      }
      char unit = t.charAt(t.length() - 1);
      if (Character.isDigit(unit)) {
        return Duration.ofSeconds(Long.parseLong(t));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      switch (unit) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(option + " must be a duration like 90s, 5m or 6h, not '"
        + text + "'");
  }
}
