package dev.tributary.examples.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.MissingSecretException;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.http.ApiClient;
import dev.tributary.http.Auth;
import dev.tributary.http.Http;
import dev.tributary.http.Pager;
import dev.tributary.http.RedactingLoggingInterceptor;
import dev.tributary.http.RetryInterceptor;
import dev.tributary.http.SourceAuthenticationException;
import dev.tributary.http.SourceRejectedException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The issues of one GitHub repository, from {@code GET /repos/{owner}/{repo}/issues}.
 *
 * <p>Secrets: {@code token} (a personal access or GitHub App token, sent as a bearer token),
 * {@code owner} and {@code repo}, and optionally {@code api_url} (default
 * {@value #DEFAULT_API_URL}; {@code https://HOST/api/v3} for GitHub Enterprise Server). Fivetran
 * passes all configuration in {@code secrets}; owner, repository and API URL are declared plain
 * configuration ({@link #notSecretKeys()}), so messages and log lines name them and the runner
 * expects them in rows ({@code html_url}); only the token is masked.
 *
 * <p>One table, {@code issues}, incremental on {@code (updated_at, id)}. GitHub's list is sorted
 * by {@code updated_at} and filtered by {@code since}, which is inclusive, has second precision and
 * has no {@code after_id}: each read asks {@code since=} the position's cursor (truncated down to
 * the second), and the engine drops the rows it returns at or before the position. GitHub's
 * {@code Link} pages are page numbers: an issue updated while they are followed moves to the end
 * and shifts the others down a page, so a read follows them only through rows at or before its
 * position (a tie on {@code updated_at} larger than {@code per_page}) and otherwise ends, and the
 * next read starts a fresh, filtered request. Ties are assumed to come in ascending {@code id}
 * order; the engine's order check fails the call rather than lose rows if they do not.
 *
 * <p>Pull requests are issues to this API; they are kept, with {@code is_pull_request} true (their
 * review data is in the pulls API). Rate limits ({@code 403} or {@code 429} with
 * {@code X-RateLimit-Remaining: 0}) are waited out until {@code X-RateLimit-Reset} when that fits
 * before the call's deadline; otherwise the call fails and Fivetran retries it later from the last
 * accepted state.
 */
public final class GithubIssuesConnector implements Connector {
  /** The API of github.com. */
  public static final String DEFAULT_API_URL = "https://api.github.com";
  /** GitHub's largest {@code per_page}. */
  static final int MAX_PER_PAGE = 100;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Table ISSUES = Table.incremental("issues").primaryKey("id")
      .cursor("updated_at").tiebreaker("id", ValueType.NUMBER);

  private final ApiClient api;
  private final Pager pager = Pager.builder().maxRequestsPerRead(1).build();

  public GithubIssuesConnector() {
    this(RetryInterceptor.defaults(), RedactingLoggingInterceptor.toStdout());
  }

  GithubIssuesConnector(RetryInterceptor retry, RedactingLoggingInterceptor logging) {
    this.api = ApiClient.builder(Http.client()).retry(retry).logging(logging)
        .auth(Auth.bearer("token"))
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("User-Agent", "tributary-example-github-issues")
            .build()))
        .build();
  }

  @Override
  public Schema schema() {
    return Schema.of(ISSUES);
  }

  /** Owner, repository and API URL name what is synced; only the token is a secret. */
  @Override
  public Set<String> notSecretKeys() {
    return Set.of("owner", "repo", "api_url");
  }

  @Override
  public Page read(TableRead read) throws IOException {
    HttpUrl.Builder url = repository(read.secrets()).addPathSegment("issues")
        .addQueryParameter("state", "all")
        .addQueryParameter("sort", "updated")
        .addQueryParameter("direction", "asc")
        .addQueryParameter("per_page", String.valueOf(Math.min(read.pageSize(), MAX_PER_PAGE)));
    // Rounding up could skip issues updated within the position's second.
    read.after().ifPresent(p -> url.addQueryParameter("since",
        p.cursorInstant().truncatedTo(ChronoUnit.SECONDS).toString()));
    Request first = Http.request(read).url(url.build()).build();
    // The pager ends the read at the first issue at or past read.upTo() (the next sync's).
    return pager.links(read, api, first, GithubIssuesConnector::issues);
  }

  /** Checks that {@code token} can read the repository {@code owner}/{@code repo}. */
  @Override
  public void test(Secrets secrets) throws IOException {
    Request request = Http.request(secrets, Instant.now().plus(Duration.ofSeconds(30)))
        .url(repository(secrets).build()).build();
    try (Response ignored = api.execute(request)) {
      // readable
    } catch (SourceAuthenticationException e) {
      throw new SourceAuthenticationException(e.status() == 401
          ? "GitHub rejected secrets.token (HTTP 401): it is invalid, expired or revoked"
          : "GitHub refused secrets.token access to the repository in secrets.owner and"
              + " secrets.repo (HTTP 403): give the token read access to its issues", e.status());
    } catch (SourceRejectedException e) {
      if (e.status() != 404) {
        throw e;
      }
      // Owner and repository are configuration, not secrets: the message can name them.
      throw new SourceRejectedException("GitHub has no repository " + secrets.require("owner")
          + "/" + secrets.require("repo") + " (secrets.owner/secrets.repo) that secrets.token"
          + " can see (HTTP 404): check the owner and repository names, and that the token has"
          + " access to the repository if it is private", 404);
    }
  }

  private static HttpUrl.Builder repository(Secrets secrets) {
    String base = secrets.get("api_url").filter(s -> !s.isBlank()).orElse(DEFAULT_API_URL);
    HttpUrl url = HttpUrl.parse(base);
    if (url == null) {
      throw new MissingSecretException("secret secrets.api_url is not an http(s) URL; leave it"
          + " out for github.com");
    }
    return url.newBuilder().addPathSegment("repos")
        .addPathSegment(secrets.require("owner"))
        .addPathSegment(secrets.require("repo"));
  }

  private static List<Row> issues(Response response) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (JsonNode issue : JSON.readTree(response.body().byteStream())) {
      rows.add(Row.builder()
          .set("id", issue.path("id").asLong())
          .set("number", issue.path("number").asLong())
          .set("title", text(issue.path("title")))
          .set("state", text(issue.path("state")))
          .set("user_login", text(issue.path("user").path("login")))
          .set("labels", names(issue.path("labels"), "name"))
          .set("assignees", names(issue.path("assignees"), "login"))
          .set("comments", issue.path("comments").asLong())
          .set("created_at", text(issue.path("created_at")))
          .set("updated_at", text(issue.path("updated_at")))
          .set("closed_at", text(issue.path("closed_at")))
          .set("body", text(issue.path("body")))
          .set("html_url", text(issue.path("html_url")))
          .set("is_pull_request", issue.has("pull_request"))
          .build());
    }
    return rows;
  }

  private static String text(JsonNode node) {
    return node.isNull() || node.isMissingNode() ? null : node.asText();
  }

  private static List<String> names(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(item -> out.add(item.path(field).asText()));
    return out;
  }
}
