package dev.tributary.aws.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.StagingStore;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.testing.FixtureConnector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.DelegatingS3Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Sync through S3 while a proxy in front of the S3-compatible server cuts connections at random
 * byte offsets: a call may fail, but a call that answers success has put exactly its rows under
 * the key, and a multipart upload left behind is one the error said it could not abort.
 */
class S3StagingFaultTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BUCKET = "fivetran-faults";
  static final long SEED = 12;
  static final int CALLS = 120;
  /** S3Proxy, like S3, refuses non-final parts under 5 MiB; a multipart call here has two. */
  static final int PART_BYTES = 5 << 20;
  /** Rows of about 2 KB: 2,700 make a 5.5 MB object, 4 a single part. */
  static final int MULTIPART_ROWS = 2_700;
  static final int SINGLE_PART_ROWS = 4;
  /** Keys repeat, so a stale object from an earlier call is there to be mistaken for this one's. */
  static final int KEYS = 10;

  /** S3Proxy's blob store logs every cut request body as SEVERE; the test counts them instead. */
  static final java.util.logging.Logger JCLOUDS = java.util.logging.Logger.getLogger("jclouds");
  static LoopbackS3 s3;
  static CuttingProxy proxy;
  static S3Client direct;

  @BeforeAll
  static void start() throws Exception {
    JCLOUDS.setLevel(java.util.logging.Level.OFF);
    java.util.logging.Logger.getLogger("org.jclouds").setLevel(java.util.logging.Level.OFF);
    s3 = new LoopbackS3();
    direct = s3.client();
    direct.createBucket(b -> b.bucket(BUCKET));
    proxy = new CuttingProxy(s3.port(), SEED, PART_BYTES + (1 << 20));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    direct.close();
    s3.close();
  }

  @Test
  void noCallAnswersSuccessWithoutItsObjectWhileConnectionsAreCut() throws Exception {
    // Two attempts per request instead of the SDK's three, so more cuts reach the store itself.
    S3StagingStore store = new S3StagingStore(() -> LoopbackS3.builder(proxy.endpoint())
        .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(2))).build(), PART_BYTES);
    EngineConfig config = EngineConfig.builder().logSink(l -> {}).build();
    int successes = 0;
    int failures = 0;
    int multipartSuccesses = 0;
    int unconfirmedAborts = 0;
    List<String> withoutObject = new ArrayList<>();
    List<String> wrongObject = new ArrayList<>();
    for (int call = 0; call < CALLS; call++) {
      boolean multipart = call % 5 == 0;
      String key = "sync/" + (call % KEYS) + ".json";
      Connector rows = new TaggedRows(call, multipart ? MULTIPART_ROWS : SINGLE_PART_ROWS);
      JsonNode reply = call(new FunctionHandler(rows, config, store), request(key));
      if (reply.has("errorMessage")) {
        failures++;
        assertEquals("StagingError", reply.path("errorType").asText(), reply.toString());
        assertFalse(reply.has("state"), "an error reply carries no state: " + reply);
        if (reply.path("errorMessage").asText().contains("could not be confirmed aborted")) {
          unconfirmedAborts++;
        }
        continue;
      }
      successes++;
      if (multipart) {
        multipartSuccesses++;
      }
      byte[] stored;
      try {
        stored = direct.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
      } catch (NoSuchKeyException e) {
        withoutObject.add("call " + call + " (" + key + ")");
        continue;
      }
      // The same call into memory gives the exact bytes the object must hold.
      Recording expected = new Recording();
      JsonNode again = call(new FunctionHandler(rows, config, expected), request(key));
      assertFalse(again.has("errorMessage"), again.toString());
      if (!Arrays.equals(expected.bytes.toByteArray(), stored)) {
        wrongObject.add("call " + call + " (" + key + ")");
      }
    }

    String summary = successes + " successes (" + multipartSuccesses + " multipart), " + failures
        + " failures, " + proxy.cuts.get() + " cuts over " + proxy.connections.get()
        + " connections";
    assertEquals(List.of(), withoutObject, "success replies without the object; " + summary);
    assertEquals(List.of(), wrongObject, "success replies with another object; " + summary);
    // The faults must bite and the store must still get through: otherwise this shows nothing.
    assertTrue(failures >= 5 && successes >= 30 && multipartSuccesses >= 5, summary);

    List<MultipartUpload> left = direct.listMultipartUploads(b -> b.bucket(BUCKET)).uploads();
    assertTrue(left.size() <= unconfirmedAborts, left.size() + " multipart uploads left but "
        + unconfirmedAborts + " errors said an abort could not be confirmed; " + summary);
  }

  @Test
  void anAbortThatCannotBeConfirmedIsNamedInTheError() throws Exception {
    // The first part gets in; then S3 becomes unreachable, so neither the second part nor any
    // of the aborts that follow can get through.
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String unreachable = "http://127.0.0.1:" + closedPort;
    S3StagingStore store = new S3StagingStore(() -> new GoneAfterFirstPart(s3.client(),
        LoopbackS3.client(unreachable)), PART_BYTES);
    Connector rows = new TaggedRows(-1, MULTIPART_ROWS);
    JsonNode reply = call(new FunctionHandler(rows, EngineConfig.builder().logSink(l -> {})
        .build(), store), request("unconfirmed.json"));
    String message = reply.path("errorMessage").asText();
    assertEquals("StagingError", reply.path("errorType").asText(), reply.toString());
    assertTrue(message.contains("UploadPart 2 failed"), message);
    assertTrue(message.contains("could not be confirmed aborted after 3 attempts")
        && message.contains("lifecycle rule"), message);
    List<MultipartUpload> left = direct.listMultipartUploads(b -> b.bucket(BUCKET)
        .prefix("unconfirmed.json")).uploads();
    assertEquals(1, left.size(), "the upload the error names is still there");
    assertTrue(message.contains(left.get(0).uploadId()), message);
    direct.abortMultipartUpload(b -> b.bucket(BUCKET).key("unconfirmed.json")
        .uploadId(left.get(0).uploadId()));
  }

  static byte[] request(String key) {
    return ("{\"state\":{},\"secrets\":{\"api_token\":\"x1234\"},\"bucket\":\"" + BUCKET
        + "\",\"file\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  static JsonNode call(FunctionHandler h, byte[] request) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    h.handle(new ByteArrayInputStream(request), out, Instant.now().plusSeconds(60));
    return JSON.readTree(out.toByteArray());
  }

  /** A staging store in memory: what the engine writes for a call, byte for byte. */
  static final class Recording implements StagingStore {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public Upload begin(String bucket, String key) {
      return new Upload() {
        @Override
        public java.io.OutputStream stream() {
          return bytes;
        }

        @Override
        public void commit() {}

        @Override
        public void abort() {}
      };
    }
  }

  /** A client to the loopback S3 that sends everything after the first part to {@code gone}. */
  static final class GoneAfterFirstPart extends DelegatingS3Client {
    final S3Client gone;
    boolean partDone;

    GoneAfterFirstPart(S3Client real, S3Client gone) {
      super(real);
      this.gone = gone;
    }

    @Override
    public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
      if (partDone) {
        return gone.uploadPart(request, body);
      }
      partDone = true;
      return super.uploadPart(request, body);
    }

    @Override
    public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest r) {
      return gone.abortMultipartUpload(r);
    }

    @Override
    public ListPartsResponse listParts(ListPartsRequest r) {
      return gone.listParts(r);
    }
  }

  /**
   * A full-refresh table of {@code count} rows whose text names the call, so two calls' objects
   * differ and a stale one is told apart.
   */
  static final class TaggedRows implements Connector {
    final int call;
    final int count;
    final String filler;

    TaggedRows(int call, int count) {
      this.call = call;
      this.count = count;
      this.filler = "x".repeat(2_000);
    }

    @Override
    public Schema schema() {
      return Schema.of(Table.fullRefresh("rows").primaryKey("id").tiebreaker("id", ValueType.NUMBER));
    }

    @Override
    public Page read(TableRead read) {
      long after = read.after().flatMap(p -> p.tiebreaker())
          .map(t -> ((BigDecimal) t).longValue()).orElse(0L);
      List<Row> rows = new ArrayList<>();
      for (long id = after + 1; id <= Math.min(count, after + read.pageSize()); id++) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("call", call);
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
