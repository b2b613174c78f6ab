package dev.tributary.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.HttpFront;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;

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
 * <p>What is served and how is the core's {@link HttpFront}, the same on every HTTP cloud: only
 * {@code POST} (others get 405 with {@code Allow: POST}), JSON or no content type (others get
 * 415), every answer {@code application/json}. The engine's limits come from the
 * {@code TRIBUTARY_*} environment variables ({@link EngineConfig#fromEnvironment()}) unless a
 * subclass passes its own configuration.
 *
 * <p>Each call must answer before the function's timeout. Set {@code TRIBUTARY_TIMEOUT_SECONDS}
 * ({@link EngineConfig.Builder#callTimeout}) a little below the function's {@code --timeout}
 * (default 55 s, under Cloud Functions' default of 60 s; at most 3,600 s, the longest an HTTP
 * function may run); the engine stops reading its deadline margin before that.
 *
 * <p>Threading: the Functions Framework creates one instance per container; the handler is built
 * once per instance and neither this class nor the engine keeps per-call state between calls.
 * Keep the function's {@code --concurrency} at 1 (the default) unless the connector is safe for
 * concurrent calls; Fivetran makes one call at a time per connection anyway.
 */
public class TributaryHttpFunction implements HttpFunction {
  /** Cloud Functions (gen2) for {@link HttpFront}: 55 s unless configured, at most 3,600 s. */
  static final HttpFront.Platform CLOUD_FUNCTIONS = new HttpFront.Platform("Cloud Functions",
      Duration.ofSeconds(55), Duration.ofSeconds(3600),
      "an HTTP function runs at most 60 minutes");

  private final HttpFront front;

  /** The connector registered with {@code ServiceLoader}, configured from the environment. */
  public TributaryHttpFunction() {
    this(Connector.load());
  }

  /** This connector, with the engine configured from the {@code TRIBUTARY_*} environment. */
  protected TributaryHttpFunction(Connector connector) {
    this(connector, EngineConfig.fromEnvironment());
  }

  /** This connector and engine configuration (the call timeout included). */
  protected TributaryHttpFunction(Connector connector, EngineConfig config) {
    this.front = new HttpFront(new FunctionHandler(Objects.requireNonNull(connector, "connector"),
        Objects.requireNonNull(config, "config")), CLOUD_FUNCTIONS);
  }

  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    HttpFront.Answer answer = front.serve(request.getMethod(),
        request.getContentType().orElse(null), request.getInputStream());
    response.setStatusCode(answer.status());
    response.setContentType(answer.contentType());
    answer.allow().ifPresent(methods -> response.appendHeader("Allow", methods));
    try (OutputStream out = response.getOutputStream()) {
      answer.writeTo(out);
    }
  }
}
