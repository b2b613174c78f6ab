package dev.tributary.gcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.EngineConfig;
import dev.tributary.testing.AdapterContract;
import dev.tributary.testing.FixtureConnector;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The function's HTTP behaviour, served by the real Functions Framework invoker. */
class GcpHttpFunctionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static InvokerServer server;
  private static InvokerServer smallRequests;

  /** Deployed the subclass way, with a request limit set in code. */
  public static final class SmallRequestLimitFunction extends TributaryHttpFunction {
    public SmallRequestLimitFunction() {
      super(new FixtureConnector(), EngineConfig.defaults().newBuilder()
          .maxRequestBytes(2048).logSink(line -> {}).build());
    }
  }

  @BeforeAll
  static void serve() throws Exception {
    server = InvokerServer.serving(TributaryHttpFunction.class);
    smallRequests = InvokerServer.serving(SmallRequestLimitFunction.class);
  }

  @AfterAll
  static void stop() throws Exception {
    for (InvokerServer s : new InvokerServer[] {server, smallRequests}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  void answersFirstSyncWith200JsonCarryingStateAndHasMore() throws Exception {
    HttpResponse<byte[]> r = server.post(AdapterContract.fixture("first-sync.json"), "application/json");

    assertEquals(200, r.statusCode());
    assertJson(r);
    JsonNode body = JSON.readTree(r.body());
    assertTrue(body.get("state").isObject(), "state: " + body);
    assertTrue(body.get("hasMore").isBoolean(), "hasMore: " + body);
    assertTrue(body.get("insert").has("orders"), "insert: " + body);
  }

  @Test
  void acceptsJsonWithCharsetAndRequestsWithoutContentType() throws Exception {
    byte[] request = AdapterContract.fixture("first-sync.json");

    assertEquals(200, server.post(request, "application/json; charset=utf-8").statusCode());
    assertEquals(200, server.post(request, null).statusCode());
  }

  @Test
  void rejectsGetWith405AllowPostAndJsonError() throws Exception {
    HttpResponse<byte[]> r = server.send(HttpRequest.newBuilder().GET());

    assertEquals(405, r.statusCode());
    assertEquals(Optional.of("POST"), r.headers().firstValue("Allow"));
    assertJson(r);
    assertEquals("MethodNotAllowed", JSON.readTree(r.body()).get("errorType").asText());
    assertTrue(JSON.readTree(r.body()).get("errorMessage").asText().contains("POST"));
  }

  @Test
  void rejectsTextPlainWith415SayingToSendJson() throws Exception {
    HttpResponse<byte[]> r = server.post(AdapterContract.fixture("first-sync.json"), "text/plain");

    assertEquals(415, r.statusCode());
    assertJson(r);
    JsonNode body = JSON.readTree(r.body());
    assertEquals("UnsupportedMediaType", body.get("errorType").asText());
    assertTrue(body.get("errorMessage").asText().contains("application/json"), body.toString());
  }

  @Test
  void answersMalformedJsonWith400ProtocolError() throws Exception {
    HttpResponse<byte[]> r = server.post(AdapterContract.fixture("malformed.json"), "application/json");

    assertEquals(400, r.statusCode());
    assertJson(r);
    assertEquals("ProtocolError", JSON.readTree(r.body()).get("errorType").asText());
  }

  @Test
  void answersOversizedBodyWith400NamingTheLimit() throws Exception {
    String padding = "x".repeat(10_000);
    byte[] request = ("{\"state\":{},\"secrets\":{\"pad\":\"" + padding + "\"}}").getBytes(UTF_8);

    HttpResponse<byte[]> r = smallRequests.post(request, "application/json");

    assertEquals(400, r.statusCode());
    assertJson(r);
    JsonNode body = JSON.readTree(r.body());
    assertEquals("ProtocolError", body.get("errorType").asText());
    assertTrue(body.get("errorMessage").asText().contains("TRIBUTARY_MAX_REQUEST_BYTES"), body.toString());
  }

  @Test
  void answersSourceFailureWith502AndRedactedErrorBody() throws Exception {
    HttpResponse<byte[]> r = server.post(AdapterContract.fixture("source-down.json"), "application/json");

    assertEquals(502, r.statusCode());
    assertJson(r);
    JsonNode body = JSON.readTree(r.body());
    assertEquals("SourceError", body.get("errorType").asText());
    assertFalse(body.toString().contains(AdapterContract.FIXTURE_SECRET), body.toString());
  }

  @Test
  void timeoutIsCloudFunctionsDefaultOf55SecondsAndAtMostAnHour() {
    assertEquals(Duration.ofSeconds(55), TributaryHttpFunction.CLOUD_FUNCTIONS.defaultTimeout());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TooLongFunction());
    assertTrue(e.getMessage().startsWith("TRIBUTARY_TIMEOUT_SECONDS (callTimeout) is 3601 s, over the"
        + " 3600 s Cloud Functions allows"), e.getMessage());
  }

  /** A subclass whose configured call timeout is longer than an HTTP function may run. */
  static final class TooLongFunction extends TributaryHttpFunction {
    TooLongFunction() {
      super(new FixtureConnector(), EngineConfig.defaults().newBuilder()
          .callTimeout(Duration.ofSeconds(3601)).logSink(line -> {}).build());
    }
  }

  private static void assertJson(HttpResponse<byte[]> r) {
    assertEquals(Optional.of("application/json"), r.headers().firstValue("Content-Type"));
  }
}
