package dev.tributary.azure;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import dev.tributary.Connector;
import dev.tributary.FunctionHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Serves Fivetran's calls on Azure Functions: translates an HTTP trigger's request into a call of
 * the core {@link FunctionHandler} and its answer back into an HTTP response, nothing more.
 *
 * <p>Create one per function app instance (a {@code static final} field of the
 * {@code @FunctionName} class) and call {@link #handle} from the trigger method; see
 * {@link FivetranFunction}.
 *
 * <p>Concurrency: Fivetran has at most one call in flight per connection, but the Java worker
 * runs invocations of one instance concurrently, so two connections served by the same app can
 * reach the handler at once. The adapter adds no lock (a queued call would eat into its 230 s);
 * the core and the connector then see concurrent calls. If the connector cannot take that, set
 * {@code extensions.http.maxConcurrentRequests} to 1 in {@code host.json} (the host then queues
 * excess calls, and rejects them with 429 beyond {@code maxOutstandingRequests}) or give each
 * connection its own app.
 *
 * <p>Each call:
 * <ul>
 *   <li>answers {@code 405} (with {@code Allow: POST}) to anything but {@code POST}, and
 *       {@code 415} to a {@code Content-Type} other than {@code application/json} (a missing one
 *       is accepted), both with a JSON error body shaped like the core's;
 *   <li>otherwise passes the body bytes (none → the core's {@code 400}) to the core and answers
 *       with the core's bytes, {@code Content-Type: application/json}, and the status of its
 *       {@link FunctionHandler.Outcome}: 200, 400, 500 or 502.
 * </ul>
 *
 * <p>Deadline: Azure's HTTP front end (the load balancer in front of every function app) drops a
 * request that has not been answered within 230 seconds, whatever the plan's
 * {@code functionTimeout}. Each call therefore gets a deadline of
 * {@code TRIBUTARY_TIMEOUT_SECONDS} (default {@value #DEFAULT_TIMEOUT_SECONDS}, at most
 * {@value #MAX_TIMEOUT_SECONDS}) after it arrives, and the core answers its
 * {@code deadlineMargin} before that. On the Consumption plan keep {@code functionTimeout} in
 * {@code host.json} above this value (its default, 5 minutes, is).
 */
public final class AzureAdapter {
  /** Seconds a call may take when {@code TRIBUTARY_TIMEOUT_SECONDS} is not set. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 220;
  /** Azure's front end answers 230 s after a request arrives; a longer timeout cannot help. */
  public static final int MAX_TIMEOUT_SECONDS = 230;
  static final String TIMEOUT_VARIABLE = "TRIBUTARY_TIMEOUT_SECONDS";

  private static final String JSON = "application/json";
  private static final JsonFactory JSON_FACTORY = new JsonFactory();

  private final FunctionHandler handler;
  private final Duration timeout;

  /**
   * An adapter for {@code connector}, configured from the {@code TRIBUTARY_*} environment.
   *
   * @throws IllegalArgumentException naming the variable when one cannot be used
   */
  public AzureAdapter(Connector connector) {
    this(new FunctionHandler(connector), timeoutFrom(System.getenv()));
  }

  /** An adapter that gives every call {@code timeout} to answer in. */
  public AzureAdapter(FunctionHandler handler, Duration timeout) {
    this.handler = Objects.requireNonNull(handler, "handler");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Serves one invocation of an HTTP trigger whose {@code dataType} is {@code "binary"}.
   *
   * @param context unused: the core logs one JSON line per call to standard output, which the
   *     Java worker forwards to the function's logs (Application Insights when configured)
   */
  public HttpResponseMessage handle(HttpRequestMessage<Optional<byte[]>> request,
      ExecutionContext context) {
    Instant deadline = Instant.now().plus(timeout);
    if (request.getHttpMethod() != HttpMethod.POST) {
      return error(request, HttpStatus.METHOD_NOT_ALLOWED, "method " + request.getHttpMethod()
          + " not allowed; Fivetran calls with POST").header("Allow", "POST").build();
    }
    String contentType = header(request.getHeaders(), "Content-Type");
    if (contentType != null && !isJson(contentType)) {
      return error(request, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "content type " + contentType
          + " not supported; send application/json").build();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    FunctionHandler.Outcome outcome;
    try {
      outcome = handler.handle(
          new ByteArrayInputStream(request.getBody().orElse(new byte[0])), out, deadline);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory streams do not fail
    }
    return request.createResponseBuilder(HttpStatusType.custom(outcome.httpStatus()))
        .header("Content-Type", JSON).body(out.toByteArray()).build();
  }

  /**
   * The per-call timeout from {@code TRIBUTARY_TIMEOUT_SECONDS} in {@code env}.
   *
   * @throws IllegalArgumentException naming the variable when it is not a whole number of seconds
   *     from 1 to {@value #MAX_TIMEOUT_SECONDS}
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
      throw new IllegalArgumentException(TIMEOUT_VARIABLE + " is not a whole number: '" + raw + "'");
    }
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(TIMEOUT_VARIABLE + "=" + raw + " is out of range: must be"
          + " 1 to " + MAX_TIMEOUT_SECONDS + " seconds (Azure's HTTP front end answers by "
          + MAX_TIMEOUT_SECONDS + " s)");
    }
    return Duration.ofSeconds(seconds);
  }

  private static boolean isJson(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return mediaType.trim().equalsIgnoreCase(JSON);
  }

  /** Header names are case-insensitive; the Functions host does not promise their case. */
  private static String header(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  /** An error the adapter answers itself, shaped like the core's error bodies. */
  private static HttpResponseMessage.Builder error(HttpRequestMessage<?> request, HttpStatus status,
      String message) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(body)) {
      g.writeStartObject();
      g.writeStringField("errorMessage", message);
      g.writeStringField("errorType", "ProtocolError");
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return request.createResponseBuilder(status).header("Content-Type", JSON)
        .body(body.toByteArray());
  }

  @Override
  public String toString() {
    return "AzureAdapter{timeout=" + timeout + "}";
  }
}
