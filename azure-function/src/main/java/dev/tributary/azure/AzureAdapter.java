package dev.tributary.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import dev.tributary.Connector;
import dev.tributary.FunctionHandler;
import dev.tributary.HttpFront;
import java.time.Duration;
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
 * <p>What is served and how is the core's {@link HttpFront}, the same on every HTTP cloud:
 * {@code 405} (with {@code Allow: POST}) to anything but {@code POST}, {@code 415} to a
 * {@code Content-Type} other than {@code application/json} (a missing one is accepted), and
 * otherwise the core's answer to the body bytes (none → the core's {@code 400}) with the status
 * of its {@link FunctionHandler.Outcome}; every answer {@code application/json}.
 *
 * <p>Deadline: Azure's HTTP front end (the load balancer in front of every function app) drops a
 * request that has not been answered within 230 seconds, whatever the plan's
 * {@code functionTimeout}. Each call therefore gets a deadline of
 * {@code TRIBUTARY_TIMEOUT_SECONDS} ({@link dev.tributary.EngineConfig.Builder#callTimeout};
 * default 220 s, at most 230 s) after it arrives, and the core answers its
 * {@code deadlineMargin} before that. On the Consumption plan keep {@code functionTimeout} in
 * {@code host.json} above this value (its default, 5 minutes, is).
 */
public final class AzureAdapter {
  /** Azure Functions for {@link HttpFront}: 220 s unless configured, at most 230 s. */
  static final HttpFront.Platform AZURE_FUNCTIONS = new HttpFront.Platform("Azure Functions",
      Duration.ofSeconds(220), Duration.ofSeconds(230),
      "its HTTP front end drops a request after 230 s");

  private final HttpFront front;

  /**
   * An adapter for {@code connector}, configured from the {@code TRIBUTARY_*} environment.
   *
   * @throws IllegalArgumentException naming the variable when one cannot be used
   */
  public AzureAdapter(Connector connector) {
    this(new FunctionHandler(connector));
  }

  /**
   * An adapter for {@code handler}, each call timed by its configuration's call timeout.
   *
   * @throws IllegalArgumentException naming {@code TRIBUTARY_TIMEOUT_SECONDS} when that timeout
   *     is over Azure's 230 s
   */
  public AzureAdapter(FunctionHandler handler) {
    this.front = new HttpFront(Objects.requireNonNull(handler, "handler"), AZURE_FUNCTIONS);
  }

  /**
   * Serves one invocation of an HTTP trigger whose {@code dataType} is {@code "binary"}.
   *
   * @param context unused: the core logs one JSON line per call to standard output, which the
   *     Java worker forwards to the function's logs (Application Insights when configured)
   */
  public HttpResponseMessage handle(HttpRequestMessage<Optional<byte[]>> request,
      ExecutionContext context) {
    HttpFront.Answer answer = front.serve(request.getHttpMethod().name(),
        header(request.getHeaders(), "Content-Type"), request.getBody().orElse(null));
    HttpResponseMessage.Builder response = request
        .createResponseBuilder(HttpStatusType.custom(answer.status()))
        .header("Content-Type", answer.contentType());
    answer.allow().ifPresent(methods -> response.header("Allow", methods));
    return response.body(answer.bytes()).build();
  }

  /** The per-call timeout this adapter gives each call. */
  Duration timeout() {
    return front.timeout();
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

  @Override
  public String toString() {
    return "AzureAdapter{timeout=" + front.timeout() + "}";
  }
}
