package dev.tributary.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One call's response path with the rows already in memory, as a JDBC connector holds them:
 * 50,000 rows of about 104 bytes (a 5.2 MB response), written by
 * <ul>
 *   <li>{@link #oneGenerator} — a single Jackson generator writing the response: the limit (a);
 *   <li>{@link #naiveHandler} — what people write by hand: {@code HashMap}s and
 *       {@code ObjectMapper.writeValueAsString} (b);
 *   <li>{@link #tributary} — {@link FunctionHandler} with a connector serving the same rows, with
 *       {@code Instant} cursors or ISO-8601 strings (what REST sources hand over).
 * </ul>
 * Every variant writes to the same byte-counting sink. {@link Ratios} runs them side by side and
 * prints each variant's time over the references'.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ResponsePathBenchmark {
  public static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);

  @Param({"50000"})
  public int rows;

  /** {@code instant}: cursors as {@link Instant}; {@code iso}: as ISO-8601 strings. */
  @Param({"instant", "iso"})
  public String cursors;

  List<Map<String, Object>> data;
  FunctionHandler handler;
  byte[] request;
  final ObjectMapper mapper = new ObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  final JsonFactory factory = new JsonFactory();

  @Setup(Level.Trial)
  public void setUp() {
    data = BenchRows.rows(rows, cursors.equals("iso"));
    List<Row> page = new ArrayList<>(data.size());
    for (Map<String, Object> m : data) {
      page.add(Row.of(m));
    }
    Connector connector = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ORDERS);
      }

      @Override
      public Page read(TableRead read) {
        return read.after().isPresent() ? Page.empty() : new Page(page, false);
      }
    };
    handler = new FunctionHandler(connector, EngineConfig.builder()
        .pageSize(rows).maxRowsPerResponse(Math.max(rows, 1)).maxResponseBytes(6_000_000)
        .settleLag(java.time.Duration.ZERO).logSink(l -> {}).build());
    request = "{\"state\":{},\"secrets\":{},\"sync_id\":\"bench\"}".getBytes(StandardCharsets.UTF_8);
  }

  /** (a) One Jackson generator writing the same response: the limit. */
  @Benchmark
  public long oneGenerator() throws IOException {
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    try (JsonGenerator g = factory.createGenerator(sink)) {
      BenchRows.writeResponse(g, data);
    }
    return sink.count;
  }

  /** (b) The naive handler: maps and {@code writeValueAsString}. */
  @Benchmark
  public long naiveHandler() throws IOException {
    List<Map<String, Object>> out = new ArrayList<>(data.size());
    for (Map<String, Object> m : data) {
      Map<String, Object> row = new HashMap<>(m);
      Object at = row.get("updated_at");
      if (at instanceof Instant) {
        row.put("updated_at", at.toString());
      }
      out.add(row);
    }
    Map<String, Object> response = new HashMap<>();
    response.put("insert", Map.of("orders", out));
    response.put("schema", Map.of("orders", Map.of("primary_key", List.of("id"))));
    response.put("state", Map.of("cursor", String.valueOf(data.get(data.size() - 1).get("updated_at"))));
    response.put("hasMore", false);
    byte[] body = mapper.writeValueAsString(response).getBytes(StandardCharsets.UTF_8);
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    sink.write(body);
    return sink.count;
  }

  /** Tributary: the whole call through {@link FunctionHandler}. */
  @Benchmark
  public long tributary() throws IOException {
    return BenchRows.call(handler, request);
  }
}
