package dev.tributary.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import dev.tributary.Connector;
import dev.tributary.scheduled.ScheduledConfig;
import dev.tributary.scheduled.ScheduledSync;
import dev.tributary.scheduled.TickSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The Cloud Functions entry point of a connector that syncs on its own schedule, without
 * Fivetran: Cloud Scheduler POSTs to it (an HTTP target with an OIDC token of a service account
 * holding the function's invoker role), and each request is one tick of {@link ScheduledSync} into
 * the PostgreSQL destination of {@code TRIBUTARY_DESTINATION_URL}. Deploy it as its own function
 * ({@code --entry-point=dev.tributary.gcp.TributaryScheduledFunction}), never as the endpoint
 * Fivetran calls ({@link TributaryHttpFunction}): its requests carry no Fivetran payload and the
 * body is ignored.
 *
 * <p>Cloud Functions does not tell a function its deadline, so a tick runs for
 * {@code TRIBUTARY_TIMEOUT_SECONDS} (default 55 s, under the default {@code --timeout} of 60 s);
 * set it a little below the function's {@code --timeout} (at most 3,600 s) and Cloud Scheduler's
 * {@code --attempt-deadline} above it (at most 30 minutes).
 *
 * <p>Answers: {@code 200} with the summary line when the tick caught up, stopped at its deadline
 * (the next tick resumes) or skipped because another run holds the lease; {@code 500} with the
 * summary line when it failed, so Cloud Scheduler records the attempt as failed and retries by
 * its retry configuration; {@code 405} with {@code Allow: POST} to anything but {@code POST}.
 *
 * <p>Give it the connector like {@link TributaryHttpFunction}: as is, with the connector in
 * {@code META-INF/services/dev.tributary.Connector}, or from a subclass with a public no-argument
 * constructor. Settings ({@link ScheduledConfig}) come from the environment when the instance is
 * created (secrets inline in {@code TRIBUTARY_SECRETS} or mounted from Secret Manager as the file
 * {@code TRIBUTARY_SECRETS_FILE}); a missing or bad one fails the instance with a message naming
 * it. Needs {@code tributary-scheduled} in the function's jar. Keep {@code --concurrency} at 1.
 */
public class TributaryScheduledFunction implements HttpFunction {
  private final ScheduledSync sync;

  /** The connector registered with {@code ServiceLoader}; settings from the environment. */
  public TributaryScheduledFunction() {
    this(Connector.load());
  }

  /** This connector; settings from the environment. */
  protected TributaryScheduledFunction(Connector connector) {
    this(connector, ScheduledConfig.fromEnvironment());
  }

  /** This connector and these settings. */
  protected TributaryScheduledFunction(Connector connector, ScheduledConfig config) {
    this.sync = new ScheduledSync(Objects.requireNonNull(connector, "connector"),
        Objects.requireNonNull(config, "config"), "Cloud Functions");
  }

  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    response.setContentType("application/json");
    if (!"POST".equals(request.getMethod())) {
      response.setStatusCode(405);
      response.appendHeader("Allow", "POST");
      write(response, "{\"errorMessage\":\"a scheduled sync is started with POST (Cloud"
          + " Scheduler's --http-method=POST)\",\"errorType\":\"MethodNotAllowed\"}");
      return;
    }
    TickSummary summary = sync.tick(sync.deadline(Optional.empty(),
        TributaryHttpFunction.CLOUD_FUNCTIONS.defaultTimeout()));
    response.setStatusCode(summary.failed() ? 500 : 200);
    write(response, summary.toJson());
  }

  private static void write(HttpResponse response, String body) throws IOException {
    try (OutputStream out = response.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
  }
}
