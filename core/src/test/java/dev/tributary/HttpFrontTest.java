package dev.tributary;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.testing.AdapterContract;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FixtureConnector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The one HTTP front every HTTP cloud adapter uses: methods, content types, timeout, status. */
class HttpFrontTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpFront.Platform PLATFORM = new HttpFront.Platform("Test Functions",
      Duration.ofSeconds(55), Duration.ofSeconds(230), "its front end gives up then");

  private static EngineConfig.Builder quiet() {
    return EngineConfig.defaults().newBuilder().logSink(line -> {});
  }

  private final HttpFront front = new HttpFront(
      new FunctionHandler(new FixtureConnector(), quiet().build()), PLATFORM);

  /** A request body that fails the test if anyone reads it. */
  private static final InputStream UNREADABLE = new InputStream() {
    @Override
    public int read() throws IOException {
      throw new AssertionError("the body of a refused request was read");
    }
  };

  private static JsonNode body(HttpFront.Answer a) throws IOException {
    assertEquals("application/json", a.contentType());
    return JSON.readTree(a.bytes());
  }

  @Test
  void anyMethodButPostIs405AllowingPostWithoutReadingTheBody() throws IOException {
    for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "post")) {
      HttpFront.Answer a = front.serve(method, "application/json", UNREADABLE);

      assertEquals(405, a.status(), method);
      assertEquals(Optional.of("POST"), a.allow(), method);
      JsonNode body = body(a);
      assertEquals("MethodNotAllowed", body.path("errorType").asText(), method);
      assertTrue(body.path("errorMessage").asText().startsWith("method " + method + " "), body.toString());
      assertTrue(body.path("errorMessage").asText().contains("POST"), body.toString());
    }
  }

  @Test
  void aContentTypeOtherThanJsonIs415NamingWhatWasSent() throws IOException {
    for (String type : List.of("text/plain", "application/xml; charset=utf-8", "application/jsonl",
        "multipart/form-data; boundary=x")) {
      HttpFront.Answer a = front.serve("POST", type, UNREADABLE);

      assertEquals(415, a.status(), type);
      assertEquals(Optional.empty(), a.allow(), type);
      JsonNode body = body(a);
      assertEquals("UnsupportedMediaType", body.path("errorType").asText(), type);
      String media = type.split(";")[0];
      assertTrue(body.path("errorMessage").asText().startsWith("content type " + media + " "), body.toString());
      assertTrue(body.path("errorMessage").asText().contains("Content-Type: application/json"), body.toString());
    }
  }

  @Test
  void whatIsQuotedBackIsPrintableAndShort() throws IOException {
    HttpFront.Answer a = front.serve("BREW\u0000\n", "text/" + "x".repeat(500), UNREADABLE);
    String message = body(a).path("errorMessage").asText();

    assertEquals("method BREW?? is not served; Fivetran calls with POST, the request JSON as the body",
        message);
    HttpFront.Answer b = front.serve("POST", "text/" + "x".repeat(500), UNREADABLE);
    assertTrue(body(b).path("errorMessage").asText().contains("x".repeat(59) + "..."));
  }

  @Test
  void jsonWithParametersInAnyCaseAndNoContentTypeAreServed() throws IOException {
    byte[] request = AdapterContract.fixture("first-sync.json");
    for (String type : new String[] {"application/json", "Application/JSON; charset=utf-8", " ", null}) {
      HttpFront.Answer a = front.serve("POST", type, new ByteArrayInputStream(request));

      assertEquals(200, a.status(), type);
      assertTrue(body(a).path("hasMore").isBoolean(), type);
    }
  }

  @Test
  void theStatusIsTheOutcomesAndTheBodyTheCoresByteForByte() throws IOException {
    Map<String, Integer> expected = Map.of("first-sync.json", 200, "malformed.json", 400,
        "source-down.json", 502, "connector-bug.json", 500);
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      byte[] request = AdapterContract.fixture(e.getKey());

      HttpFront.Answer streamed = front.serve("POST", "application/json", new ByteArrayInputStream(request));
      HttpFront.Answer inMemory = front.serve("POST", "application/json", request);

      assertEquals((int) e.getValue(), streamed.status(), e.getKey());
      assertEquals((int) e.getValue(), inMemory.status(), e.getKey());
      byte[] core = AdapterContract.coreAnswer(request).body();
      assertEquals(new String(core, UTF_8), new String(streamed.bytes(), UTF_8), e.getKey());
      assertArrayEquals(core, inMemory.bytes(), e.getKey());
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      streamed.writeTo(written);
      assertArrayEquals(core, written.toByteArray(), e.getKey());
    }
  }

  @Test
  void noBodyIsTheCores400() throws IOException {
    HttpFront.Answer a = front.serve("POST", "application/json", (byte[]) null);

    assertEquals(400, a.status());
    assertEquals("ProtocolError", body(a).path("errorType").asText());
    assertTrue(body(a).path("errorMessage").asText().contains("empty"), body(a).toString());
  }

  @Test
  void aBodyInMemoryOverTheLimitIsA400NamingTheSetting() throws IOException {
    HttpFront small = new HttpFront(new FunctionHandler(new FixtureConnector(),
        quiet().maxRequestBytes(2048).build()), PLATFORM);
    byte[] request = ("{\"state\":{},\"secrets\":{\"pad\":\"" + "x".repeat(4000) + "\"}}").getBytes(UTF_8);

    for (HttpFront.Answer a : new HttpFront.Answer[] {small.serve("POST", null, request),
        small.serve("POST", null, new ByteArrayInputStream(request))}) {
      assertEquals(400, a.status());
      assertTrue(body(a).path("errorMessage").asText().contains("TRIBUTARY_MAX_REQUEST_BYTES"),
          body(a).toString());
    }
  }

  @Test
  void theTimeoutIsThePlatformsUnlessConfigured() {
    assertEquals(Duration.ofSeconds(55), front.timeout());
    HttpFront configured = new HttpFront(new FunctionHandler(new FixtureConnector(),
        EngineConfig.fromEnvironment(Map.of("TRIBUTARY_TIMEOUT_SECONDS", " 90 "))
            .newBuilder().logSink(line -> {}).build()), PLATFORM);
    assertEquals(Duration.ofSeconds(90), configured.timeout());
  }

  @Test
  void aTimeoutOverThePlatformsLongestFailsAtStartUpNamingTheVariableAndWhy() {
    FunctionHandler handler = new FunctionHandler(new FixtureConnector(),
        quiet().callTimeout(Duration.ofSeconds(231)).build());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new HttpFront(handler, PLATFORM));

    assertTrue(e.getMessage().startsWith("TRIBUTARY_TIMEOUT_SECONDS (callTimeout) is 231 s, over"
        + " the 230 s Test Functions allows (its front end gives up then)"), e.getMessage());
    new HttpFront(new FunctionHandler(new FixtureConnector(),
        quiet().callTimeout(Duration.ofSeconds(230)).build()), PLATFORM);
  }

  @Test
  void eachCallsDeadlineIsTheTimeoutAfterItArrives() throws IOException {
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    List<Instant> deadlines = new CopyOnWriteArrayList<>();
    Connector recording = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(Table.fullRefresh("t").primaryKey("id"));
      }

      @Override
      public Page read(TableRead read) {
        deadlines.add(read.deadline());
        return new Page(List.of(), false);
      }
    };
    HttpFront timed = new HttpFront(new FunctionHandler(recording, quiet().clock(clock)
        .deadlineMargin(Duration.ZERO).callTimeout(Duration.ofSeconds(90)).build()), PLATFORM);

    assertEquals(200, timed.serve("POST", null, "{}".getBytes(UTF_8)).status());
    clock.advance(Duration.ofMinutes(10));
    assertEquals(200, timed.serve("POST", null, new ByteArrayInputStream("{}".getBytes(UTF_8))).status());

    assertEquals(List.of(Instant.parse("2024-05-01T12:01:30Z"), Instant.parse("2024-05-01T12:11:30Z")),
        deadlines);
  }

  @Test
  void aPlatformWhoseDefaultIsOverItsLongestIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new HttpFront.Platform("x",
        Duration.ofSeconds(300), Duration.ofSeconds(230), "y"));
  }
}
