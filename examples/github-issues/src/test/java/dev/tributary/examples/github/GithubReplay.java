package dev.tributary.examples.github;

import dev.tributary.http.NoDelayServerSockets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A local stand-in for api.github.com that replays recorded JSON from {@code replay/}: the
 * repository, and its issues listed as GitHub lists them — {@code state=all&sort=updated&
 * direction=asc}, {@code since} inclusive, {@code per_page} (default 30, at most 100) and
 * {@code page}, with {@code Link: rel="next"} and {@code rel="last"} headers. Issues that share an
 * {@code updated_at} come in {@code id} order. Anything but {@code Bearer} {@link #TOKEN} is a 401,
 * another repository a 404, and {@link #rateLimitOnce} makes one issues request a primary rate
 * limit (403, {@code X-RateLimit-Remaining: 0}, a reset 1–2 s ahead).
 */
final class GithubReplay implements AutoCloseable {
  static final String TOKEN = "ghp_R3playT0kenThatMustNeverBeLogged42";
  static final String OWNER = "tributary-dev";
  static final String REPO = "hello-world";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Comparator<JsonNode> GITHUB_ORDER = Comparator
      .<JsonNode, Instant>comparing(i -> Instant.parse(i.get("updated_at").asText()))
      .thenComparingLong(i -> i.get("id").asLong());

  private final MockWebServer server = NoDelayServerSockets.server();
  private final List<JsonNode> issues = new CopyOnWriteArrayList<>();
  private final List<HttpUrl> issueRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger rateLimitAt = new AtomicInteger(-1);
  private final AtomicInteger rateLimited = new AtomicInteger();

  private GithubReplay() {}

  static GithubReplay start() throws IOException {
    GithubReplay replay = new GithubReplay();
    replay.add("issues.json");
    replay.server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return replay.answer(request);
      }
    });
    replay.server.start();
    return replay;
  }

  /** The issues of a replay file. */
  static List<JsonNode> load(String resource) {
    List<JsonNode> out = new ArrayList<>();
    resource(resource).forEach(out::add);
    return out;
  }

  private static JsonNode resource(String name) {
    try (InputStream in = GithubReplay.class.getResourceAsStream("/replay/" + name)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds the issues of a replay file, as if created or updated on GitHub. */
  void add(String resource) {
    issues.addAll(load(resource));
  }

  /** The replayed issues in GitHub's order. */
  List<JsonNode> issues() {
    return issues.stream().sorted(GITHUB_ORDER).toList();
  }

  /** Makes the {@code n}th issues request from now (1 = the next) a rate-limited 403, once. */
  void rateLimitOnce(int n) {
    rateLimitAt.set(issueRequests.size() + n);
  }

  int rateLimitedResponses() {
    return rateLimited.get();
  }

  List<HttpUrl> issueRequests() {
    return issueRequests;
  }

  String apiUrl() {
    return server.url("/").toString();
  }

  Map<String, Object> secrets() {
    return Map.of("token", TOKEN, "owner", OWNER, "repo", REPO, "api_url", apiUrl());
  }

  private MockResponse answer(RecordedRequest request) {
    HttpUrl url = request.getRequestUrl();
    if (!("Bearer " + TOKEN).equals(request.getHeader("Authorization"))) {
      return json(401, Map.of("message", "Bad credentials",
          "documentation_url", "https://docs.github.com/rest"));
    }
    List<String> path = url.pathSegments();
    boolean repo = path.size() >= 3 && path.get(0).equals("repos") && path.get(1).equals(OWNER)
        && path.get(2).equals(REPO);
    if (repo && path.size() == 3) {
      return json(200, resource("repo.json"));
    }
    if (!repo || path.size() != 4 || !path.get(3).equals("issues")) {
      return json(404, Map.of("message", "Not Found",
          "documentation_url", "https://docs.github.com/rest"));
    }
    issueRequests.add(url);
    if (issueRequests.size() == rateLimitAt.get()) {
      rateLimited.incrementAndGet();
      long reset = Instant.now().getEpochSecond() + 2;
      return json(403, Map.of("message", "API rate limit exceeded for user ID 583231.",
          "documentation_url", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"))
          .setHeader("X-RateLimit-Limit", "5000")
          .setHeader("X-RateLimit-Remaining", "0")
          .setHeader("X-RateLimit-Used", "5000")
          .setHeader("X-RateLimit-Reset", String.valueOf(reset));
    }
    return issues(url);
  }

  private MockResponse issues(HttpUrl url) {
    String since = url.queryParameter("since");
    Instant from = since == null ? Instant.MIN : Instant.parse(since);
    int perPage = Math.max(1, Math.min(100, intParam(url, "per_page", 30)));
    int page = Math.max(1, intParam(url, "page", 1));
    List<JsonNode> matching = issues().stream()
        .filter(i -> !Instant.parse(i.get("updated_at").asText()).isBefore(from)).toList();
    int start = Math.min(matching.size(), (page - 1) * perPage);
    int end = Math.min(matching.size(), start + perPage);
    MockResponse response = json(200, matching.subList(start, end))
        .setHeader("X-RateLimit-Limit", "5000")
        .setHeader("X-RateLimit-Remaining", "4999");
    int last = Math.max(1, (matching.size() + perPage - 1) / perPage);
    if (page < last) {
      response.setHeader("Link", "<" + withPage(url, page + 1) + ">; rel=\"next\", <"
          + withPage(url, last) + ">; rel=\"last\"");
    }
    return response;
  }

  private static String withPage(HttpUrl url, int page) {
    return url.newBuilder().setQueryParameter("page", String.valueOf(page)).build().toString();
  }

  private static int intParam(HttpUrl url, String name, int otherwise) {
    String v = url.queryParameter(name);
    return v == null ? otherwise : Integer.parseInt(v);
  }

  private static MockResponse json(int status, Object body) {
    try {
      return new MockResponse().setResponseCode(status)
          .setHeader("Content-Type", "application/json; charset=utf-8")
          .setBody(JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.shutdown();
  }
}
