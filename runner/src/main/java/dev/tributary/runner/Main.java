package dev.tributary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.destination.Destination;
import dev.tributary.destination.Lease;
import dev.tributary.destination.QueryResult;
import dev.tributary.driver.Driver;
import dev.tributary.driver.internal.ProtocolChecker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary}: the local Fivetran. Syncs a connector into a destination — a DuckDB
 * warehouse by default, or PostgreSQL — exactly the way Fivetran would, and is stricter than
 * Fivetran about the protocol.
 */
@Command(name = "tributary", mixinStandardHelpOptions = true, version = "tributary 0.1.0",
    description = "The local Fivetran: sync a connector into DuckDB or PostgreSQL, check every response.",
    subcommands = {DemoCommand.class, InitCommand.class, Main.Sync.class, Main.Test.class,
        Main.SchemaCommand.class, ServeCommand.class, Main.Reset.class, Main.State.class,
        Main.Query.class},
    exitCodeOnInvalidInput = Main.USAGE, exitCodeOnExecutionException = Main.FAILURE)
public final class Main {
  static final int FAILURE = 1;
  static final int USAGE = 64;
  /** {@code sync --fail-if-held} when another run holds the connection (sysexits' EX_TEMPFAIL). */
  static final int HELD = 75;
  static final ObjectMapper JSON = new ObjectMapper();
  /** The environment a command reads (the destination's password); tests give their own. */
  private static final ThreadLocal<java.util.function.Function<String, String>> ENV =
      ThreadLocal.withInitial(() -> System::getenv);

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the CLI with these streams; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, System::getenv);
  }

  /** Runs the CLI with these streams and this environment; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err,
      java.util.function.Function<String, String> env) {
    ENV.set(env);
    try {
      return execute(args, out, err);
    } finally {
      ENV.remove();
    }
  }

  static java.util.function.Function<String, String> env() {
    return ENV.get();
  }

  private static int execute(String[] args, PrintStream out, PrintStream err) {
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
      if (e instanceof UsageException) {
        err.println(prefix(line) + e.getMessage());
        return USAGE;
      }
      err.println("tributary: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return FAILURE;
    });
    // A usage error is one line saying what is wrong and where the options are, not a page of
    // usage text that buries it.
    cl.setParameterExceptionHandler((e, arguments) -> {
      CommandLine line = e.getCommandLine();
      err.println(prefix(line) + e.getMessage());
      if (e instanceof CommandLine.UnmatchedArgumentException) {
        CommandLine.UnmatchedArgumentException.printSuggestions(
            (CommandLine.UnmatchedArgumentException) e, new PrintWriter(err, true));
      }
      err.println("see: " + line.getCommandSpec().qualifiedName() + " --help");
      return USAGE;
    });
    return cl.execute(args);
  }

  private static String prefix(CommandLine line) {
    return line.getCommandSpec().qualifiedName() + ": ";
  }

  /** Where a connection's local files live. */
  static final class Workspace {
    @Option(names = "--dir", defaultValue = ".", paramLabel = "<dir>",
        description = "Folder holding warehouse.db (the default destination) and function.log"
            + " (default: ${DEFAULT-VALUE}).")
    Path dir;

    Path warehouse() {
      return dir.resolve("warehouse.db");
    }

    Path functionLog() {
      return dir.resolve("function.log");
    }
  }

  @Command(name = "sync", mixinStandardHelpOptions = true,
      description = {"Drive a connector like Fivetran: take the connection's lease, call with its"
          + " last committed state, repeat while hasMore, apply each response's rows and state to"
          + " the destination in one transaction.",
          "Exit codes: 0 success (or skipped: another run holds the connection), 2 protocol"
          + " violation, 3 connector error, 4 destination error, 64 usage, 75 held with"
          + " --fail-if-held."})
  static final class Sync implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();
    @CommandLine.Mixin DestinationFlags destination = new DestinationFlags();
    @CommandLine.Mixin
    TargetOptions function = new TargetOptions();

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

    @Option(names = "--fail-if-held", description = "Exit 75 instead of 0 when another run holds"
        + " the connection (default: print \"skipped: …\" and exit 0, as a scheduler wants).")
    boolean failIfHeld;

    @Option(names = "--json", description = "Print one JSON document, the summary, and nothing else.")
    boolean json;

    @Option(names = "--quiet", description = "Print nothing when the sync succeeds; the problems and"
        + " the summary line when it does not.")
    boolean quiet;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
          StandardCharsets.UTF_8);
      if (json && quiet) {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose --json or --quiet");
      }
      Duration call = durationOf("--call-timeout", callTimeout);
      Duration limit = durationOf("--time-limit", timeLimit);
      function.validate(spec);
      destination.options(spec, env()); // bad flags are reported before anything starts
      try (TargetOptions.Opened opened = function.open(ws, spec);
           Destination d = destination.open(ws, spec, env())) {
        Driver driver = Driver.builder(opened.target, d)
            .connection(destination.connection)
            .secrets(opened.secrets)
            .notSecret(opened.configuration)
            .limitBytes(limitBytes)
            .stateLimitBytes(stateLimitBytes)
            .callTimeout(call)
            .timeLimit(limit)
            .maxCalls(maxCalls)
            .agent("Tributary runner/local")
            .listener(new Progress(out, System.console() != null && !json, quiet || json))
            .build();
        Driver.Summary s = driver.sync();
        if (!quiet || s.result() != Driver.Result.SUCCESS) {
          Report.print(s, opened.target.describe(), d.describe(), json, out);
        }
        return s.result() == Driver.Result.SKIPPED && failIfHeld ? HELD : s.result().exitCode();
      }
    }
  }

  @Command(name = "test", mixinStandardHelpOptions = true,
      description = {"Run Fivetran's setup test (setup_test: true) against the function and print"
          + " the verdict and the connector's message, with the connection's state. Nothing is"
          + " written.",
          "Exit codes: 0 passed, 2 protocol violation, 3 failed, 64 usage."})
  static final class Test implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();
    @CommandLine.Mixin DestinationFlags destination = new DestinationFlags();
    @CommandLine.Mixin
    TargetOptions function = new TargetOptions();

    @Option(names = "--call-timeout", defaultValue = "60s", paramLabel = "<duration>",
        description = "Deadline of the call (default: ${DEFAULT-VALUE}).")
    String callTimeout;

    @Option(names = "--json", description = "Print the verdict as one JSON document.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
          StandardCharsets.UTF_8);
      Duration timeout = durationOf("--call-timeout", callTimeout);
      function.validate(spec);
      com.fasterxml.jackson.databind.node.ObjectNode state = readState(ws, destination, spec);
      try (TargetOptions.Opened opened = function.open(ws, spec)) {
        SetupTest.Verdict v = SetupTest.run(opened.target, state, opened.secrets, timeout,
            ProtocolChecker.secretValues(opened.secrets, opened.configuration));
        v.print(out, opened.target.describe(), json);
        return v.exitCode();
      }
    }
  }

  @Command(name = "schema", mixinStandardHelpOptions = true,
      description = "Print the tables the connector declares for these secrets: keys, cursors,"
          + " tiebreakers, parents. Runs the connector in process (--connector, or the one in"
          + " --classpath's META-INF/services).")
  static final class SchemaCommand implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();
    @CommandLine.Mixin
    TargetOptions function = new TargetOptions();

    @Option(names = "--json", description = "Print the schema as one JSON document.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
          StandardCharsets.UTF_8);
      if (function.url != null || function.lambdaHandler != null || function.gcp || function.lambda) {
        throw new CommandLine.ParameterException(spec.commandLine(), "schema reads the connector's"
            + " declaration, so it runs the connector in process: give --connector <class> or"
            + " --classpath <your jar> (its META-INF/services), not --url, --lambda-handler,"
            + " --gcp or --lambda");
      }
      try (TargetOptions.Opened opened = function.open(ws, spec)) {
        SchemaPrinter.print(opened.connector, opened.secrets, opened.configuration, json, out);
        return 0;
      }
    }
  }

  /** Something the user's code threw while the runner created it. */
  static final class UserCodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserCodeException(Throwable cause) {
      super(cause);
    }
  }

  /** A throwable's message, or its class's simple name (and its cause's) when it has none. */
  static String describeBriefly(Throwable t) {
    if (t.getMessage() != null && !t.getMessage().isBlank()) {
      return t.getMessage();
    }
    Throwable c = t.getCause();
    return t.getClass().getSimpleName() + (c == null ? "" : ": " + describeBriefly(c));
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

  /** The connection's state, {@code {}} for a DuckDB file that does not exist yet (not created). */
  static com.fasterxml.jackson.databind.node.ObjectNode readState(Workspace ws,
      DestinationFlags destination, CommandLine.Model.CommandSpec spec) throws IOException {
    if (destination.absent(ws)) {
      destination.options(spec, env());
      return JSON.createObjectNode();
    }
    try (Destination d = destination.open(ws, spec, env())) {
      return d.state(destination.connection);
    }
  }

  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = "Drop the connection's tables and forget its state, in one transaction: the"
          + " next sync is a fresh historical sync.")
  static final class Reset implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();
    @CommandLine.Mixin DestinationFlags destination = new DestinationFlags();
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      destination.options(spec, env());
      if (destination.url == null && !Files.isDirectory(ws.dir)) {
        throw new UsageException("nothing to reset: there is no folder "
            + ws.dir.toAbsolutePath().normalize() + "; name the workspace with --dir");
      }
      if (destination.absent(ws)) {
        Path file = destination.duckDbFile(ws).toAbsolutePath().normalize();
        spec.commandLine().getOut().println("nothing to reset in " + file.getParent() + ": no "
            + file.getFileName() + " (already a fresh connection)");
        return 0;
      }
      String connection = destination.connection;
      try (Destination d = destination.open(ws, spec, env())) {
        if (d.state(connection).isEmpty() && d.tables(connection).isEmpty()) {
          spec.commandLine().getOut().println("nothing to reset: connection " + connection
              + " has no state and no tables in " + d.describe() + " (already a fresh connection)");
          return 0;
        }
        try (Lease lease = d.lease(connection)) {
          lease.reset();
        }
        spec.commandLine().getOut().println("reset connection " + connection + " in "
            + d.describe() + ": its tables and state dropped");
      }
      return 0;
    }
  }

  @Command(name = "state", mixinStandardHelpOptions = true,
      description = "Print the connection's state, or replace it (what an operator does through"
          + " Fivetran's state API); the rows stay as they are.")
  static final class State implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();
    @CommandLine.Mixin DestinationFlags destination = new DestinationFlags();

    @Option(names = "--set", paramLabel = "<file>", description = "Replace the state with this JSON object.")
    Path set;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      JsonNode state;
      if (set != null) {
        JsonNode n = TargetOptions.readJson(set, "state --set", true);
        if (n == null || !n.isObject()) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              set + " must hold a JSON object (Fivetran's state is always an object)");
        }
        try (Destination d = destination.open(ws, spec, env());
             Lease lease = d.lease(destination.connection)) {
          lease.replaceState((com.fasterxml.jackson.databind.node.ObjectNode) n);
          state = lease.state();
        }
      } else {
        state = readState(ws, destination, spec);
      }
      spec.commandLine().getOut().println(
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
      return 0;
    }
  }

  @Command(name = "query", mixinStandardHelpOptions = true,
      description = "Run SQL on the destination (in its own dialect: DuckDB or PostgreSQL) and"
          + " print the result.")
  static final class Query implements Callable<Integer> {
    @CommandLine.Mixin Workspace ws = new Workspace();
    @CommandLine.Mixin DestinationFlags destination = new DestinationFlags();

    @Parameters(paramLabel = "<sql>", description = "e.g. \"SELECT * FROM orders LIMIT 10\"")
    String sql;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (destination.absent(ws)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "no warehouse at "
            + destination.duckDbFile(ws) + "; run `tributary sync` (or `tributary demo`) first");
      }
      PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
          StandardCharsets.UTF_8);
      try (Destination d = destination.open(ws, spec, env())) {
        QueryResult r = d.query(sql);
        if (r.columns().isEmpty()) {
          out.println("ok (" + r.updated() + " rows changed)");
        } else {
          Tables.print(r.columns(), r.rows(), out);
        }
      }
      return 0;
    }
  }

  // ---------------------------------------------------------------------------------------------

  static Map<String, Object> readSecrets(Path file) throws IOException {
    return TargetOptions.readSecrets(file);
  }

  /** Secret values the checker looks for in responses (the core's redaction rule: 4+ chars). */
  static List<String> secretValues(Map<String, Object> secrets) {
    return ProtocolChecker.secretValues(secrets, List.of());
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
