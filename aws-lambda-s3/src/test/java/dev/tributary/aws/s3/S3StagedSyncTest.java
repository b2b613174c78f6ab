package dev.tributary.aws.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.aws.TributaryLambdaHandler;
import dev.tributary.testing.AdapterContract;
import dev.tributary.testing.FixtureConnector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Sync through S3 against a real S3-compatible server on loopback. */
class S3StagedSyncTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BUCKET = "fivetran-staging";
  static LoopbackS3 s3;
  static S3Client client;

  @BeforeAll
  static void start() throws Exception {
    s3 = new LoopbackS3();
    client = s3.client();
    client.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    s3.close();
  }

  static FunctionHandler handler(Connector connector, EngineConfig config, int partBytes) {
    return new FunctionHandler(connector, config.newBuilder().logSink(l -> {}).build(),
        new S3StagingStore(s3::client, partBytes));
  }

  static byte[] request(String state, String key) {
    return ("{\"state\":" + state + ",\"secrets\":{\"api_token\":\"" + AdapterContract.FIXTURE_SECRET
        + "\"},\"bucket\":\"" + BUCKET + "\",\"file\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  static JsonNode call(FunctionHandler h, byte[] request) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    h.handle(new ByteArrayInputStream(request), out, Instant.now().plusSeconds(60));
    return JSON.readTree(out.toByteArray());
  }

  static String object(String key) {
    return client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
  }

  @Test
  void writesRowsToExactlyThatObjectAndRepliesWithOnlyTheState() throws Exception {
    FunctionHandler staged = handler(new FixtureConnector(), EngineConfig.defaults(), 5 << 20);
    JsonNode reply = call(staged, request("{}", "exports/sync-1/batch.json"));

    List<String> keys = new ArrayList<>();
    reply.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("schema", "softDelete", "state", "hasMore"), keys);
    assertFalse(reply.path("hasMore").asBoolean());

    // The object holds exactly the rows a direct response would carry, and only them.
    byte[] directRequest = "{\"state\":{},\"secrets\":{\"api_token\":\"x1234\"}}".getBytes(StandardCharsets.UTF_8);
    JsonNode direct = call(new FunctionHandler(new FixtureConnector(),
        EngineConfig.builder().logSink(l -> {}).build()), directRequest);
    JsonNode stored = JSON.readTree(object("exports/sync-1/batch.json"));
    assertEquals(List.of("insert", "delete"), fieldNames(stored));
    assertEquals(direct.get("insert"), stored.get("insert"));
    assertEquals(direct.get("delete"), stored.get("delete"));
    assertEquals(direct.get("state"), reply.get("state"));
  }

  @Test
  void anObjectLargerThanAPartStreamsAsAMultipartUpload() throws Exception {
    int parts = 3;
    int partBytes = 5 << 20;
    Connector big = new WideRows(40_000, 400); // ~17 MB of rows in one call
    FunctionHandler staged = handler(big, EngineConfig.builder().maxRowsPerResponse(50_000).build(),
        partBytes);
    JsonNode reply = call(staged, request("{}", "big.json"));
    assertFalse(reply.has("errorMessage"), reply.toString());

    byte[] stored = client.getObjectAsBytes(b -> b.bucket(BUCKET).key("big.json")).asByteArray();
    assertTrue(stored.length > (parts - 1) * (long) partBytes, "object of " + stored.length + " bytes");
    JsonNode rows = JSON.readTree(stored).path("insert").path("wide");
    assertEquals(40_000, rows.size());
    assertEquals(40_000, rows.get(39_999).path("id").asLong());
  }

  @Test
  void theByteBudgetAppliesToTheObjectNotTheReply() throws Exception {
    FunctionHandler staged = handler(new WideRows(2_000, 400),
        EngineConfig.builder().maxStagedBytes(100_000).build(), 5 << 20);
    JsonNode reply = call(staged, request("{}", "budget.json"));
    assertTrue(reply.path("hasMore").asBoolean());
    int size = object("budget.json").getBytes(StandardCharsets.UTF_8).length;
    assertTrue(size <= 100_000 && size > 90_000, "object of " + size + " bytes");
  }

  @Test
  void aRowLargerThanTheStagedLimitNamesTheStagedSettingNotSyncingThroughS3() throws Exception {
    FunctionHandler staged = handler(new WideRows(3, 20_000),
        EngineConfig.builder().maxStagedBytes(10_000).build(), 5 << 20);
    JsonNode reply = call(staged, request("{}", "too-wide.json"));
    assertEquals("ConnectorError", reply.path("errorType").asText(), reply.toString());
    String message = reply.path("errorMessage").asText();
    assertTrue(message.contains("maxStagedBytes (10000)") && message.contains("TRIBUTARY_MAX_STAGED_BYTES"),
        message);
    assertFalse(message.contains("sync through S3") || message.contains("TRIBUTARY_MAX_RESPONSE_BYTES"),
        "the call already syncs through S3: " + message);
    assertThrows(NoSuchKeyException.class, () -> object("too-wide.json"), "no object for a failed call");
  }

  @Test
  void aFailedWriteFailsTheCallNamingBucketAndKeyAndLeavesNoObject() throws Exception {
    FunctionHandler staged = handler(new FixtureConnector(), EngineConfig.defaults(), 5 << 20);
    byte[] req = request("{}", "x.json").clone();
    String text = new String(req, StandardCharsets.UTF_8).replace(BUCKET, "no-such-bucket");
    JsonNode reply = call(staged, text.getBytes(StandardCharsets.UTF_8));
    assertEquals("StagingError", reply.path("errorType").asText());
    assertTrue(reply.path("errorMessage").asText().contains("s3://no-such-bucket/x.json"),
        reply.toString());
    assertFalse(reply.has("state"), "no success reply, so Fivetran keeps its last state");
    assertFalse(reply.toString().contains(AdapterContract.FIXTURE_SECRET));
  }

  @Test
  void aFailedMultipartUploadIsAbortedAndNothingAppearsUnderTheKey() throws Exception {
    AtomicInteger clients = new AtomicInteger();
    // A store whose client breaks after the first part: the upload must abort, the key stay empty.
    FunctionHandler staged = new FunctionHandler(new WideRows(40_000, 400),
        EngineConfig.builder().maxRowsPerResponse(50_000).logSink(l -> {}).build(),
        new S3StagingStore(() -> {
          clients.incrementAndGet();
          return new FailingAfterParts(s3.client(), 1);
        }, 5 << 20));
    JsonNode reply = call(staged, request("{}", "broken.json"));
    assertEquals("StagingError", reply.path("errorType").asText(), reply.toString());
    assertThrows(NoSuchKeyException.class, () -> object("broken.json"));
    assertEquals(0, client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().size(),
        "the multipart upload was aborted");
  }

  @Test
  void theLambdaHandlerFindsTheS3StoreOnTheClasspath() {
    TributaryLambdaHandler handler = new TributaryLambdaHandler(new FixtureConnector()) {};
    assertTrue(handler.canSyncThroughS3());
  }

  @Test
  void theClientIsClosedBeforeASnapshotAndMadeAgainAfter() throws Exception {
    AtomicInteger made = new AtomicInteger();
    S3StagingStore store = new S3StagingStore(() -> {
      made.incrementAndGet();
      return s3.client();
    }, 5 << 20);
    FunctionHandler staged = new FunctionHandler(new FixtureConnector(),
        EngineConfig.builder().logSink(l -> {}).build(), store);
    call(staged, request("{}", "a.json"));
    store.beforeCheckpoint(null);
    store.afterRestore(null);
    call(staged, request("{}", "b.json"));
    assertEquals(2, made.get());
    assertEquals(object("a.json"), object("b.json"));
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  /** A full-refresh table of {@code count} rows with a {@code width}-character text column. */
  static final class WideRows implements Connector {
    final int count;
    final String filler;

    WideRows(int count, int width) {
      this.count = count;
      this.filler = "x".repeat(width);
    }

    @Override
    public Schema schema() {
      return Schema.of(Table.fullRefresh("wide").primaryKey("id").tiebreaker("id", ValueType.NUMBER));
    }

    @Override
    public Page read(TableRead read) {
      long after = read.after().flatMap(p -> p.tiebreaker())
          .map(t -> ((BigDecimal) t).longValue()).orElse(0L);
      List<Row> rows = new ArrayList<>();
      for (long id = after + 1; id <= Math.min(count, after + read.pageSize()); id++) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("payload", filler);
        rows.add(Row.of(v));
      }
      return new Page(rows, after + rows.size() < count);
    }

    @Override
    public Optional<Instant> sourceClock(dev.tributary.Secrets secrets) {
      return Optional.of(FixtureConnector.SOURCE_NOW);
    }
  }
}
