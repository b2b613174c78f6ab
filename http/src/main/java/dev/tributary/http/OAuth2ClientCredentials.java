package dev.tributary.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * OAuth2 client-credentials authentication (RFC 6749 §4.4): fetches an access token from the
 * token endpoint with {@code client_id} and {@code client_secret} from the request's secrets,
 * caches it per client for the container's lifetime, fetches a new one {@link
 * Builder#refreshMargin} before it expires, and on a 401 fetches a new one once and sends the
 * request once more (a second 401 is returned as is; {@link ApiClient} turns it into a
 * {@link SourceAuthenticationException} naming both secrets).
 *
 * <p>The token endpoint's answers map to: 400/401/403 → {@link SourceAuthenticationException}
 * ({@code "token endpoint ... rejected the credentials in secrets.clientId and
 * secrets.clientSecret (HTTP 401)"}); 429/5xx → {@link SourceUnavailableException}; anything else,
 * or a body without {@code access_token} → {@link SourceRejectedException}. The endpoint's body
 * never appears in a message (it may echo the client id).
 *
 * <p>Thread-safe; tokens are cached in memory only, keyed by a hash of the credentials (several
 * connections may share a container), never written to state or logs.
 */
public final class OAuth2ClientCredentials implements Authentication {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpUrl tokenUrl;
  private final String clientIdSecret;
  private final String clientSecretSecret;
  private final String scope;
  private final Duration refreshMargin;
  private final Clock clock;
  private final OkHttpClient client;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  private OAuth2ClientCredentials(Builder b) {
    tokenUrl = b.tokenUrl;
    clientIdSecret = b.clientIdSecret;
    clientSecretSecret = b.clientSecretSecret;
    scope = b.scope;
    refreshMargin = b.refreshMargin;
    clock = b.clock;
    client = b.client != null ? b.client
        : Http.client().newBuilder().addInterceptor(RetryInterceptor.defaults()).build();
  }

  /**
   * @param tokenUrl the token endpoint
   * @param clientIdSecret the name of the secret holding the client id
   * @param clientSecretSecret the name of the secret holding the client secret
   */
  public static Builder builder(String tokenUrl, String clientIdSecret, String clientSecretSecret) {
    return new Builder(tokenUrl, clientIdSecret, clientSecretSecret);
  }

  private record Token(String value, Instant expiresAt) {
    @Override
    public String toString() {
      return "Token(expiresAt=" + expiresAt + ")";
    }
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Secrets secrets = Auth.secretsOf(request);
    String clientId = secrets.require(clientIdSecret);
    String clientSecret = secrets.require(clientSecretSecret);
    String key = cacheKey(clientId, clientSecret);
    Token token = valid(key, request, clientId, clientSecret, null);
    Response response = chain.proceed(withToken(request, token));
    if (response.code() != 401) {
      return response;
    }
    response.close();
    // The token may have been revoked or rotated early: one fresh token, one more try.
    token = valid(key, request, clientId, clientSecret, token);
    return chain.proceed(withToken(request, token));
  }

  private static Request withToken(Request request, Token token) {
    return request.newBuilder().header("Authorization", "Bearer " + token.value()).build();
  }

  /** The cached token if still fresh (and not {@code rejected}), else a newly fetched one. */
  private Token valid(String key, Request request, String clientId, String clientSecret,
      Token rejected) throws IOException {
    Token t = tokens.get(key);
    if (fresh(t) && t != rejected) {
      return t;
    }
    synchronized (this) {
      t = tokens.get(key);
      if (fresh(t) && t != rejected) {
        return t; // another thread refreshed it meanwhile
      }
      t = fetch(request, clientId, clientSecret);
      tokens.put(key, t);
      return t;
    }
  }

  private boolean fresh(Token t) {
    return t != null
        && (t.expiresAt() == null || clock.instant().isBefore(t.expiresAt().minus(refreshMargin)));
  }

  private Token fetch(Request original, String clientId, String clientSecret) throws IOException {
    FormBody.Builder form = new FormBody.Builder()
        .add("grant_type", "client_credentials")
        .add("client_id", clientId)
        .add("client_secret", clientSecret);
    if (scope != null) {
      form.add("scope", scope);
    }
    Request.Builder rb = new Request.Builder().url(tokenUrl).post(form.build())
        .header("Accept", "application/json")
        .tag(Secrets.class, Describe.secrets(original))
        // Asking for a token changes nothing at the source: safe to send again.
        .tag(RetrySafe.class, RetrySafe.YES);
    Deadline deadline = original.tag(Deadline.class);
    if (deadline != null) {
      rb.tag(Deadline.class, deadline);
    }
    Request tokenRequest = rb.build();
    Instant asked = clock.instant();
    String where = "token endpoint " + Describe.request(tokenRequest);
    try (Response r = client.newCall(tokenRequest).execute()) {
      int status = r.code();
      if (status == 400 || status == 401 || status == 403) {
        throw new SourceAuthenticationException(where + " rejected the credentials in "
            + String.join(" and ", secretNames()) + " (HTTP " + status + ")", status);
      }
      if (status == 429 || status >= 500) {
        throw new SourceUnavailableException(where + " answered HTTP " + status
            + "; Fivetran retries the call from the last accepted state", status, null);
      }
      if (status != 200) {
        throw new SourceRejectedException(where + " answered HTTP " + status, status);
      }
      ResponseBody body = r.body();
      JsonNode json;
      try {
        json = JSON.readTree(body == null ? "" : body.string());
      } catch (IOException e) {
        throw new SourceRejectedException(where + " answered with a body that is not JSON", status);
      }
      String value = json == null ? "" : json.path("access_token").asText("");
      if (value.isEmpty()) {
        throw new SourceRejectedException(where + " answered without an access_token", status);
      }
      JsonNode expiresIn = json.path("expires_in");
      Instant expiresAt = expiresIn.canConvertToLong() || expiresIn.isTextual()
          ? parseExpiry(asked, expiresIn.asText()) : null;
      return new Token(value, expiresAt);
    } catch (SourceHttpException e) {
      throw e;
    } catch (IOException e) {
      throw new SourceUnavailableException(where + " failed: " + Describe.error(e)
          + "; Fivetran retries the call from the last accepted state", 0, e);
    }
  }

  /** Expiry measured from when the token was asked for, so a slow answer errs early. */
  private static Instant parseExpiry(Instant asked, String seconds) {
    try {
      return asked.plusSeconds(Long.parseLong(seconds.trim()));
    } catch (NumberFormatException e) {
      return null; // no usable expiry: used until the source answers 401
    }
  }

  private static String cacheKey(String clientId, String clientSecret) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(clientId.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(clientSecret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<String> secretNames() {
    return List.of(Auth.qualified(clientIdSecret), Auth.qualified(clientSecretSecret));
  }

  @Override
  public String toString() {
    return "Auth.oauth2ClientCredentials(" + tokenUrl.host() + tokenUrl.encodedPath() + ", "
        + secretNames() + ")";
  }

  /** Configures {@link OAuth2ClientCredentials}. */
  public static final class Builder {
    private final HttpUrl tokenUrl;
    private final String clientIdSecret;
    private final String clientSecretSecret;
    private String scope;
    private Duration refreshMargin = Duration.ofSeconds(60);
    private Clock clock = Clock.systemUTC();
    private OkHttpClient client;

    private Builder(String tokenUrl, String clientIdSecret, String clientSecretSecret) {
      this.tokenUrl = HttpUrl.get(Objects.requireNonNull(tokenUrl, "tokenUrl"));
      this.clientIdSecret = Objects.requireNonNull(clientIdSecret, "clientIdSecret");
      this.clientSecretSecret = Objects.requireNonNull(clientSecretSecret, "clientSecretSecret");
    }

    /** The {@code scope} to ask for; none by default. */
    public Builder scope(String scope) {
      this.scope = scope;
      return this;
    }

    /** How long before its expiry a cached token is replaced; default 60 s. */
    public Builder refreshMargin(Duration margin) {
      if (margin.isNegative()) {
        throw new IllegalArgumentException("refreshMargin < 0: " + margin);
      }
      this.refreshMargin = margin;
      return this;
    }

    /** The clock token expiry is measured with; default UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The client the token endpoint is called with; default {@link Http#client()} with the
     * default {@link RetryInterceptor}. Must not carry this interceptor.
     */
    public Builder client(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    public OAuth2ClientCredentials build() {
      return new OAuth2ClientCredentials(this);
    }
  }
}
