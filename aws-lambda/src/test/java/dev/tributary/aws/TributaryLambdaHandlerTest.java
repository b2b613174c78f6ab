package dev.tributary.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.Page;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.testing.FixtureConnector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TributaryLambdaHandlerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final byte[] FIRST_SYNC =
      "{\"state\":{},\"secrets\":{\"api_token\":\"tok-9f8e7d6c5b4a\"}}".getBytes(StandardCharsets.UTF_8);

  /** How a user deploys by subclassing: a public no-argument constructor passing the connector. */
  public static final class OrdersHandler extends TributaryLambdaHandler {
    public OrdersHandler() {
      super(new FixtureConnector());
    }
  }

  static JsonNode call(TributaryLambdaHandler handler, byte[] request, long remainingMillis)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(request), out, new LocalContext(Duration.ofMillis(remainingMillis)));
    return JSON.readTree(out.toByteArray());
  }

  @Test
  void subclassPassingItsConnectorSyncs() throws Exception {
    JsonNode reply = call(new OrdersHandler(), FIRST_SYNC, 60_000);
    assertEquals(28, reply.path("insert").path("orders").size());
    assertEquals(2, reply.path("delete").path("orders").size());
    assertFalse(reply.path("hasMore").asBoolean());
  }

  @Test
  void deadlineComesFromTheInvocationsRemainingTime() throws Exception {
    // 3 s left and a 5 s safety margin: the engine must answer at once, without reading.
    AtomicInteger reads = new AtomicInteger();
    Connector counting = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(Table.fullRefresh("t").primaryKey("id"));
      }

      @Override
      public Page read(TableRead read) {
        reads.incrementAndGet();
        return Page.empty();
      }
    };
    List<String> log = new ArrayList<>();
    TributaryLambdaHandler handler = new TributaryLambdaHandler(counting,
        EngineConfig.builder().logSink(log::add).build()) {};
    JsonNode reply = call(handler, FIRST_SYNC, 3_000);
    assertTrue(reply.path("hasMore").asBoolean(), reply.toString());
    assertEquals(0, reads.get());
    assertTrue(log.get(0).contains("\"stop_reason\":\"deadline\""), log.get(0));

    JsonNode relaxed = call(handler, FIRST_SYNC, 60_000);
    assertFalse(relaxed.path("hasMore").asBoolean());
    assertEquals(1, reads.get());
  }

  @Test
  void primingBeforeASnapshotNeverTouchesTheConnectorOrItsSecrets() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Connector watched = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(Table.fullRefresh("t").primaryKey("id"));
      }

      @Override
      public Page read(TableRead read) {
        calls.incrementAndGet();
        return Page.empty();
      }

      @Override
      public void test(dev.tributary.Secrets secrets) {
        calls.incrementAndGet();
      }
    };
    List<String> log = new ArrayList<>();
    TributaryLambdaHandler handler = new TributaryLambdaHandler(watched,
        EngineConfig.builder().logSink(log::add).build()) {};
    handler.beforeCheckpoint(null);
    handler.afterRestore(null);
    assertEquals(0, calls.get());
    assertTrue(log.isEmpty(), "priming logs nothing: " + log);
    assertFalse(handler.canSyncThroughS3(), "the S3 module is not on this module's classpath");
  }

  @Test
  void cloudStorageRequestWithoutTheS3ModuleNamesWhatToAdd() throws Exception {
    byte[] request = ("{\"state\":{},\"secrets\":{\"api_token\":\"tok-9f8e7d6c5b4a\"},"
        + "\"bucket\":\"b\",\"file\":\"k.json\"}").getBytes(StandardCharsets.UTF_8);
    JsonNode reply = call(new OrdersHandler(), request, 60_000);
    assertEquals("ConfigurationError", reply.path("errorType").asText());
    assertTrue(reply.path("errorMessage").asText().contains("tributary-aws-lambda-s3"));
    assertFalse(reply.has("state"));
  }
}
