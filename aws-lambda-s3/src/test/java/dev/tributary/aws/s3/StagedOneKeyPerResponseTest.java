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
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One key per response holds for a sync through S3 too: a key deleted and inserted again goes in
 * two objects, one per call, against a real S3-compatible server on loopback.
 */
class StagedOneKeyPerResponseTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BUCKET = "one-key-staging";
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

  /** A tombstone feed: id 1 deleted, then inserted again; id 2 untouched. */
  static final class Feed implements Connector {
    final Table orders = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER);
    final List<Row> rows = List.of(
        Row.of(Map.of("id", 2, "updated_at", "2024-05-01T10:00:00Z", "status", "new")),
        Row.delete(Map.of("id", 1, "updated_at", "2024-05-01T10:00:01Z")),
        Row.of(Map.of("id", 1, "updated_at", "2024-05-01T10:00:02Z", "status", "again")));

    @Override
    public Schema schema() {
      return Schema.of(orders);
    }

    @Override
    public Page read(TableRead read) {
      List<Row> out = new ArrayList<>();
      for (Row r : rows) {
        if (read.after().isEmpty() || orders.positionOf(r).compareTo(read.after().get()) > 0) {
          out.add(r);
        }
      }
      return new Page(out, false);
    }
  }

  @Test
  void aKeyDeletedAndInsertedAgainGoesInTwoObjects() throws Exception {
    FunctionHandler staged = new FunctionHandler(new Feed(),
        EngineConfig.builder().logSink(l -> {}).build(), new S3StagingStore(s3::client, 5 << 20));

    JsonNode first = call(staged, "{}", "sync/1.json");
    assertTrue(first.path("hasMore").asBoolean(), first.toString());
    JsonNode object1 = JSON.readTree(object("sync/1.json"));
    assertEquals(1, object1.path("insert").path("orders").size(), object1.toString());
    assertEquals(1, object1.path("delete").path("orders").size(), object1.toString());
    assertEquals(2, object1.path("insert").path("orders").get(0).path("id").asInt());

    JsonNode second = call(staged, first.path("state").toString(), "sync/2.json");
    assertFalse(second.path("hasMore").asBoolean(), second.toString());
    JsonNode object2 = JSON.readTree(object("sync/2.json"));
    assertEquals("again", object2.path("insert").path("orders").get(0).path("status").asText());
    assertTrue(object2.path("delete").isMissingNode(), object2.toString());
  }

  static JsonNode call(FunctionHandler h, String state, String key) throws Exception {
    byte[] request = ("{\"state\":" + state + ",\"bucket\":\"" + BUCKET + "\",\"file\":\"" + key
        + "\"}").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    h.handle(new ByteArrayInputStream(request), out, Instant.now().plusSeconds(60));
    return JSON.readTree(out.toByteArray());
  }

  static String object(String key) {
    return client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
  }
}
