package dev.tributary.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.JsonRows;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.TableRead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * A JSON source's page bytes to the response — what a REST connector does on every call:
 * <ul>
 *   <li>{@link #tokenizeOnly} — a pass of Jackson's tokenizer over the page: the floor;
 *   <li>{@link #streamingCopy} — Jackson copying each record from parser to generator, exactly;
 *   <li>{@link #naive} — {@code readValue} into {@code List<Map>}, then {@code writeValueAsString};
 *   <li>{@link #tributary} — a connector parsing the page into maps, handing them over as
 *       {@link Row}s, and {@link FunctionHandler} answering;
 *   <li>{@link #passThrough} — a connector handing the page's records over as they are
 *       ({@link JsonRows}): the engine reads the cursor, tiebreaker and key fields and copies the
 *       rest.
 * </ul>
 * The page holds 50,000 records of about 104 bytes with ISO-8601 cursors, as an API sends them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PassThroughBenchmark {
  @Param({"50000"})
  public int rows;

  byte[] sourcePage;
  final ObjectMapper mapper = new ObjectMapper();
  final JsonFactory factory = new JsonFactory();
  FunctionHandler handler;
  FunctionHandler passThroughHandler;
  byte[] request;
  /** The page the connector parsed in this call; the engine reads it. */
  List<Map<String, Object>> parsed;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    sourcePage = mapper.writeValueAsBytes(BenchRows.rows(rows, true));
    Connector connector = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ResponsePathBenchmark.ORDERS);
      }

      @Override
      public Page read(TableRead read) throws IOException {
        if (read.after().isPresent()) {
          return Page.empty();
        }
        List<Map<String, Object>> records = mapper.readValue(sourcePage,
            new TypeReference<List<Map<String, Object>>>() {});
        List<Row> out = new ArrayList<>(records.size());
        for (Map<String, Object> r : records) {
          out.add(Row.of(r));
        }
        return new Page(out, false);
      }
    };
    handler = new FunctionHandler(connector, EngineConfig.builder().pageSize(rows)
        .maxRowsPerResponse(Math.max(rows, 1)).maxResponseBytes(6_000_000)
        .settleLag(Duration.ZERO).logSink(l -> {}).build());
    request = "{\"state\":{},\"secrets\":{},\"sync_id\":\"bench\"}".getBytes(StandardCharsets.UTF_8);
    JsonRows records = JsonRows.of(ResponsePathBenchmark.ORDERS);
    Connector passThrough = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ResponsePathBenchmark.ORDERS);
      }

      @Override
      public Page read(TableRead read) throws IOException {
        return read.after().isPresent() ? Page.empty() : new Page(records.array(sourcePage), false);
      }
    };
    passThroughHandler = new FunctionHandler(passThrough, EngineConfig.builder().pageSize(rows)
        .maxRowsPerResponse(Math.max(rows, 1)).maxResponseBytes(6_000_000)
        .settleLag(Duration.ZERO).logSink(l -> {}).build());
  }

  /** The floor: every token of the page, nothing built, nothing written. */
  @Benchmark
  public long tokenizeOnly() throws IOException {
    long tokens = 0;
    try (JsonParser p = factory.createParser(sourcePage)) {
      while (p.nextToken() != null) {
        tokens++;
      }
    }
    return tokens;
  }

  /** Each record copied from the parser into the response, exactly. */
  @Benchmark
  public long streamingCopy() throws IOException {
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    try (JsonParser p = factory.createParser(sourcePage);
         JsonGenerator g = factory.createGenerator(sink)) {
      g.writeStartObject();
      g.writeObjectFieldStart("insert");
      g.writeArrayFieldStart("orders");
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalStateException("the page is not an array");
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        g.copyCurrentStructure(p);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("state");
      g.writeEndObject();
      g.writeBooleanField("hasMore", false);
      g.writeEndObject();
    }
    return sink.count;
  }

  /** The naive path. */
  @Benchmark
  public long naive() throws IOException {
    List<Map<String, Object>> records = mapper.readValue(sourcePage,
        new TypeReference<List<Map<String, Object>>>() {});
    Map<String, Object> response = new HashMap<>();
    response.put("insert", Map.of("orders", records));
    response.put("state", Map.of());
    response.put("hasMore", false);
    byte[] body = mapper.writeValueAsString(response).getBytes(StandardCharsets.UTF_8);
    BenchRows.CountingSink sink = new BenchRows.CountingSink();
    sink.write(body);
    return sink.count;
  }

  /** Pass-through rows: the page's records through the engine as they are. */
  @Benchmark
  public long passThrough() throws IOException {
    return BenchRows.call(passThroughHandler, request);
  }

  /** The map path: parse into maps, rows through the engine. */
  @Benchmark
  public long tributary() throws IOException {
    return BenchRows.call(handler, request);
  }
}
