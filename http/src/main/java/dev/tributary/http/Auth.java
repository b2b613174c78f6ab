package dev.tributary.http;

import dev.tributary.Secrets;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import okhttp3.Credentials;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Authentication interceptors, each naming the secrets it reads (never holding their values):
 *
 * <pre>{@code
 * Auth.bearer("apiToken")                      // Authorization: Bearer <secrets.apiToken>
 * Auth.apiKeyHeader("X-Api-Key", "apiKey")     // X-Api-Key: <secrets.apiKey>
 * Auth.apiKeyQuery("api_key", "apiKey")        // ?api_key=<secrets.apiKey>
 * Auth.basic("user", "password")               // Authorization: Basic ...
 * Auth.oauth2ClientCredentials("https://auth.example.com/oauth/token", "clientId", "clientSecret")
 * }</pre>
 */
public final class Auth {
  private Auth() {}

  /** {@code Authorization: Bearer <token>} from the secret {@code tokenSecret}. */
  public static Authentication bearer(String tokenSecret) {
    return new HeaderAuth("bearer", List.of(tokenSecret),
        s -> "Bearer " + s.require(tokenSecret), "Authorization");
  }

  /** An API key sent in the header {@code header}, from the secret {@code keySecret}. */
  public static Authentication apiKeyHeader(String header, String keySecret) {
    Objects.requireNonNull(header, "header");
    return new HeaderAuth("apiKeyHeader(" + header + ")", List.of(keySecret),
        s -> s.require(keySecret), header);
  }

  /**
   * An API key sent as the query parameter {@code parameter}, from the secret {@code keySecret}.
   * Prefer a header where the source allows it: URLs end up in proxies' logs. Tributary's own log
   * lines and messages never include the query.
   */
  public static Authentication apiKeyQuery(String parameter, String keySecret) {
    Objects.requireNonNull(parameter, "parameter");
    Objects.requireNonNull(keySecret, "keySecret");
    return new Authentication() {
      @Override
      public Response intercept(Chain chain) throws IOException {
        Request r = chain.request();
        String key = secretsOf(r).require(keySecret);
        return chain.proceed(r.newBuilder()
            .url(r.url().newBuilder().setQueryParameter(parameter, key).build()).build());
      }

      @Override
      public List<String> secretNames() {
        return List.of(qualified(keySecret));
      }

      @Override
      public String toString() {
        return "Auth.apiKeyQuery(" + parameter + ", " + qualified(keySecret) + ")";
      }
    };
  }

  /** HTTP basic authentication from the secrets {@code userSecret} and {@code passwordSecret}. */
  public static Authentication basic(String userSecret, String passwordSecret) {
    return new HeaderAuth("basic", List.of(userSecret, passwordSecret),
        s -> Credentials.basic(s.require(userSecret), s.get(passwordSecret).orElse("")),
        "Authorization");
  }

  /**
   * OAuth2 client credentials with the defaults of {@link OAuth2ClientCredentials.Builder}; use
   * {@link OAuth2ClientCredentials#builder} for a scope, a token client or a refresh margin.
   */
  public static OAuth2ClientCredentials oauth2ClientCredentials(String tokenUrl,
      String clientIdSecret, String clientSecretSecret) {
    return OAuth2ClientCredentials.builder(tokenUrl, clientIdSecret, clientSecretSecret).build();
  }

  static Secrets secretsOf(Request request) {
    Secrets s = request.tag(Secrets.class);
    if (s == null) {
      throw new IllegalStateException("request to " + Describe.request(request) + " has no Secrets"
          + " tag for authentication: build it with Http.request(read)");
    }
    return s;
  }

  static String qualified(String secret) {
    return "secrets." + Objects.requireNonNull(secret, "secret name");
  }

  private interface Value {
    String from(Secrets secrets);
  }

  private static final class HeaderAuth implements Authentication {
    private final String kind;
    private final List<String> secrets;
    private final Value value;
    private final String header;

    HeaderAuth(String kind, List<String> secrets, Value value, String header) {
      secrets.forEach(Auth::qualified);
      this.kind = kind;
      this.secrets = List.copyOf(secrets);
      this.value = value;
      this.header = header;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
      Request r = chain.request();
      return chain.proceed(r.newBuilder().header(header, value.from(secretsOf(r))).build());
    }

    @Override
    public List<String> secretNames() {
      return secrets.stream().map(Auth::qualified).toList();
    }

    @Override
    public String toString() {
      return "Auth." + kind + secretNames();
    }
  }
}
