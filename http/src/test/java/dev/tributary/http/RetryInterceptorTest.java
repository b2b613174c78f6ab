package dev.tributary.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.Secrets;
import dev.tributary.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetryInterceptorTest {
  private static final String TOKEN = "s3cr3t-api-token-value";

  private final MockWebServer server = NoDelayServerSockets.server();
  private final FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final FakeSleeper sleeper = new FakeSleeper(clock);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Secrets secrets = Secrets.of(Map.of("apiToken", TOKEN));

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private RetryInterceptor.Builder retry() {
    return RetryInterceptor.builder().clock(clock).sleeper(sleeper).logSink(log::add)
        .random(() -> 0.5);
  }

  private OkHttpClient client(RetryInterceptor retry) {
    return Http.client().newBuilder().addInterceptor(retry).build();
  }

  private Request.Builder get(String path) {
    return Http.request(secrets, clock.instant().plusSeconds(60)).url(server.url(path));
  }

  private int run(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.code();
    }
  }

  @Test
  void retriesOn429WithRetryAfterInSeconds() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "7"));
    server.enqueue(new MockResponse().setBody("ok"));
    assertEquals(200, run(client(retry().build()), get("/orders").build()));
    assertEquals(List.of(Duration.ofSeconds(7)), sleeper.waits);
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void retriesOn503WithRetryAfterAsHttpDate() throws IOException {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME
        .format(clock.instant().plusSeconds(12).atZone(ZoneOffset.UTC));
    server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", date));
    server.enqueue(new MockResponse().setBody("ok"));
    assertEquals(200, run(client(retry().build()), get("/orders").build()));
    assertEquals(List.of(Duration.ofSeconds(12)), sleeper.waits);
  }

  @Test
  void garbageOrPastRetryAfterFallsBackToBackoff() throws IOException {
    String past = DateTimeFormatter.RFC_1123_DATE_TIME
        .format(clock.instant().minusSeconds(30).atZone(ZoneOffset.UTC));
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "soon-ish"));
    server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", past));
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "-5"));
    server.enqueue(new MockResponse().setBody("ok"));
    RetryInterceptor r = retry().baseDelay(Duration.ofMillis(100)).build();
    assertEquals(200, run(client(r), get("/orders").build()));
    // random 0.5 of ceilings 100, 200, 400 ms
    assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200)),
        sleeper.waits);
    assertTrue(log.stream().allMatch(l -> l.contains("\"reason\":\"backoff\"")), log.toString());
  }

  @Test
  void retries5xxThenSucceeds() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(500));
    server.enqueue(new MockResponse().setResponseCode(502));
    server.enqueue(new MockResponse().setBody("ok"));
    assertEquals(200, run(client(retry().build()), get("/orders").build()));
    assertEquals(3, server.getRequestCount());
    assertEquals(2, log.size());
  }

  @Test
  void retriesAConnectionResetAndATimeout() throws IOException {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    server.enqueue(new MockResponse().setBody("ok"));
    OkHttpClient c = Http.client().newBuilder().retryOnConnectionFailure(false)
        .readTimeout(Duration.ofMillis(200)).addInterceptor(retry().build()).build();
    assertEquals(200, run(c, get("/orders").build()));
    assertEquals(2, sleeper.waits.size());
    assertTrue(log.get(1).contains("SocketTimeoutException"), log.get(1));
  }

  @Test
  void retriesAreBoundedAndEndInATypedRetryableError() {
    for (int i = 0; i < 5; i++) {
      server.enqueue(new MockResponse().setResponseCode(503));
    }
    SourceUnavailableException e = assertThrows(SourceUnavailableException.class,
        () -> run(client(retry().maxAttempts(3).build()), get("/orders").build()));
    assertEquals(3, server.getRequestCount());
    assertEquals(503, e.status());
    assertTrue(e.isRetryable());
    assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
  }

  @Test
  void totalWaitIsBounded() {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "20"));
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "20"));
    RetryInterceptor r = retry().maxTotalWait(Duration.ofSeconds(30)).build();
    SourceUnavailableException e = assertThrows(SourceUnavailableException.class,
        () -> run(client(r), get("/orders").build()));
    assertEquals(List.of(Duration.ofSeconds(20)), sleeper.waits);
    assertTrue(e.getMessage().contains("maxTotalWait"), e.getMessage());
  }

  @Test
  void neverSleepsPastTheDeadline() {
    Instant start = clock.instant();
    Instant deadline = start.plusSeconds(5);
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "120"));
    Request request = Http.request(secrets, deadline).url(server.url("/orders")).build();
    SourceUnavailableException e = assertThrows(SourceUnavailableException.class,
        () -> run(client(retry().build()), request));
    assertTrue(sleeper.waits.isEmpty(), "slept " + sleeper.waits);
    assertTrue(clock.instant().isBefore(deadline));
    assertEquals(429, e.status());
    assertTrue(e.getMessage().contains("deadline"), e.getMessage());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void backoffStopsBeforeTheDeadlineToo() {
    Instant deadline = clock.instant().plusSeconds(10);
    for (int i = 0; i < 10; i++) {
      server.enqueue(new MockResponse().setResponseCode(500));
    }
    RetryInterceptor r = retry().maxAttempts(10).baseDelay(Duration.ofSeconds(2))
        .random(() -> 0.999).build();
    Request request = Http.request(secrets, deadline).url(server.url("/orders")).build();
    assertThrows(SourceUnavailableException.class, () -> run(client(r), request));
    assertTrue(clock.instant().plus(Duration.ofSeconds(1)).compareTo(deadline) <= 0,
        "waited until " + clock.instant() + ", deadline " + deadline);
    assertFalse(sleeper.waits.isEmpty());
  }

  @Test
  void postIsNotRetriedUnlessTaggedSafe() throws IOException {
    RequestBody body = RequestBody.create("{}", MediaType.get("application/json"));
    server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "1"));
    assertEquals(503, run(client(retry().build()), get("/search").post(body).build()));
    assertEquals(1, server.getRequestCount());
    assertTrue(sleeper.waits.isEmpty());

    server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "1"));
    server.enqueue(new MockResponse().setBody("ok"));
    Request safe = get("/search").post(body).tag(RetrySafe.class, RetrySafe.YES).build();
    assertEquals(200, run(client(retry().build()), safe));
    assertEquals(3, server.getRequestCount());
  }

  @Test
  void clientErrorsAreNotRetried() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(404));
    assertEquals(404, run(client(retry().build()), get("/orders").build()));
    assertEquals(1, server.getRequestCount());
  }

  private MockResponse rateLimited(int status, Instant reset) {
    return new MockResponse().setResponseCode(status)
        .setHeader("X-RateLimit-Limit", "5000")
        .setHeader("X-RateLimit-Remaining", "0")
        .setHeader("X-RateLimit-Reset", String.valueOf(reset.getEpochSecond()));
  }

  @Test
  void waitsForARateLimitResetThenSucceeds() throws IOException {
    server.enqueue(rateLimited(403, clock.instant().plusSeconds(20)));
    server.enqueue(new MockResponse().setBody("ok"));
    RetryInterceptor r = retry().rateLimitMargin(Duration.ofMillis(500)).build();
    assertEquals(200, run(client(r), get("/repos/o/r/issues").build()));
    assertEquals(List.of(Duration.ofMillis(20_500)), sleeper.waits);
    assertEquals(2, server.getRequestCount());
    assertTrue(log.get(0).contains("\"reason\":\"rate-limit-reset\""), log.get(0));
  }

  @Test
  void a429WithAnExhaustedRateLimitWaitsForTheResetNotTheBackoff() throws IOException {
    server.enqueue(rateLimited(429, clock.instant().plusSeconds(3)));
    server.enqueue(new MockResponse().setBody("ok"));
    assertEquals(200, run(client(retry().build()), get("/repos/o/r/issues").build()));
    assertEquals(List.of(Duration.ofSeconds(4)), sleeper.waits);
  }

  @Test
  void aRateLimitResettingPastTheDeadlineFailsAtOnceWithoutSleeping() {
    Instant deadline = clock.instant().plusSeconds(30);
    server.enqueue(rateLimited(403, clock.instant().plusSeconds(60)));
    Request request = Http.request(secrets, deadline).url(server.url("/repos/o/r/issues")).build();
    SourceUnavailableException e = assertThrows(SourceUnavailableException.class,
        () -> run(client(retry().build()), request));
    assertTrue(sleeper.waits.isEmpty(), "slept " + sleeper.waits);
    assertEquals(1, server.getRequestCount());
    assertEquals(403, e.status());
    assertTrue(e.getMessage().contains("rate limit exhausted until")
        && e.getMessage().contains("deadline"), e.getMessage());
  }

  @Test
  void aRateLimitResetBeyondMaxTotalWaitFailsAtOnceToo() {
    server.enqueue(rateLimited(403, clock.instant().plusSeconds(90)));
    RetryInterceptor r = retry().maxTotalWait(Duration.ofSeconds(60)).build();
    Request request = Http.request(secrets, clock.instant().plusSeconds(600))
        .url(server.url("/repos/o/r/issues")).build();
    SourceUnavailableException e = assertThrows(SourceUnavailableException.class,
        () -> run(client(r), request));
    assertTrue(sleeper.waits.isEmpty(), "slept " + sleeper.waits);
    assertTrue(e.getMessage().contains("maxTotalWait"), e.getMessage());
  }

  @Test
  void aPlain403IsARefusalAndNotRetried() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(403));
    server.enqueue(new MockResponse().setResponseCode(403)
        .setHeader("X-RateLimit-Remaining", "4999")
        .setHeader("X-RateLimit-Reset", String.valueOf(clock.instant().getEpochSecond() + 60)));
    assertEquals(403, run(client(retry().build()), get("/repos/o/r").build()));
    assertEquals(403, run(client(retry().build()), get("/repos/o/r").build()));
    assertEquals(2, server.getRequestCount());
    assertTrue(sleeper.waits.isEmpty(), "slept " + sleeper.waits);
  }

  @Test
  void a403WithRetryAfterIsASecondaryRateLimit() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(403).setHeader("Retry-After", "5"));
    server.enqueue(new MockResponse().setBody("ok"));
    assertEquals(200, run(client(retry().build()), get("/repos/o/r/issues").build()));
    assertEquals(List.of(Duration.ofSeconds(5)), sleeper.waits);
  }

  @Test
  void retryLogLineHasMethodHostPathStatusAttemptAndWaitButNoQueryOrSecret() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "2"));
    server.enqueue(new MockResponse().setBody("ok"));
    OkHttpClient c = Http.client().newBuilder().addInterceptor(retry().build())
        .addInterceptor(Auth.apiKeyQuery("api_key", "apiToken")).build();
    run(c, get("/v1/orders?updated_since=2024-01-01").build());
    assertEquals(1, log.size());
    String line = log.get(0);
    for (String expected : List.of("\"event\":\"http_retry\"", "\"method\":\"GET\"",
        "\"host\":\"" + server.getHostName() + "\"", "\"path\":\"/v1/orders\"", "\"status\":503",
        "\"attempt\":1", "\"wait_ms\":2000", "\"reason\":\"retry-after\"")) {
      assertTrue(line.contains(expected), expected + " in " + line);
    }
    assertFalse(line.contains(TOKEN) || line.contains("updated_since") || line.contains("api_key"),
        line);
  }
}
