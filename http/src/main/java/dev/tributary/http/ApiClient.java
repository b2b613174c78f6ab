package dev.tributary.http;

import dev.tributary.Secrets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A source's REST API as a connector calls it: a client derived from the container's shared one
 * with retries, authentication and redacted logging, whose {@link #execute} answers with a
 * successful response or throws a {@link SourceHttpException} chosen by what the engine should do:
 *
 * <table>
 *   <caption>status → exception</caption>
 *   <tr><td>2xx, 3xx</td><td>returned</td></tr>
 *   <tr><td>401, 403</td><td>{@link SourceAuthenticationException} naming the secrets of
 *       {@link Builder#auth}: "source rejected the credentials in secrets.apiToken (HTTP 401)"</td></tr>
 *   <tr><td>429, 5xx, timeouts, resets</td><td>{@link SourceUnavailableException} (once the
 *       {@link RetryInterceptor} has given up)</td></tr>
 *   <tr><td>other 4xx</td><td>{@link SourceRejectedException}</td></tr>
 * </table>
 *
 * <p>Interceptor order: retry (outermost), authentication, logging, then the ones passed to
 * {@link Builder#addInterceptor}. So every attempt is logged and re-authenticated (an OAuth2
 * token refreshed during the retries is used by the next attempt).
 *
 * <p>Immutable and thread-safe; build one per container, in a field of the connector.
 */
public final class ApiClient {
  /** Reads a successful response (the client closes it afterwards). */
  @FunctionalInterface
  public interface ResponseReader<T> {
    T read(Response response) throws IOException;
  }

  private static final int MAX_EXCERPT = 200;
  /** How much of an error body is redacted to give the excerpt: far more than any secret. */
  private static final int REDACTED_WINDOW = 16 * 1024;

  private final OkHttpClient client;
  private final Authentication auth;

  private ApiClient(Builder b) {
    OkHttpClient.Builder cb = b.base.newBuilder();
    if (b.retry != null) {
      cb.addInterceptor(b.retry);
    }
    if (b.auth != null) {
      cb.addInterceptor(b.auth);
    }
    if (b.logging != null) {
      cb.addInterceptor(b.logging);
    }
    b.extra.forEach(cb::addInterceptor);
    this.client = cb.build();
    this.auth = b.auth;
  }

  /** A builder deriving from {@link Http#client()}. */
  public static Builder builder() {
    return builder(Http.client());
  }

  /** A builder deriving from {@code base} (its pool, dispatcher and timeouts are shared). */
  public static Builder builder(OkHttpClient base) {
    return new Builder(base);
  }

  /** The derived client, for calls {@link #execute} does not fit (streaming, async). */
  public OkHttpClient client() {
    return client;
  }

  /**
   * Sends {@code request} and returns a 2xx or 3xx response, which the caller must close
   * (try-with-resources); any other outcome closes the response and throws.
   *
   * @throws SourceAuthenticationException on 401 or 403
   * @throws SourceRejectedException on any other 4xx but 429
   * @throws SourceUnavailableException on 429, 5xx or a failed exchange
   */
  public Response execute(Request request) throws IOException {
    Response response;
    try {
      response = client.newCall(request).execute();
    } catch (SourceHttpException e) {
      throw e;
    } catch (IOException e) {
      throw new SourceUnavailableException(Describe.secrets(request).redact(
          Describe.request(request) + " failed: " + Describe.error(e)
              + "; Fivetran retries the call from the last accepted state"), 0, e);
    }
    int status = response.code();
    if (status < 400) {
      return response;
    }
    try (response) {
      throw failure(request, response);
    }
  }

  /** Sends {@code request}, reads the successful response with {@code reader} and closes it. */
  public <T> T execute(Request request, ResponseReader<T> reader) throws IOException {
    try (Response response = execute(request)) {
      return reader.read(response);
    }
  }

  private SourceHttpException failure(Request request, Response response) {
    int status = response.code();
    String what = Describe.request(request);
    if (status == 401 || status == 403) {
      String creds = auth == null ? "the request's credentials"
          : "the credentials in " + String.join(" and ", auth.secretNames());
      return new SourceAuthenticationException((status == 401
          ? "source rejected " + creds + " (HTTP 401) for " + what
          : "source refused " + what + " with " + creds + " (HTTP 403); check their permissions"),
          status);
    }
    if (status == 429 || status >= 500) {
      return new SourceUnavailableException(what + ": HTTP " + status
          + "; Fivetran retries the call from the last accepted state", status, null);
    }
    String excerpt = excerpt(response, Describe.secrets(request));
    return new SourceRejectedException(Describe.secrets(request).redact(
        "source rejected " + what + " (HTTP " + status + ")"
            + (excerpt.isEmpty() ? "" : ": " + excerpt)), status);
  }

  /**
   * The start of an error body, which usually says which parameter is wrong. Redacted before it
   * is cut and its whitespace collapsed: either would otherwise leave a secret the pattern no
   * longer finds (half of one, or a PEM key with its line breaks turned into spaces).
   */
  private static String excerpt(Response response, Secrets secrets) {
    ResponseBody body = response.body();
    if (body == null) {
      return "";
    }
    try {
      okio.BufferedSource src = body.source();
      src.request(REDACTED_WINDOW);
      long n = Math.min(REDACTED_WINDOW, src.getBuffer().size());
      String text = secrets.redact(src.readUtf8(n)).replaceAll("\\s+", " ").trim();
      return text.length() <= MAX_EXCERPT ? text : text.substring(0, MAX_EXCERPT);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "ApiClient(" + (auth == null ? "no auth" : auth) + ")";
  }

  /** Configures an {@link ApiClient}. */
  public static final class Builder {
    private final OkHttpClient base;
    private RetryInterceptor retry = RetryInterceptor.defaults();
    private Authentication auth;
    private Interceptor logging = RedactingLoggingInterceptor.toStdout();
    private final List<Interceptor> extra = new ArrayList<>();

    private Builder(OkHttpClient base) {
      this.base = Objects.requireNonNull(base, "base");
    }

    /** How to retry; default {@link RetryInterceptor#defaults()}; null for no retries. */
    public Builder retry(RetryInterceptor retry) {
      this.retry = retry;
      return this;
    }

    /** How to authenticate (see {@link Auth}); none by default. */
    public Builder auth(Authentication auth) {
      this.auth = auth;
      return this;
    }

    /** The request log; default {@link RedactingLoggingInterceptor#toStdout()}; null for none. */
    public Builder logging(RedactingLoggingInterceptor logging) {
      this.logging = logging;
      return this;
    }

    /** Another interceptor, run after the built-in ones (e.g. fixed headers). */
    public Builder addInterceptor(Interceptor interceptor) {
      extra.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    public ApiClient build() {
      return new ApiClient(this);
    }
  }
}
