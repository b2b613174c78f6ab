package dev.tributary.runner;

import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.Table;
import dev.tributary.destination.Applied;
import dev.tributary.destination.Destination;
import dev.tributary.destination.Lease;
import dev.tributary.driver.Driver;
import dev.tributary.driver.Target;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary demo}: the whole loop on an embedded default. Starts the bundled demo orders
 * API, syncs the example connector into a fresh warehouse (the demo folder's DuckDB file, or the
 * {@code --destination}, whose connection is reset first), changes the source (inserts, updates
 * on existing cursor ties, deletes; in the full-refresh product catalogue, changed, new and
 * removed products), syncs again, and checks the destination against the source after every
 * sync. At the end it prints the rows sent per sync and table: after the first sync the
 * full-refresh table sends only its new and changed rows, and deletes the removed ones.
 * The source and the connector are loaded from their own modules' jars at run time
 * ({@link DemoModules}), the way {@code tributary sync --classpath} loads a user's connector.
 *
 * <p>With {@code TRIBUTARY_MAX_DIGEST_ROWS} below a {@code deleteMissing()} table's size (0: no
 * digest at all) the engine cannot tell which of its rows the source removed, so they stay in
 * the warehouse: the check then says how many removed rows it found still there instead of
 * failing on them, and fails on any other difference as always.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Sync the bundled example connector against the bundled demo orders API,"
        + " change the source, sync again, and check the warehouse equals the source."
        + " With --destination, into that database (its connection is reset first).")
final class DemoCommand implements Callable<Integer> {
  /** The demo's settle lag: short, so the demo does not wait; the engine's default is 30 s. */
  static final Duration SETTLE_LAG = Duration.ofSeconds(1);

  @Option(names = "--dir", defaultValue = "tributary-demo", paramLabel = "<dir>",
      description = "Where the warehouse and state go; emptied first (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--short", description = "A small data set and one round of changes (for CI).")
  boolean small;

  @Option(names = "--rounds", paramLabel = "<n>", description = "Rounds of change-and-sync after the first sync (default: 3; 1 with --short).")
  Integer rounds;

  @Option(names = "--seed", defaultValue = "7", paramLabel = "<n>", description = "Seed of the demo data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--no-failures", negatable = true, defaultValue = "true",
      description = "Inject occasional 429 (with Retry-After) and 500 answers, as real APIs do (default: on).")
  boolean failures;

  @Option(names = "--classpath", paramLabel = "<path>",
      description = "The jars of the demo's connector (examples/orders-api) and source"
          + " (examples/demo-source); the launcher passes them.")
  String classpath;

  @CommandLine.Mixin DestinationFlags destination = new DestinationFlags();

  /** The destination, as it describes itself (no password). */
  private String described;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
        StandardCharsets.UTF_8);
    int changeRounds = rounds != null ? rounds : small ? 1 : 3;
    Main.Workspace ws = new Main.Workspace();
    ws.dir = dir;
    destination.options(spec, Main.env()); // bad flags are reported before anything starts
    Files.createDirectories(dir);
    if (destination.url == null) {
      Files.deleteIfExists(ws.warehouse());
      Files.deleteIfExists(dir.resolve("warehouse.db.wal"));
    }
    Files.deleteIfExists(ws.functionLog());

    DemoModules modules;
    try {
      modules = DemoModules.load(classpath);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    // The connector's own log lines (http_request, http_retry) go to function.log, not between
    // the progress lines.
    try (modules; FunctionOutput functionOutput = FunctionOutput.to(ws.functionLog());
         DemoModules.Source source = modules.start(seed,
        failures ? (small ? 5 : 37) : 0, failures ? (small ? 11 : 89) : 0)) {
      source.seed(small ? 20 : 300, small ? 3 : 5);
      out.printf("demo source: %s — %s%n", source.baseUrl(), sizes(source.snapshot()));
      Map<String, Object> secrets = Map.of("base_url", source.baseUrl(), "api_token", source.apiToken());
      EngineConfig config = EngineConfig.fromEnvironment(environment()).newBuilder()
          .settleLag(SETTLE_LAG)
          .maxRowsPerResponse(small ? 150 : 2_000)
          .logSink(Main.functionLog(ws))
          .build();
      Connector connector = modules.connector();
      List<String> tableNames = connector.schema().tables().stream().map(Table::name).toList();
      // Full-refresh tables that delete what a complete pass no longer finds, and every key each
      // has held after a sync: a row of one the source removed is the only difference a digest
      // too small to hold the table explains.
      Map<String, Set<String>> synced = new LinkedHashMap<>();
      Map<String, Integer> largest = new HashMap<>();
      connector.schema().tables().stream().filter(Table::isDeleteMissing)
          .forEach(t -> synced.put(t.name(), new HashSet<>()));
      List<Map<String, Applied.Counts>> sent = new ArrayList<>();
      if (config.maxDigestRows() == 0 && !synced.isEmpty()) {
        out.printf("%s=0: no digest of delivered rows, so every sync re-sends every row of %s"
            + " and rows removed from %s stay in the warehouse%n", DIGEST_ENV,
            String.join(", ", synced.keySet()), synced.size() == 1 ? "it" : "them");
      }
      Target target = Target.withLoader(modules.loader(), Target.inProcess(connector, config));
      Random random = new Random(seed);
      try (Destination d = destination.open(ws, spec, Main.env())) {
        // A destination the demo does not own a folder of: start its connection over instead.
        try (Lease lease = d.lease(destination.connection)) {
          lease.reset();
        }
        described = d.describe();
        out.printf("destination: %s, connection %s%n", described, destination.connection);
        for (int round = 0; round <= changeRounds; round++) {
          if (round > 0) {
            Map<String, int[]> changes = source.mutate(random);
            out.printf("%nchanged the source: %s%n", describe(changes));
            Thread.sleep(SETTLE_LAG.toMillis() + 200); // let the writes age past the settle lag
          }
          out.printf("%n%s sync %d%n", round == 0 ? "historical" : "incremental", round + 1);
          Driver driver = Driver.builder(target, d)
              .connection(destination.connection)
              .secrets(secrets)
              .agent("Tributary runner/demo")
              .listener(new Progress(out, System.console() != null, false))
              .build();
          Driver.Summary summary = driver.sync();
          Report.print(summary, "in process: " + connector.getClass().getSimpleName(),
              d.describe(), false, out);
          sent.add(summary.tables());
          if (summary.result() != Driver.Result.SUCCESS) {
            return summary.result() == Driver.Result.SKIPPED ? Main.HELD
                : summary.result().exitCode();
          }
          Map<String, Map<List<Object>, Map<String, Object>>> snapshot = source.snapshot();
          List<Difference> all = differences(d, snapshot, source.primaryKeys());
          // Removed rows of a deleteMissing table the digest could not hold: expected to stay.
          Map<String, Integer> leftBehind = new LinkedHashMap<>();
          List<Difference> differences = new ArrayList<>();
          for (Difference diff : all) {
            Set<String> keys = synced.get(diff.table());
            if (diff.kind() == Kind.EXTRA && keys != null && keys.contains(diff.key())
                && config.maxDigestRows() < largest.getOrDefault(diff.table(), 0)) {
              leftBehind.merge(diff.table(), 1, Integer::sum);
            } else {
              differences.add(diff);
            }
          }
          if (!differences.isEmpty()) {
            differences.stream().limit(10).forEach(diff -> out.println("  mismatch: " + diff));
            out.println("warehouse does NOT match the source (" + differences.size() + " differences)");
            return Driver.Result.PROTOCOL_VIOLATION.exitCode();
          }
          synced.forEach((table, keys) -> {
            snapshot.get(table).keySet().forEach(k -> keys.add(k.toString()));
            largest.merge(table, snapshot.get(table).size(), Math::max);
          });
          if (leftBehind.isEmpty()) {
            out.println("warehouse matches the source: " + sizes(snapshot));
          } else {
            StringBuilder except = new StringBuilder();
            leftBehind.forEach((table, n) -> except.append(except.length() == 0 ? "" : ", ")
                .append(n).append(n == 1 ? " row of " : " rows of ").append(table));
            out.printf("warehouse matches the source, except %s removed from the source and still"
                + " in the warehouse (%s=%d remembers %s, so the full refresh cannot tell they are"
                + " gone): %s%n", except, DIGEST_ENV, config.maxDigestRows(),
                config.maxDigestRows() == 0 ? "no delivered rows" : "fewer rows than the table has",
                sizes(snapshot));
          }
        }
      }
      printSent(out, tableNames, sent, config.maxDigestRows());
      Map<Integer, Long> statuses = source.responses();
      long retried = statuses.getOrDefault(429, 0L) + statuses.getOrDefault(500, 0L);
      out.printf("%nthe demo API answered %s%n", statusCounts(statuses));
      if (retried > 0) {
        out.printf("the connector retried each of the %,d 429 and 500 answers (see %s)%n", retried,
            ws.functionLog());
      }
    }
    if (destination.url == null) {
      out.printf("look around: ./tributary query --dir %s \"SELECT status, count(*) FROM orders"
          + " GROUP BY ALL\"%n", dir);
    } else {
      // The description masks a password as ***; a pasted URL must not send that as one.
      out.printf("look around: ./tributary query --destination '%s' \"SELECT status, count(*)"
          + " FROM orders GROUP BY status\"%n", described.replace(":***@", "@"));
    }
    return 0;
  }

  /** The variable that bounds the engine's digest of delivered rows. */
  static final String DIGEST_ENV = "TRIBUTARY_MAX_DIGEST_ROWS";

  /**
   * The process's environment, with {@value #DIGEST_ENV} as the command's environment gives it
   * (the same variable unless a test runs the command with its own).
   */
  private static Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(System.getenv());
    String digest = Main.env().apply(DIGEST_ENV);
    if (digest != null) {
      env.put(DIGEST_ENV, digest);
    } else {
      env.remove(DIGEST_ENV);
    }
    return env;
  }

  /** Rows sent (upserted plus deleted) per table and sync, one column per sync. */
  static void printSent(PrintStream out, List<String> tables, List<Map<String, Applied.Counts>> sent,
      int maxDigestRows) {
    out.printf("%nrows sent per sync (upserted + deleted; %s=%,d):%n", DIGEST_ENV, maxDigestRows);
    StringBuilder header = new StringBuilder(String.format("  %-14s", "table"));
    for (int i = 1; i <= sent.size(); i++) {
      header.append(String.format(" %9s", "sync " + i));
    }
    out.println(header);
    long[] totals = new long[sent.size()];
    for (String table : tables) {
      StringBuilder line = new StringBuilder(String.format("  %-14s", table));
      for (int i = 0; i < sent.size(); i++) {
        Applied.Counts c = sent.get(i).get(table);
        long n = c == null ? 0 : c.upserted() + c.deleted();
        totals[i] += n;
        line.append(String.format(" %,9d", n));
      }
      out.println(line);
    }
    StringBuilder total = new StringBuilder(String.format("  %-14s", "all"));
    for (long n : totals) {
      total.append(String.format(" %,9d", n));
    }
    out.println(total);
  }

  /** {@code 105 × 200 OK, 2 × 429 Too Many Requests}: HTTP status counts for people. */
  static String statusCounts(Map<Integer, Long> statuses) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(statuses).forEach((status, n) -> sb.append(sb.length() == 0 ? "" : ", ")
        .append(String.format("%,d", n)).append(" × ").append(status).append(' ')
        .append(reason(status)));
    long total = statuses.values().stream().mapToLong(Long::longValue).sum();
    return String.format("%,d request%s: ", total, total == 1 ? "" : "s") + sb;
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 304 -> "Not Modified";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "";
    };
  }

  private static String sizes(Map<String, Map<List<Object>, Map<String, Object>>> snapshot) {
    StringBuilder sb = new StringBuilder();
    snapshot.forEach((table, rows) -> sb.append(sb.length() == 0 ? "" : ", ")
        .append(rows.size()).append(' ').append(table));
    return sb.toString();
  }

  private static String describe(Map<String, int[]> changes) {
    StringBuilder sb = new StringBuilder();
    changes.forEach((table, c) -> sb.append(sb.length() == 0 ? "" : "; ")
        .append(table).append(" +").append(c[0]).append(" ~").append(c[1])
        .append(" -").append(c[2]));
    return sb.toString();
  }

  /**
   * Differences between the destination's live rows and the source's {@code snapshot} (table →
   * key → row), by key and updated_at.
   */
  static List<String> compare(Destination destination,
      Map<String, Map<List<Object>, Map<String, Object>>> snapshot,
      Map<String, List<String>> primaryKeys) {
    return differences(destination, snapshot, primaryKeys).stream().map(Difference::toString)
        .toList();
  }

  /** How a destination's row differs from the source. */
  enum Kind {
    MISSING(" missing"),
    STALE(" is stale"),
    /** A live row whose key the source does not have. */
    EXTRA(" should not be there");

    private final String text;

    Kind(String text) {
      this.text = text;
    }
  }

  /** One difference: the table, the key's values as text ({@code [42]}) and what is wrong. */
  record Difference(String table, String key, Kind kind) {
    @Override
    public String toString() {
      return table + " " + key + kind.text;
    }
  }

  static List<Difference> differences(Destination destination,
      Map<String, Map<List<Object>, Map<String, Object>>> snapshot,
      Map<String, List<String>> primaryKeys) {
    List<Difference> diffs = new ArrayList<>();
    for (Map.Entry<String, Map<List<Object>, Map<String, Object>>> t : snapshot.entrySet()) {
      List<String> pk = primaryKeys.get(t.getKey());
      Map<String, Long> expected = new TreeMap<>();
      t.getValue().forEach((key, row) -> expected.put(key.toString(),
          java.time.Instant.parse(String.valueOf(row.get("updated_at"))).toEpochMilli()));
      Map<String, Long> actual = new TreeMap<>();
      for (Map<String, Object> row : destination.rows(t.getKey())) {
        if (Boolean.TRUE.equals(row.get("_fivetran_deleted"))) {
          continue;
        }
        List<Object> key = new java.util.ArrayList<>();
        for (String c : pk) {
          key.add(row.get(c));
        }
        // The demo's updated_at is an instant (a TIMESTAMP column); as text if it ever is not.
        Object at = row.get("updated_at");
        actual.put(key.toString(), at instanceof java.time.Instant
            ? ((java.time.Instant) at).toEpochMilli()
            : java.time.Instant.parse(String.valueOf(at)).toEpochMilli());
      }
      for (Map.Entry<String, Long> e : expected.entrySet()) {
        Long got = actual.remove(e.getKey());
        if (!e.getValue().equals(got)) {
          diffs.add(new Difference(t.getKey(), e.getKey(), got == null ? Kind.MISSING : Kind.STALE));
        }
      }
      actual.keySet().forEach(k -> diffs.add(new Difference(t.getKey(), k, Kind.EXTRA)));
    }
    return diffs;
  }
}
