package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sync through cloud storage is bounded by the staged object's bytes ({@code maxStagedBytes}),
 * not by the direct response's row cap: the row cap exists for the 6 MB response.
 */
class StagedByteBudgetTest {
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);
  static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  /** Objects land in files under {@link #dir}, visible only once committed. */
  final class FileStagingStore implements StagingStore {
    @Override
    public Upload begin(String bucket, String key) throws IOException {
      Path part = Files.createTempFile(dir, "upload-", ".part");
      OutputStream out = Files.newOutputStream(part);
      return new Upload() {
        @Override
        public OutputStream stream() {
          return out;
        }

        @Override
        public void commit() throws IOException {
          out.close();
          Files.move(part, dir.resolve(bucket + "-" + key), StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void abort() {
          try {
            out.close();
            Files.deleteIfExists(part);
          } catch (IOException ignored) {
            // the temporary directory goes with the test
          }
        }
      };
    }
  }

  static Connector rows(int n) {
    Instant base = Instant.parse("2024-05-01T09:00:00Z");
    List<Row> page = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      page.add(Row.of(Map.of("id", i, "updated_at", base.plusSeconds(i), "status", "paid")));
    }
    return new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ORDERS);
      }

      @Override
      public Page read(TableRead read) {
        long after = read.afterTiebreakerNumber().map(java.math.BigDecimal::longValue).orElse(0L);
        return new Page(page.subList((int) after, n), false);
      }
    };
  }

  JsonNode call(FunctionHandler handler, String request) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handle(new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)), out,
        Instant.now().plusSeconds(60));
    return MAPPER.readTree(out.toByteArray());
  }

  EngineConfig config() {
    return EngineConfig.builder().maxRowsPerResponse(1_000).pageSize(5_000)
        .settleLag(Duration.ZERO).logSink(l -> {}).build();
  }

  @Test
  void aStagedCallTakesMoreRowsThanTheDirectRowCapInOneObject() throws IOException {
    FunctionHandler handler = new FunctionHandler(rows(2_500), config(), new FileStagingStore());

    JsonNode reply = call(handler, "{\"state\":{},\"bucket\":\"b\",\"file\":\"f.json\"}");

    assertFalse(reply.path("hasMore").asBoolean(true), reply.toString());
    JsonNode object = MAPPER.readTree(dir.resolve("b-f.json").toFile());
    assertEquals(2_500, object.path("insert").path("orders").size());
  }

  @Test
  void aDirectCallStillStopsAtTheRowCap() throws IOException {
    FunctionHandler handler = new FunctionHandler(rows(2_500), config(), new FileStagingStore());

    JsonNode response = call(handler, "{\"state\":{}}");

    assertTrue(response.path("hasMore").asBoolean(false));
    assertEquals(1_000, response.path("insert").path("orders").size());
  }

  @Test
  void aStagedCallStopsAtItsByteBudget() throws IOException {
    EngineConfig small = config().newBuilder().maxStagedBytes(20_000).build();
    FunctionHandler handler = new FunctionHandler(rows(2_500), small, new FileStagingStore());

    JsonNode reply = call(handler, "{\"state\":{},\"bucket\":\"b\",\"file\":\"g.json\"}");

    assertTrue(reply.path("hasMore").asBoolean(false));
    Path object = dir.resolve("b-g.json");
    assertTrue(Files.size(object) <= 20_000, Files.size(object) + " bytes");
    int rows = MAPPER.readTree(object.toFile()).path("insert").path("orders").size();
    assertTrue(rows > 100 && rows < 1_000, rows + " rows");
  }
}
