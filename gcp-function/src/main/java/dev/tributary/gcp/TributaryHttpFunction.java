package dev.tributary.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Fivetran Function connector as a Google Cloud Function (gen2, HTTP trigger): Fivetran POSTs
 * the request JSON to the trigger URL and gets the response JSON back, with the HTTP status saying
 * how the call ended (200 OK; 400 bad request; 500 connector failure; 502 source failure).
 *
 * <p>Deploy it one of two ways:
 *
 * <ul>
 *   <li>As is, with {@code --entry-point=dev.tributary.gcp.TributaryHttpFunction}; the connector
 *       is the one named in {@code META-INF/services/dev.tributary.Connector} (see
 *       {@link Connector#load()}).
 *   <li>From a subclass with a public no-argument constructor that passes the connector (and
 *       optionally an {@link EngineConfig}) to a protected constructor; the subclass is the entry
 *       point.
 * </ul>
 *
 * <pre>{@code
 * public final class OrdersFunction extends TributaryHttpFunction {
 *   public OrdersFunction() {
 *     super(new OrdersConnector());
 *   }
 * }
 * }</pre>
 *
 * <p>Only {@code POST} is served (others get 405 with {@code Allow: POST}); a request whose
 * {@code Content-Type} is present and not {@code application/json} gets 415. Every answer is
 * {@code application/json}. The engine's limits come from the {@code TRIBUTARY_*} environment
 * variables ({@link EngineConfig#fromEnvironment()}) unless a subclass passes its own.
 *
 * <p>Each call must answer before the function's timeout. Set {@value #TIMEOUT_VARIABLE} a little
 * below the function's {@code --timeout} (default {@value #DEFAULT_TIMEOUT_SECONDS} s, under
 * Cloud Functions' default of 60 s); the engine stops reading its deadline margin before that.
 *
 * <p>Threading: the Functions Framework creates one instance per container; the handler is built
 * once per instance and neither this class nor the engine keeps per-call state between calls.
 * Keep the function's {@code --concurrency} at 1 (the default) unless the connector is safe for
 * concurrent calls; Fivetran makes one call at a time per connection anyway.
 */
public class TributaryHttpFunction implements HttpFunction {
  /** How long one call may take, in seconds; set it a little below the function's timeout. */
  public static final String TIMEOUT_VARIABLE = "TRIBUTARY_TIMEOUT_SECONDS";

  static final long DEFAULT_TIMEOUT_SECONDS = 55;

  private static final String JSON = "application/json";
  private static final byte[] METHOD_NOT_ALLOWED = errorBody(
      "only POST is served: send the request JSON as the body of a POST", "MethodNotAllowed");
  private static final byte[] UNSUPPORTED_MEDIA_TYPE = errorBody(
      "the request body must be JSON: send it with Content-Type: application/json",
      "UnsupportedMediaType");

  private final FunctionHandler handler;
  private final Duration timeout;

  /** The connector registered with {@code ServiceLoader}, configured from the environment. */
  public TributaryHttpFunction() {
    this(Connector.load());
  }

  /** This connector, with the engine configured from the {@code TRIBUTARY_*} environment. */
  protected TributaryHttpFunction(Connector connector) {
    this(connector, EngineConfig.fromEnvironment());
  }

  /** This connector and engine configuration; the call timeout still comes from the environment. */
  protected TributaryHttpFunction(Connector connector, EngineConfig config) {
    this.handler = new FunctionHandler(Objects.requireNonNull(connector, "connector"),
        Objects.requireNonNull(config, "config"));
    this.timeout = timeoutFrom(System.getenv());
  }

  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    if (!"POST".equals(request.getMethod())) {
      response.appendHeader("Allow", "POST");
      send(response, 405, METHOD_NOT_ALLOWED);
      return;
    }
    if (!acceptsJson(request.getContentType())) {
      send(response, 415, UNSUPPORTED_MEDIA_TYPE);
      return;
    }
    Instant deadline = handler.config().clock().instant().plus(timeout);
    // The status goes out before the body, so the body waits here until the call has ended.
    ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
    FunctionHandler.Outcome outcome = handler.handle(request.getInputStream(), body, deadline);
    response.setStatusCode(outcome.httpStatus());
    response.setContentType(JSON);
    try (OutputStream out = response.getOutputStream()) {
      body.writeTo(out);
    }
  }

  private static void send(HttpResponse response, int status, byte[] body) throws IOException {
    response.setStatusCode(status);
    response.setContentType(JSON);
    try (OutputStream out = response.getOutputStream()) {
      out.write(body);
    }
  }

  /** A missing content type is accepted: Fivetran sends JSON. Parameters such as charset are allowed. */
  static boolean acceptsJson(Optional<String> contentType) {
    if (contentType.isEmpty() || contentType.get().isBlank()) {
      return true;
    }
    String media = contentType.get();
    int semicolon = media.indexOf(';');
    if (semicolon >= 0) {
      media = media.substring(0, semicolon);
    }
    return media.trim().toLowerCase(Locale.ROOT).equals(JSON);
  }

  /**
   * The call timeout from {@value #TIMEOUT_VARIABLE} in {@code env}; default
   * {@value #DEFAULT_TIMEOUT_SECONDS} s.
   *
   * @throws IllegalArgumentException naming the variable when the value is not a positive number
   */
  static Duration timeoutFrom(Map<String, String> env) {
    String raw = env.get(TIMEOUT_VARIABLE);
    if (raw == null || raw.isBlank()) {
      return Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    }
    long seconds;
    try {
      seconds = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(TIMEOUT_VARIABLE + " is not a whole number of seconds: '"
          + raw + "'");
    }
    if (seconds < 1) {
      throw new IllegalArgumentException(TIMEOUT_VARIABLE + " < 1: " + seconds
          + "; set it a little below the function's --timeout");
    }
    return Duration.ofSeconds(seconds);
  }

  private static byte[] errorBody(String message, String type) {
    // Constant messages with nothing to escape, so no JSON encoder is needed.
    return ("{\"errorMessage\":\"" + message + "\",\"errorType\":\"" + type + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
