package dev.tributary.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.testing.AdapterContract;
import dev.tributary.testing.FixtureConnector;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AzureAdapterTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final AzureAdapter adapter = new AzureAdapter(
      new FunctionHandler(new FixtureConnector(), EngineConfig.defaults().newBuilder()
          .callTimeout(Duration.ofSeconds(60)).logSink(line -> {}).build()));

  private FakeHttpRequest.Response send(FakeHttpRequest request) {
    return (FakeHttpRequest.Response) adapter.handle(request, new FakeExecutionContext());
  }

  private static JsonNode json(FakeHttpRequest.Response response) throws IOException {
    assertEquals("application/json", response.getHeader("Content-Type"));
    return MAPPER.readTree(response.bytes());
  }

  @Test
  void answersGetWith405AllowingPost() throws IOException {
    FakeHttpRequest.Response response = send(new FakeHttpRequest(HttpMethod.GET, Map.of(), null));

    assertEquals(405, response.getStatusCode());
    assertEquals("POST", response.getHeader("Allow"));
    JsonNode body = json(response);
    assertEquals("MethodNotAllowed", body.path("errorType").asText());
    assertTrue(body.path("errorMessage").asText().contains("GET"), body.toString());
  }

  @Test
  void answersTextPlainWith415() throws IOException {
    FakeHttpRequest.Response response = send(new FakeHttpRequest(HttpMethod.POST,
        Map.of("content-type", "text/plain"), AdapterContract.fixture("first-sync.json")));

    assertEquals(415, response.getStatusCode());
    assertTrue(json(response).path("errorMessage").asText().contains("text/plain"));
  }

  @Test
  void acceptsJsonWithCharsetAndAnyHeaderCase() throws IOException {
    FakeHttpRequest.Response response = send(new FakeHttpRequest(HttpMethod.POST,
        Map.of("Content-Type", "Application/JSON; charset=utf-8"),
        AdapterContract.fixture("first-sync.json")));

    assertEquals(200, response.getStatusCode());
  }

  @Test
  void acceptsRequestWithoutContentType() {
    FakeHttpRequest.Response response = send(new FakeHttpRequest(HttpMethod.POST, Map.of(),
        AdapterContract.fixture("first-sync.json")));

    assertEquals(200, response.getStatusCode());
  }

  @Test
  void answersMalformedJsonWithTheCores400() throws IOException {
    byte[] request = AdapterContract.fixture("malformed.json");
    FakeHttpRequest.Response response = send(FakeHttpRequest.post(request));

    assertEquals(400, response.getStatusCode());
    assertEquals("ProtocolError", json(response).path("errorType").asText());
    assertEquals(new String(AdapterContract.coreAnswer(request).body()), new String(response.bytes()));
  }

  @Test
  void answersMissingBodyWithTheCores400() throws IOException {
    FakeHttpRequest.Response response = send(FakeHttpRequest.post(null));

    assertEquals(400, response.getStatusCode());
    assertEquals("ProtocolError", json(response).path("errorType").asText());
  }

  @Test
  void answersSourceFailureWith502AndNoSecret() throws IOException {
    FakeHttpRequest.Response response = send(
        FakeHttpRequest.post(AdapterContract.fixture("source-down.json")));

    assertEquals(502, response.getStatusCode());
    JsonNode body = json(response);
    assertEquals("SourceError", body.path("errorType").asText());
    assertFalse(body.toString().contains(AdapterContract.FIXTURE_SECRET));
  }

  @Test
  void answersASyncWith200StateAndHasMore() throws IOException {
    FakeHttpRequest.Response response = send(
        FakeHttpRequest.post(AdapterContract.fixture("first-sync.json")));

    assertEquals(200, response.getStatusCode());
    JsonNode body = json(response);
    assertTrue(body.path("state").isObject(), body.toString());
    assertTrue(body.path("hasMore").isBoolean(), body.toString());
    assertTrue(body.path("insert").path("orders").isArray(), body.toString());
  }

  @Test
  void timeoutDefaultsTo220SecondsAndComesFromTheEngineConfig() {
    assertEquals(Duration.ofSeconds(220), new AzureAdapter(handler(EngineConfig.fromEnvironment(
        Map.of("TRIBUTARY_TIMEOUT_SECONDS", " ")))).timeout());
    assertEquals(Duration.ofSeconds(90), new AzureAdapter(handler(EngineConfig.fromEnvironment(
        Map.of("TRIBUTARY_TIMEOUT_SECONDS", "90")))).timeout());
  }

  @Test
  void rejectsTimeoutThatIsNotANumberNamingTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.fromEnvironment(Map.of("TRIBUTARY_TIMEOUT_SECONDS", "3m")));
    assertTrue(e.getMessage().contains("TRIBUTARY_TIMEOUT_SECONDS"), e.getMessage());
    assertTrue(e.getMessage().contains("3m"), e.getMessage());
  }

  @Test
  void rejectsTimeoutBeyondAzuresFrontEndOrBelowOneSecond() {
    IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
        () -> new AzureAdapter(handler(EngineConfig.fromEnvironment(
            Map.of("TRIBUTARY_TIMEOUT_SECONDS", "231")))));
    assertTrue(over.getMessage().startsWith("TRIBUTARY_TIMEOUT_SECONDS (callTimeout) is 231 s,"
        + " over the 230 s Azure Functions allows (its HTTP front end drops a request after 230 s)"),
        over.getMessage());
    for (String value : new String[] {"0", "-5"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> EngineConfig.fromEnvironment(Map.of("TRIBUTARY_TIMEOUT_SECONDS", value)));
      assertTrue(e.getMessage().startsWith("TRIBUTARY_TIMEOUT_SECONDS=" + value), e.getMessage());
    }
  }

  private static FunctionHandler handler(EngineConfig config) {
    return new FunctionHandler(new FixtureConnector(), config.newBuilder().logSink(line -> {}).build());
  }
}
