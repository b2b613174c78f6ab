package dev.tributary.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.MissingSecretException;
import dev.tributary.Secrets;
import dev.tributary.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthTest {
  private static final String API_TOKEN = "tok-9f8e7d6c5b4a";
  private static final String CLIENT_ID = "client-4711-id";
  private static final String CLIENT_SECRET = "cs-very-secret-0042";
  private static final List<String> SECRET_VALUES = List.of(API_TOKEN, CLIENT_ID, CLIENT_SECRET,
      "access-1", "access-2", "access-3");

  private final MockWebServer server = NoDelayServerSockets.server();
  private final FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final FakeSleeper sleeper = new FakeSleeper(clock);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Secrets secrets = Secrets.of(Map.of("apiToken", API_TOKEN, "clientId", CLIENT_ID,
      "clientSecret", CLIENT_SECRET, "user", "alice-user", "password", "pw-alice-1234"));

  /** Token endpoint and API: tokens access-1, access-2, …; the API accepts only `valid`. */
  private int tokensIssued;
  private final List<String> validTokens = new ArrayList<>();
  private int expiresIn = 3600;
  private int tokenStatus = 200;

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        if (r.getPath().startsWith("/oauth/token")) {
          if (tokenStatus != 200) {
            return new MockResponse().setResponseCode(tokenStatus)
                .setBody("{\"error\":\"invalid_client\",\"client_id\":\"" + CLIENT_ID + "\"}");
          }
          String body = r.getBody().readUtf8();
          if (!body.contains("grant_type=client_credentials") || !body.contains(CLIENT_ID)
              || !body.contains(CLIENT_SECRET)) {
            return new MockResponse().setResponseCode(401);
          }
          String token = "access-" + (++tokensIssued);
          return new MockResponse().setBody("{\"access_token\":\"" + token
              + "\",\"token_type\":\"bearer\",\"expires_in\":" + expiresIn + "}");
        }
        String auth = r.getHeader("Authorization");
        if (auth != null && auth.startsWith("Bearer access-")
            && validTokens.contains(auth.substring(7))) {
          return new MockResponse().setBody("[]");
        }
        return new MockResponse().setResponseCode(401).setBody("bad token " + auth);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
    for (String line : log) {
      for (String secret : SECRET_VALUES) {
        assertFalse(line.contains(secret), "secret in log line: " + line);
      }
    }
  }

  private OAuth2ClientCredentials oauth() {
    return OAuth2ClientCredentials.builder(server.url("/oauth/token").toString(), "clientId",
            "clientSecret")
        .clock(clock).refreshMargin(Duration.ofSeconds(60))
        .client(Http.client().newBuilder().addInterceptor(RedactingLoggingInterceptor.to(log::add))
            .build())
        .build();
  }

  private ApiClient api(Authentication auth) {
    return ApiClient.builder(Http.client()).auth(auth)
        .retry(RetryInterceptor.builder().clock(clock).sleeper(sleeper).logSink(log::add).build())
        .logging(RedactingLoggingInterceptor.to(log::add)).build();
  }

  private Request get() {
    return Http.request(secrets, clock.instant().plusSeconds(60)).url(server.url("/v1/items"))
        .build();
  }

  private void call(ApiClient api) throws IOException {
    api.execute(get(), r -> r.body().string());
  }

  private RecordedRequest recordedApiCall() throws InterruptedException {
    RecordedRequest r;
    do {
      r = server.takeRequest();
    } while (r.getPath().startsWith("/oauth"));
    return r;
  }

  @Test
  void bearerApiKeyAndBasicPutTheSecretWhereTheSourceExpectsIt() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        return new MockResponse().setBody("ok");
      }
    });
    call(api(Auth.bearer("apiToken")));
    assertEquals("Bearer " + API_TOKEN, server.takeRequest().getHeader("Authorization"));
    call(api(Auth.apiKeyHeader("X-Api-Key", "apiToken")));
    assertEquals(API_TOKEN, server.takeRequest().getHeader("X-Api-Key"));
    call(api(Auth.apiKeyQuery("api_key", "apiToken")));
    assertEquals(API_TOKEN, server.takeRequest().getRequestUrl().queryParameter("api_key"));
    call(api(Auth.basic("user", "password")));
    assertEquals(Credentials.basic("alice-user", "pw-alice-1234"),
        server.takeRequest().getHeader("Authorization"));
  }

  @Test
  void toStringNamesSecretsNeverValues() {
    for (Authentication a : List.of(Auth.bearer("apiToken"), Auth.basic("user", "password"),
        Auth.apiKeyQuery("api_key", "apiToken"), oauth())) {
      String s = a.toString() + api(a);
      assertTrue(s.contains("secrets."), s);
      SECRET_VALUES.forEach(v -> assertFalse(s.contains(v), s));
    }
  }

  @Test
  void unauthorizedNamesTheSecretInTheMessage() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        return new MockResponse().setResponseCode(401).setBody("token " + API_TOKEN + " is revoked");
      }
    });
    SourceAuthenticationException e = assertThrows(SourceAuthenticationException.class,
        () -> call(api(Auth.bearer("apiToken"))));
    assertTrue(e.getMessage().startsWith(
        "source rejected the credentials in secrets.apiToken (HTTP 401)"), e.getMessage());
    assertFalse(e.getMessage().contains(API_TOKEN));
    assertEquals(401, e.status());
  }

  @Test
  void missingSecretIsAConfigurationErrorNamingIt() {
    Request r = Http.request(Secrets.empty(), clock.instant().plusSeconds(60))
        .url(server.url("/v1/items")).build();
    MissingSecretException e = assertThrows(MissingSecretException.class,
        () -> api(Auth.bearer("apiToken")).execute(r).close());
    assertTrue(e.getMessage().contains("secrets.apiToken"), e.getMessage());
  }

  @Test
  void oauth2TokenIsFetchedOnceAndCached() throws Exception {
    validTokens.add("access-1");
    ApiClient api = api(oauth());
    call(api);
    call(api);
    call(api);
    assertEquals(1, tokensIssued);
    RecordedRequest token = server.takeRequest();
    assertEquals("POST", token.getMethod());
    assertEquals("Bearer access-1", recordedApiCall().getHeader("Authorization"));
  }

  @Test
  void oauth2TokenIsRefreshedBeforeItExpires() throws IOException {
    expiresIn = 600;
    validTokens.addAll(List.of("access-1", "access-2"));
    ApiClient api = api(oauth());
    call(api);
    clock.advance(Duration.ofSeconds(530)); // 70 s left: still fresh with a 60 s margin
    call(api);
    assertEquals(1, tokensIssued);
    clock.advance(Duration.ofSeconds(20)); // 50 s left: inside the margin
    call(api);
    assertEquals(2, tokensIssued);
  }

  @Test
  void oauth2RefreshesOnceOn401ThenSucceeds() throws IOException {
    validTokens.add("access-2"); // access-1 was revoked early by the source
    ApiClient api = api(oauth());
    call(api);
    assertEquals(2, tokensIssued);
    assertEquals(4, server.getRequestCount(), "token, call (401), token, call (200)");
  }

  @Test
  void oauth2Second401IsAnAuthErrorNamingTheSecrets() {
    ApiClient api = api(oauth()); // the source accepts no token at all
    SourceAuthenticationException e = assertThrows(SourceAuthenticationException.class,
        () -> call(api));
    assertEquals(2, tokensIssued, "refreshed exactly once");
    assertEquals(4, server.getRequestCount());
    assertTrue(e.getMessage().startsWith("source rejected the credentials in secrets.clientId and"
        + " secrets.clientSecret (HTTP 401)"), e.getMessage());
    SECRET_VALUES.forEach(v -> assertFalse(e.getMessage().contains(v), e.getMessage()));
  }

  @Test
  void tokenEndpointRejectingTheClientIsAnAuthErrorWithoutItsBody() {
    tokenStatus = 401;
    SourceAuthenticationException e = assertThrows(SourceAuthenticationException.class,
        () -> call(api(oauth())));
    assertTrue(e.getMessage().contains("rejected the credentials in secrets.clientId and"
        + " secrets.clientSecret (HTTP 401)"), e.getMessage());
    assertFalse(e.getMessage().contains(CLIENT_ID), e.getMessage());
  }

  @Test
  void tokenEndpointOutageIsRetryable() {
    tokenStatus = 503;
    SourceUnavailableException e = assertThrows(SourceUnavailableException.class,
        () -> call(api(oauth())));
    assertTrue(e.isRetryable());
  }
}
