package dev.tributary.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.Secrets;
import dev.tributary.cache.FileRateBudgetStore;
import dev.tributary.testing.FakeClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedRateLimitInterceptorTest {
  private static final String TOKEN = "s3cr3t-api-token-value";

  @TempDir Path budgetDir;
  private final MockWebServer source = NoDelayServerSockets.server();
  private final MockWebServer otherSource = NoDelayServerSockets.server();
  private final FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Secrets secrets = Secrets.of(Map.of("apiToken", TOKEN));

  @BeforeEach
  void start() throws IOException {
    source.start();
    otherSource.start();
  }

  @AfterEach
  void stop() throws IOException {
    source.shutdown();
    otherSource.shutdown();
  }

  /** A client as another process would build it: its own OkHttpClient and sleeper, same store. */
  private OkHttpClient client(FakeSleeper sleeper) {
    SharedRateLimitInterceptor shared =
        SharedRateLimitInterceptor.builder(FileRateBudgetStore.at(budgetDir))
            .clock(clock).sleeper(sleeper).logSink(log::add).build();
    return new OkHttpClient.Builder().addInterceptor(shared).build();
  }

  private Request get(MockWebServer server, String path, Duration deadlineIn) {
    return Http.request(secrets, clock.instant().plus(deadlineIn))
        .url(server.url(path + "?token=" + TOKEN)).build();
  }

  private static int run(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.code();
    }
  }

  @Test
  void a429WithRetryAfterSeenByOneClientDelaysAnotherOnTheSameHostButNotOnAnother()
      throws IOException {
    FakeSleeper sleeperA = new FakeSleeper(clock);
    FakeSleeper sleeperB = new FakeSleeper(clock);
    FakeSleeper sleeperC = new FakeSleeper(clock);
    source.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "2"));
    source.enqueue(new MockResponse().setBody("ok"));
    otherSource.enqueue(new MockResponse().setBody("ok"));

    assertEquals(429, run(client(sleeperA), get(source, "/orders", Duration.ofMinutes(1))));
    assertEquals(200, run(client(sleeperC), get(otherSource, "/orders", Duration.ofMinutes(1))));
    assertEquals(200, run(client(sleeperB), get(source, "/customers", Duration.ofMinutes(1))));

    assertEquals(List.of(), sleeperA.waits);
    assertEquals(List.of(), sleeperC.waits, "another host has its own budget");
    assertEquals(List.of(Duration.ofSeconds(2)), sleeperB.waits);
    for (String line : log) {
      assertFalse(line.contains(TOKEN), line);
    }
    assertTrue(log.stream().anyMatch(l -> l.contains("\"event\":\"rate_budget_raised\"")));
    assertTrue(log.stream().anyMatch(l -> l.contains("\"event\":\"rate_budget_wait\"")));
  }

  @Test
  void aRetryAfterHttpDateOn503IsShared() throws IOException {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME
        .format(clock.instant().plusSeconds(5).atOffset(ZoneOffset.UTC));
    source.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", date));
    source.enqueue(new MockResponse().setBody("ok"));
    FakeSleeper b = new FakeSleeper(clock);
    run(client(new FakeSleeper(clock)), get(source, "/a", Duration.ofMinutes(1)));
    run(client(b), get(source, "/a", Duration.ofMinutes(1)));
    assertEquals(List.of(Duration.ofSeconds(5)), b.waits);
  }

  @Test
  void aWaitPastTheDeadlineFailsAtOnceWithoutSleeping() throws IOException {
    source.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "30"));
    run(client(new FakeSleeper(clock)), get(source, "/a", Duration.ofMinutes(1)));
    FakeSleeper b = new FakeSleeper(clock);
    SourceUnavailableException e = assertThrows(SourceUnavailableException.class,
        () -> run(client(b), get(source, "/a", Duration.ofSeconds(10))));
    assertEquals(List.of(), b.waits);
    assertEquals(1, source.getRequestCount(), "not sent");
    assertTrue(e.getMessage().contains("deadline"), e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
  }

  @Test
  void aLongerWaitIsNotShortenedByALaterShorterOne() throws IOException {
    source.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "10"));
    source.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "1"));
    source.enqueue(new MockResponse().setBody("ok"));
    OkHttpClient a = new OkHttpClient.Builder().addInterceptor(
        SharedRateLimitInterceptor.builder(FileRateBudgetStore.at(budgetDir)).clock(clock)
            .sleeper(d -> { }).logSink(log::add).build()).build();
    run(a, get(source, "/a", Duration.ofMinutes(1))); // 10 s recorded, not slept (sleeper ignores)
    run(a, get(source, "/a", Duration.ofMinutes(1))); // waits (no-op), then 1 s: max stays +10 s
    FakeSleeper b = new FakeSleeper(clock);
    run(client(b), get(source, "/a", Duration.ofMinutes(1)));
    assertEquals(List.of(Duration.ofSeconds(10)), b.waits);
  }

  @Test
  void combinedWithRetryInterceptorEveryAttemptRespectsTheBudget() throws IOException {
    source.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "3"));
    source.enqueue(new MockResponse().setBody("ok"));
    FakeSleeper sleeper = new FakeSleeper(clock);
    OkHttpClient client = new OkHttpClient.Builder()
        .addInterceptor(RetryInterceptor.builder().clock(clock).sleeper(sleeper)
            .logSink(log::add).build())
        .addInterceptor(SharedRateLimitInterceptor.builder(FileRateBudgetStore.at(budgetDir))
            .clock(clock).sleeper(sleeper).logSink(log::add).build())
        .build();
    assertEquals(200, run(client, get(source, "/a", Duration.ofMinutes(1))));
    // The retry interceptor waited the 3 s; the budget was then already due: no double wait.
    assertEquals(List.of(Duration.ofSeconds(3)), sleeper.waits);
  }

  @Test
  void aStoreThatFailsIsReportedAndTheRequestsAreSentAnyway() throws IOException {
    // A budget folder that is a file: every read and every raise of the store fails.
    Path notAFolder = java.nio.file.Files.writeString(budgetDir.resolve("budget"), "x");
    source.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "2"));
    source.enqueue(new MockResponse().setBody("ok"));
    FakeSleeper sleeper = new FakeSleeper(clock);
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(
        SharedRateLimitInterceptor.builder(FileRateBudgetStore.at(notAFolder)).clock(clock)
            .sleeper(sleeper).logSink(log::add).build()).build();
    assertEquals(429, run(client, get(source, "/a", Duration.ofMinutes(1))));
    assertEquals(200, run(client, get(source, "/a", Duration.ofMinutes(1))));
    assertEquals(2, source.getRequestCount(), "fail-open: both requests were sent");
    assertEquals(List.of(), sleeper.waits, "and nothing waited on a budget that cannot be read");
    List<String> failed = log.stream()
        .filter(l -> l.contains("\"event\":\"rate_budget_failed\"")).toList();
    // Read before the first request, raise after its 429, read before the second.
    assertEquals(3, failed.size(), log.toString());
    assertTrue(failed.stream().allMatch(l -> l.contains("\"level\":\"WARN\"")
        && l.contains("\"error\":")), failed.toString());
    for (String line : log) {
      assertFalse(line.contains(TOKEN), line);
    }
  }
}
