package dev.tributary.benchmarks.memory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.StagingStore;
import dev.tributary.TableRead;
import dev.tributary.aws.LocalContext;
import dev.tributary.aws.TributaryLambdaHandler;
import dev.tributary.benchmarks.BenchRows;
import dev.tributary.benchmarks.ResponsePathBenchmark;
import dev.tributary.destination.Destination;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One process answering one full response, for {@code benchmarks/memory.sh}, which runs it under
 * ever smaller {@code -Xmx} to find the smallest heap that still answers. Exits 0 when the
 * response is complete and of the expected size, non-zero otherwise (an OutOfMemoryError
 * included).
 *
 * <pre>java -Xmx… -cp … dev.tributary.benchmarks.memory.HeapProbe VARIANT [ROWS]</pre>
 *
 * <ul>
 *   <li>{@code generator} — reference (a): one Jackson generator writing the rows held in memory;
 *   <li>{@code handler} — {@link FunctionHandler} answering the same rows into a counting stream;
 *   <li>{@code lambda} — the same through {@link TributaryLambdaHandler};
 *   <li>{@code direct-paged} — {@link FunctionHandler}, rows made page by page (as a database
 *       cursor hands them over), a full 5.5 MB direct response;
 *   <li>{@code staged-paged} — the same rows page by page into a 50 MB staged object (the
 *       object's bytes go to a counting stream, as an S3 upload streams them);
 *   <li>{@code runner-sync} — a whole sync of ROWS rows (default 2,000,000) made page by page, through
 *       the runner's own {@code tributary sync} ({@link dev.tributary.runner.Main#run}: the
 *       connector in process with {@code --connector}, every response checked and applied in one
 *       transaction) into a DuckDB file in a temporary folder; exits 0 only when the sync
 *       succeeded and the file holds every row. DuckDB's own memory is native, off the Java heap.
 * </ul>
 */
public final class HeapProbe {
  /** Rows of a full 5.5 MB direct response (about 115 bytes each, ISO-8601 cursors). */
  static final int DIRECT_ROWS = 47_500;

  private HeapProbe() {}

  public static void main(String[] args) throws Exception {
    String variant = args[0];
    long written = switch (variant) {
      case "generator" -> generator(BenchRows.rows(rows(args, DIRECT_ROWS), true));
      case "handler" -> handler(inMemory(BenchRows.rows(rows(args, DIRECT_ROWS), true)), null, false);
      case "lambda" -> lambda(inMemory(BenchRows.rows(rows(args, DIRECT_ROWS), true)));
      case "direct-paged" -> handler(paged(rows(args, 2_000_000)), null, false);
      case "staged-paged" -> handler(paged(rows(args, 2_000_000)), new CountingStore(), true);
      case "runner-sync" -> runnerSync(rows(args, 2_000_000));
      default -> throw new IllegalArgumentException("variant: generator, handler, lambda,"
          + " direct-paged, staged-paged or runner-sync: " + variant);
    };
    System.out.println(variant + " bytes=" + written);
  }

  /** Whether the sizes are checked: only a full-size run (a smoke run passes a row count). */
  private static boolean full = true;

  /** Runs one variant at a small size (for the smoke test); returns the bytes written. */
  public static long smoke(String variant, int rows) throws Exception {
    full = false;
    return switch (variant) {
      case "generator" -> generator(BenchRows.rows(rows, true));
      case "handler" -> handler(inMemory(BenchRows.rows(rows, true)), null, false);
      case "lambda" -> lambda(inMemory(BenchRows.rows(rows, true)));
      case "direct-paged" -> handler(paged(rows), null, false);
      case "staged-paged" -> handler(paged(rows), new CountingStore(), true);
      case "runner-sync" -> runnerSync(rows);
      default -> throw new IllegalArgumentException(variant);
    };
  }

  private static int rows(String[] args, int dflt) {
    return args.length > 1 ? Integer.parseInt(args[1]) : dflt;
  }

  static long generator(List<Map<String, Object>> data) throws IOException {
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    try (JsonGenerator g = new JsonFactory().createGenerator(sink)) {
      g.writeStartObject();
      g.writeObjectFieldStart("insert");
      g.writeArrayFieldStart("orders");
      for (Map<String, Object> m : data) {
        BenchRows.writeRow(g, m);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("state");
      g.writeStringField("cursor", String.valueOf(data.get(data.size() - 1).get("updated_at")));
      g.writeEndObject();
      g.writeBooleanField("hasMore", false);
      g.writeEndObject();
    }
    return check(sink.count, data.size() * 90L);
  }

  /** A connector serving rows already in memory, in one page. */
  static Connector inMemory(List<Map<String, Object>> data) {
    List<Row> page = new ArrayList<>(data.size());
    for (Map<String, Object> m : data) {
      page.add(Row.of(m));
    }
    data.clear();
    return new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ResponsePathBenchmark.ORDERS);
      }

      @Override
      public Page read(TableRead read) {
        return read.after().isPresent() ? Page.empty() : new Page(page, false);
      }
    };
  }

  /** A connector making {@code total} rows page by page, as a database cursor hands them over. */
  static Connector paged(int total) {
    return new PagedOrders(total);
  }

  /**
   * Orders made page by page, as a database cursor hands them over: {@code total} of them, or —
   * created by the runner through its no-argument constructor — as many as the connection's
   * configuration key {@code rows} says.
   */
  public static final class PagedOrders implements Connector {
    private static final Instant BASE = Instant.parse("2024-05-01T09:00:00.123456Z");
    /** Rows in all; -1: the configuration's {@code rows}. */
    private final int total;

    /** For {@code tributary sync --connector}: the row count is the configuration's {@code rows}. */
    public PagedOrders() {
      this(-1);
    }

    PagedOrders(int total) {
      this.total = total;
    }

    @Override
    public Schema schema() {
      return Schema.of(ResponsePathBenchmark.ORDERS);
    }

    @Override
    public Set<String> notSecretKeys() {
      return Set.of("rows"); // a row count, not a secret: ids and amounts may spell it
    }

    @Override
    public Page read(TableRead read) {
      int all = total >= 0 ? total : Integer.parseInt(read.secrets().require("rows"));
      long after = read.afterTiebreakerNumber().map(BigDecimal::longValue).orElse(999_999L);
      int from = (int) (after - 999_999L);
      int to = Math.min(all, from + read.pageSize());
      List<Row> rows = new ArrayList<>(Math.max(0, to - from));
      for (int i = from; i < to; i++) {
        rows.add(Row.builder().set("id", 1_000_000L + i).set("customer", "cus_" + (100_000 + i % 7919))
            .set("status", i % 3 == 0 ? "paid" : "pending")
            .set("amount", BigDecimal.valueOf(1234 + i % 5000, 2))
            .set("updated_at", BASE.plusMillis(i * 7L).toString()).build());
      }
      return new Page(rows, to < all);
    }
  }

  /**
   * One whole sync of {@code total} rows through the runner's {@code sync} command into a DuckDB
   * file in a temporary folder (deleted after); returns the bytes of all responses. Throws unless
   * the sync succeeded, applied every row and the file holds them.
   */
  static long runnerSync(int total) throws IOException {
    Path dir = Files.createTempDirectory("heapprobe-runner-");
    try {
      Path secrets = dir.resolve("secrets.json");
      Files.writeString(secrets, "{\"rows\": \"" + total + "\"}");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = dev.tributary.runner.Main.run(new String[] {"sync", "--dir", dir.toString(),
              "--connector", PagedOrders.class.getName(), "--secrets", secrets.toString(),
              "--json"},
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      String printed = out.toString(StandardCharsets.UTF_8).trim();
      if (code != 0) {
        throw new IllegalStateException("tributary sync exited " + code + ": " + printed + " "
            + err.toString(StandardCharsets.UTF_8).trim());
      }
      JsonNode summary = new ObjectMapper().readTree(printed);
      long synced = summary.path("rows").asLong();
      long inFile;
      try (Destination d = Destination.open("duckdb:" + dir.resolve("warehouse.db"))) {
        inFile = Long.parseLong(d.query("SELECT count(*) FROM orders").rows().get(0).get(0));
      }
      if (synced != total || inFile != total) {
        throw new IllegalStateException("the sync applied " + synced + " rows and the file holds "
            + inFile + "; expected " + total + ": " + printed);
      }
      long bytes = summary.path("bytes").asLong();
      if (full && (summary.path("calls").asLong() - 1) * 5_300_000 > bytes) {
        throw new IllegalStateException(summary.path("calls") + " calls for " + bytes
            + " bytes: the responses are not full 5.5 MB ones");
      }
      return bytes;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static EngineConfig config() {
    return EngineConfig.builder().settleLag(Duration.ZERO).logSink(l -> {}).build();
  }

  static long handler(Connector connector, StagingStore store, boolean staged) throws IOException {
    FunctionHandler handler = new FunctionHandler(connector, config(), store);
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    String request = staged ? "{\"state\":{},\"bucket\":\"b\",\"file\":\"f.json\"}" : "{\"state\":{}}";
    FunctionHandler.Outcome o = handler.handle(
        new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)), sink,
        Instant.now().plusSeconds(600));
    if (o != FunctionHandler.Outcome.OK) {
      throw new IllegalStateException("the call failed: " + o);
    }
    if (staged) {
      return check(CountingStore.written, 49_000_000);
    }
    return check(sink.count, 5_300_000);
  }

  static long lambda(Connector connector) throws IOException {
    TributaryLambdaHandler handler = new TributaryLambdaHandler(connector, config()) {};
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    handler.handleRequest(new ByteArrayInputStream("{\"state\":{}}".getBytes(StandardCharsets.UTF_8)),
        sink, new LocalContext(Duration.ofMinutes(10)));
    return check(sink.count, 5_300_000);
  }

  private static long check(long written, long atLeast) {
    if (full && written < atLeast) {
      throw new IllegalStateException("only " + written + " bytes written; expected at least " + atLeast);
    }
    return written;
  }

  /** Counts a staged object's bytes as an upload streams them, keeping none. */
  static final class CountingStore implements StagingStore {
    static long written;

    @Override
    public Upload begin(String bucket, String key) {
      BenchRows.CountingSink sink = new BenchRows.CountingSink();
      return new Upload() {
        @Override
        public OutputStream stream() {
          return sink;
        }

        @Override
        public void commit() {
          written = sink.count;
        }

        @Override
        public void abort() {}
      };
    }
  }
}
