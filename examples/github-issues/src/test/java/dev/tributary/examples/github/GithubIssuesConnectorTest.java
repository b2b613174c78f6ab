package dev.tributary.examples.github;

import static dev.tributary.examples.github.GithubReplay.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Secrets;
import dev.tributary.TableRead;
import dev.tributary.http.RedactingLoggingInterceptor;
import dev.tributary.http.RetryInterceptor;
import dev.tributary.http.SourceAuthenticationException;
import dev.tributary.http.SourceRejectedException;
import dev.tributary.testing.FakeFivetran;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connector against {@link GithubReplay} on loopback, driven as Fivetran drives it, with
 * pages of {@value #PAGE_SIZE} issues so the replay's tie of 12 issues on one {@code updated_at}
 * spans GitHub pages. Every log line (engine, requests, retries) is collected to check for the
 * token.
 */
class GithubIssuesConnectorTest {
  static final int PAGE_SIZE = 5;
  static final String TIE = "2024-03-05T09:15:42Z";

  final List<String> log = new CopyOnWriteArrayList<>();
  final GithubIssuesConnector connector = new GithubIssuesConnector(
      RetryInterceptor.builder().logSink(log::add).rateLimitMargin(Duration.ofMillis(200)).build(),
      RedactingLoggingInterceptor.to(log::add));
  GithubReplay replay;

  @BeforeEach
  void start() throws IOException {
    replay = GithubReplay.start();
  }

  @AfterEach
  void stop() throws IOException {
    replay.close();
  }

  FakeFivetran fivetran(Map<String, Object> secrets) {
    EngineConfig config = EngineConfig.builder().pageSize(PAGE_SIZE).logSink(log::add).build();
    return new FakeFivetran(new FunctionHandler(connector, config), Clock.systemUTC(),
        Duration.ofMinutes(1), config.maxResponseBytes()).secrets(secrets);
  }

  @Test
  void aFullSyncEqualsTheReplayData() {
    FakeFivetran ft = fivetran(replay.secrets());
    ft.sync();
    assertDestinationEqualsReplay(ft);
    assertTrue(ft.deliveries("issues").values().stream().allMatch(n -> n == 1),
        "each issue delivered once: " + ft.deliveries("issues"));
    JsonNode pr = ft.rowsById("issues").values().stream()
        .filter(r -> r.get("is_pull_request").asBoolean()).findFirst().orElseThrow();
    assertTrue(pr.get("html_url").asText().contains("/pull/"), pr.toString());
  }

  @Test
  void aTieLargerThanPerPageIsNeitherLostNorRepeated() {
    Set<Long> tie = replay.issues().stream()
        .filter(i -> i.get("updated_at").asText().equals(TIE))
        .map(i -> i.get("id").asLong()).collect(Collectors.toCollection(TreeSet::new));
    assertTrue(tie.size() > PAGE_SIZE, "the replay's tie spans GitHub pages: " + tie.size());

    FakeFivetran ft = fivetran(replay.secrets());
    ft.sync();
    assertTrue(ft.rowsById("issues").keySet().containsAll(tie), "every issue of the tie");
    for (long id : tie) {
      assertEquals(1, ft.deliveries("issues").get(id + "|"), "issue " + id + " delivered once");
    }
    assertTrue(replay.issueRequests().stream().anyMatch(u -> TIE.equals(u.queryParameter("since"))
        && u.queryParameter("page") != null), "a Link was followed inside the tie: "
        + replay.issueRequests());
  }

  @Test
  void aSecondSyncGetsExactlyTheIssuesNewInTheLastSyncedSecond() {
    FakeFivetran ft = fivetran(replay.secrets());
    ft.sync();
    String lastSecond = replay.issues().get(replay.issues().size() - 1).get("updated_at").asText();
    replay.add("new-issues.json");
    List<Long> fresh = GithubReplay.load("new-issues.json").stream()
        .peek(i -> assertEquals(lastSecond, i.get("updated_at").asText()))
        .map(i -> i.get("id").asLong()).toList();

    int before = ft.calls().size();
    int requestsBefore = replay.issueRequests().size();
    ft.sync();
    List<Long> delivered = new ArrayList<>();
    for (FakeFivetran.Call c : ft.calls().subList(before, ft.calls().size())) {
      c.body().path("insert").path("issues").forEach(r -> delivered.add(r.get("id").asLong()));
    }
    assertEquals(fresh, delivered);
    assertDestinationEqualsReplay(ft);
    assertEquals(lastSecond, replay.issueRequests().get(requestsBefore).queryParameter("since"));
  }

  @Test
  void aRateLimitIsWaitedOutUntilItsReset() {
    replay.rateLimitOnce(3);
    FakeFivetran ft = fivetran(replay.secrets());
    long start = System.nanoTime();
    ft.sync();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(1, replay.rateLimitedResponses());
    assertTrue(took.compareTo(Duration.ofMillis(1000)) >= 0, "waited for the reset: " + took);
    assertTrue(ft.calls().stream().allMatch(FakeFivetran.Call::accepted), "no call failed");
    assertDestinationEqualsReplay(ft);
    assertTrue(log.stream().anyMatch(l -> l.contains("\"reason\":\"rate-limit-reset\"")
        && l.contains("\"status\":403")), String.join("\n", log));
    assertNoTokenIn(String.join("\n", log) + ft.allBodies());
  }

  @Test
  void aRejectedTokenFailsTheCallNamingTheSecretWithoutEchoingIt() {
    String wrong = "ghp_Wr0ngT0kenThatMustNeverBeLoggedEither";
    Map<String, Object> secrets = new HashMap<>(replay.secrets());
    secrets.put("token", wrong);
    FakeFivetran ft = fivetran(secrets);
    FakeFivetran.Call call = ft.call();
    assertFalse(call.accepted());
    String message = call.body().path("errorMessage").asText();
    assertTrue(message.contains("secrets.token") && message.contains("401"), message);
    String everything = String.join("\n", log) + ft.allBodies();
    assertFalse(everything.contains(wrong), everything);
  }

  @Test
  void setupTestNamesTheSecretToFix() {
    Map<String, Object> badToken = new HashMap<>(replay.secrets());
    badToken.put("token", "ghp_n0tTheRightOne000000000000000000");
    SourceAuthenticationException auth = assertThrows(SourceAuthenticationException.class,
        () -> connector.test(Secrets.of(badToken)));
    assertTrue(auth.getMessage().contains("secrets.token (HTTP 401)"), auth.getMessage());
    assertFalse(auth.getMessage().contains("ghp_"), auth.getMessage());

    Map<String, Object> badRepo = new HashMap<>(replay.secrets());
    badRepo.put("repo", "no-such-repo");
    SourceRejectedException missing = assertThrows(SourceRejectedException.class,
        () -> connector.test(Secrets.of(badRepo)));
    assertTrue(missing.getMessage().contains("secrets.owner/secrets.repo")
        && missing.getMessage().contains("404"), missing.getMessage());
    assertFalse(missing.getMessage().contains(TOKEN), missing.getMessage());

    FakeFivetran.Call ok = fivetran(replay.secrets()).call(Map.of("setup_test", true));
    assertTrue(ok.accepted(), ok.body().toString());
    FakeFivetran.Call failed = fivetran(badRepo).call(Map.of("setup_test", true));
    assertTrue(failed.body().path("errorMessage").asText().contains("GitHub has no repository "
        + GithubReplay.OWNER + "/no-such-repo (secrets.owner/secrets.repo)"),
        "declared configuration is named, not masked: " + failed.body());
    assertNoTokenIn(String.join("\n", log) + failed.body());
  }

  @Test
  void sinceIsThePositionTruncatedToTheSecond() throws IOException {
    Instant inSecond = Instant.parse("2024-03-05T09:15:42.999Z");
    connector.read(read(Optional.of(Position.of(inSecond, BigDecimal.ONE)), Optional.empty(), 100));
    assertEquals(TIE, replay.issueRequests().get(0).queryParameter("since"));
    HttpUrl url = replay.issueRequests().get(0);
    assertEquals("all", url.queryParameter("state"));
    assertEquals("updated", url.queryParameter("sort"));
    assertEquals("asc", url.queryParameter("direction"));
    assertEquals("100", url.queryParameter("per_page"));
  }

  @Test
  void aReadStopsAtTheFirstIssueAtOrPastUpTo() throws IOException {
    Instant upTo = Instant.parse(TIE);
    JsonNode beforeTie = replay.issues().stream()
        .filter(i -> Instant.parse(i.get("updated_at").asText()).isBefore(upTo))
        .reduce((a, b) -> b).orElseThrow();
    Position after = Position.of(Instant.parse(beforeTie.get("updated_at").asText()),
        new BigDecimal(beforeTie.get("id").asText()));
    Page page = connector.read(read(Optional.of(after), Optional.of(upTo), PAGE_SIZE));
    assertFalse(page.hasMore(), "the rest of the list belongs to the next sync");
    assertEquals(1, replay.issueRequests().size(), "no Link followed past the window");
  }

  private TableRead read(Optional<Position> after, Optional<Object> upTo, int pageSize) {
    return new TableRead(connector.schema().table("issues").orElseThrow(), after, upTo, pageSize,
        Optional.empty(), Secrets.of(replay.secrets()), Instant.now().plusSeconds(60));
  }

  private void assertDestinationEqualsReplay(FakeFivetran ft) {
    Map<Long, JsonNode> expected = new TreeMap<>();
    replay.issues().forEach(i -> expected.put(i.get("id").asLong(), i));
    Map<Long, JsonNode> actual = ft.rowsById("issues");
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((id, issue) -> {
      JsonNode row = actual.get(id);
      assertEquals(issue.get("number").asLong(), row.get("number").asLong(), "number of " + id);
      assertEquals(issue.get("title").asText(), row.get("title").asText(), "title of " + id);
      assertEquals(issue.get("state").asText(), row.get("state").asText(), "state of " + id);
      assertEquals(issue.get("user").get("login").asText(), row.get("user_login").asText());
      assertEquals(issue.get("body"), row.get("body"), "body of " + id);
      assertEquals(issue.get("closed_at"), row.get("closed_at"), "closed_at of " + id);
      assertEquals(Instant.parse(issue.get("updated_at").asText()),
          Instant.parse(row.get("updated_at").asText()), "updated_at of " + id);
      List<String> labels = new ArrayList<>();
      issue.get("labels").forEach(l -> labels.add(l.get("name").asText()));
      List<String> synced = new ArrayList<>();
      row.get("labels").forEach(l -> synced.add(l.asText()));
      assertEquals(labels, synced, "labels of " + id);
      assertEquals(issue.has("pull_request"), row.get("is_pull_request").asBoolean());
    });
  }

  private static void assertNoTokenIn(String text) {
    assertFalse(text.contains(TOKEN), "the token leaked");
  }
}
