package dev.tributary.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.testing.FakeFivetran;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A source that echoes the request it rejected — its {@code Authorization} header, its query — in
 * a 400 body, in each of the forms real sources write: the engine's {@code errorMessage} and every
 * log line carry no secret in any encoding, with the user either a secret or plain configuration.
 */
class SecretEchoTest {
  static final String USER = "etl-reader";
  /** Latin-1 (OkHttp's basic-auth charset) and characters every encoding changes. */
  static final String PASSWORD = "pä55/w+rd & <x>\"1";
  static final String TOKEN = "tok/en+ key&é=<1>😀";
  static final ObjectMapper JSON = new ObjectMapper();

  /** How the source quotes the request in its error body. */
  enum Echo {
    AUTHORIZATION_HEADER(r -> "{\"error\":\"unauthorized client\",\"received\":{\"authorization\":\""
        + json(r.getHeader("Authorization")) + "\"}}"),
    AUTHORIZATION_WITH_ESCAPED_SLASHES(r -> "{\"error\":\"bad auth\",\"authorization\":\""
        + json(r.getHeader("Authorization")).replace("/", "\\/") + "\"}"),
    CREDENTIALS_AS_BASE64URL(r -> "credentials (base64url) "
        + Base64.getUrlEncoder().withoutPadding().encodeToString(credentials(r)
            .getBytes(StandardCharsets.ISO_8859_1)) + " are not valid"),
    CREDENTIALS_DECODED(r -> "login " + credentials(r) + " was refused"),
    QUERY_AS_SENT(r -> "bad request GET " + r.getRequestUrl().encodedPath() + "?"
        + r.getRequestUrl().encodedQuery()),
    KEY_FORM_ENCODED(r -> "unknown api_key=" + URLEncoder.encode(key(r), StandardCharsets.UTF_8)),
    KEY_FORM_ENCODED_PERCENT_20(r -> "unknown api_key="
        + URLEncoder.encode(key(r), StandardCharsets.UTF_8).replace("+", "%20")),
    KEY_AS_JSON_UNICODE_ESCAPES(r -> "{\"message\":\"invalid key\",\"key\":\""
        + unicodeEscaped(json(key(r))) + "\"}"),
    KEY_IN_HTML(r -> "<html><body><p>Invalid key &quot;" + html(key(r))
        + "&quot;</p></body></html>");

    final Function<RecordedRequest, String> body;

    Echo(Function<RecordedRequest, String> body) {
      this.body = body;
    }
  }

  private final MockWebServer server = NoDelayServerSockets.server();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private Echo echo;

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        return new MockResponse().setResponseCode(400).setBody(echo.body.apply(r));
      }
    });
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  static Stream<Arguments> echoes() {
    List<Arguments> out = new ArrayList<>();
    for (Echo e : Echo.values()) {
      out.add(Arguments.of(e, false));
      out.add(Arguments.of(e, true));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, user is plain configuration: {1}")
  @MethodSource("echoes")
  void errorMessageAndLogCarryNoEncodingOfASecret(Echo form, boolean userIsConfiguration)
      throws IOException {
    echo = form;
    FakeFivetran fivetran = new FakeFivetran(
        new FunctionHandler(new EchoedConnector(server.url("/items"), userIsConfiguration, log::add),
            EngineConfig.builder().logSink(log::add).build()),
        Clock.systemUTC(), Duration.ofSeconds(30), 6_000_000)
        .secrets(Map.of("user", USER, "password", PASSWORD, "token", TOKEN));

    FakeFivetran.Call call = fivetran.call();

    assertFalse(call.accepted());
    String message = call.body().path("errorMessage").asText();
    assertTrue(message.contains("HTTP 400") && message.contains("***"),
        "the echo reached the message, masked: " + message);
    assertEquals(1, server.getRequestCount());
    Set<String> forbidden = forbidden(userIsConfiguration);
    assertCarriesNone(forbidden, "errorMessage", message);
    assertCarriesNone(forbidden, "response", call.body().toString());
    assertFalse(log.isEmpty());
    for (String line : log) {
      assertCarriesNone(forbidden, "log line", line);
      assertCarriesNone(forbidden, "log line's text", texts(JSON.readTree(line)));
    }
    if (userIsConfiguration && form == Echo.CREDENTIALS_DECODED) {
      assertTrue(message.contains("login " + USER + ":***"),
          "configuration is not masked: " + message);
    }
  }

  private static void assertCarriesNone(Set<String> forbidden, String what, String text) {
    for (String f : forbidden) {
      assertFalse(text.contains(f), () -> what + " carries '" + f + "': " + text);
    }
  }

  /** Every encoding of every secret value, and of user:password, written independently here. */
  private static Set<String> forbidden(boolean userIsConfiguration) {
    List<String> secrets = new ArrayList<>(List.of(PASSWORD, TOKEN, USER + ":" + PASSWORD));
    if (!userIsConfiguration) {
      secrets.add(USER);
    }
    Set<String> out = new LinkedHashSet<>();
    for (String s : secrets) {
      if (!s.contains(":")) {
        out.add(s);
        out.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
        out.add(URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
        out.add(HttpUrl.parse("http://x/").newBuilder().addQueryParameter("k", s).build()
            .encodedQuery().substring(2));
        out.add(json(s));
        out.add(json(s).replace("/", "\\/"));
        out.add(unicodeEscaped(json(s)));
        out.add(html(s));
      }
      for (byte[] bytes : List.of(s.getBytes(StandardCharsets.UTF_8),
          s.getBytes(StandardCharsets.ISO_8859_1))) {
        String b64 = Base64.getEncoder().withoutPadding().encodeToString(bytes);
        out.add(b64);
        out.add(b64.replace("/", "\\/"));
        out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
      }
    }
    return out;
  }

  /** Every string in a JSON tree, keys included, as one text. */
  private static String texts(JsonNode n) {
    StringBuilder out = new StringBuilder();
    n.fields().forEachRemaining(e -> out.append(e.getKey()).append('\n')
        .append(e.getValue().isValueNode() ? e.getValue().asText() : texts(e.getValue()))
        .append('\n'));
    n.elements().forEachRemaining(e -> out.append(e.isValueNode() ? e.asText() : texts(e)));
    return out.toString();
  }

  private static String credentials(RecordedRequest r) {
    String header = r.getHeader("Authorization");
    return new String(Base64.getDecoder().decode(header.substring("Basic ".length())),
        StandardCharsets.ISO_8859_1);
  }

  private static String key(RecordedRequest r) {
    return r.getRequestUrl().queryParameter("api_key");
  }

  private static String json(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }

  /** Non-ASCII and {@code < > & = '} as unicode escapes, as Gson and Go's encoder write them. */
  private static String unicodeEscaped(String json) {
    StringBuilder out = new StringBuilder();
    for (char c : json.toCharArray()) {
      out.append(c >= 128 || "<>&='".indexOf(c) >= 0
          ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }

  private static String html(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(c -> out.append(switch (c) {
      case '&' -> "&amp;";
      case '<' -> "&lt;";
      case '>' -> "&gt;";
      case '"' -> "&quot;";
      default -> c < 128 ? new String(Character.toChars(c)) : "&#" + c + ";";
    }));
    return out.toString();
  }

  /** One table read from the echoing source with basic authentication and a key in the query. */
  static final class EchoedConnector implements Connector {
    private final HttpUrl url;
    private final boolean userIsConfiguration;
    private final ApiClient api;
    EchoedConnector(HttpUrl url, boolean userIsConfiguration, Consumer<String> httpLog) {
      this.url = url;
      this.userIsConfiguration = userIsConfiguration;
      this.api = ApiClient.builder(Http.client())
          .auth(Auth.basic("user", "password"))
          .addInterceptor(Auth.apiKeyQuery("api_key", "token"))
          .logging(RedactingLoggingInterceptor.to(httpLog))
          .build();
    }

    @Override
    public Schema schema() {
      return Schema.of(Table.fullRefresh("items").primaryKey("id").tiebreaker("id", ValueType.NUMBER));
    }

    @Override
    public Set<String> notSecretKeys() {
      return userIsConfiguration ? Set.of("user") : Set.of();
    }

    @Override
    public Page read(TableRead read) throws IOException {
      api.execute(Http.request(read).url(url).build()).close();
      throw new AssertionError("the source answers 400");
    }
  }
}
