package dev.tributary.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.tributary.Connector;
import dev.tributary.scheduled.ScheduledConfig;
import dev.tributary.scheduled.ScheduledSync;
import dev.tributary.scheduled.ScheduledSyncException;
import dev.tributary.scheduled.TickSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The AWS Lambda entry point of a connector that syncs on its own schedule, without Fivetran:
 * EventBridge Scheduler invokes it with a {@link ScheduledEvent}, and each invocation is one tick
 * of {@link ScheduledSync} into the PostgreSQL destination of {@code TRIBUTARY_DESTINATION_URL}.
 * Fivetran never calls this handler; its requests go to {@link TributaryLambdaHandler}.
 *
 * <p>The tick ends before the invocation's remaining time (capped by
 * {@code TRIBUTARY_TIMEOUT_SECONDS} when set), leaving {@code TRIBUTARY_APPLY_MARGIN_MS} for the
 * last commit; what is left is the next invocation's. It returns the summary line; a failed tick
 * throws {@link ScheduledSyncException}, so the invocation counts in the function's
 * {@code Errors} metric and EventBridge Scheduler's retry policy and dead-letter queue apply. A
 * tick that finds another holding the connection's lease returns normally (skipped).
 *
 * <p>Give it the connector like {@link TributaryLambdaHandler}: as is, with the connector in
 * {@code META-INF/services/dev.tributary.Connector}, or from a subclass with a public no-argument
 * constructor calling {@code super(new MyConnector())}. Settings ({@link ScheduledConfig}) come
 * from the environment and are read when Lambda creates the handler; a missing or bad one fails
 * the function's initialisation with a message naming it. Needs {@code tributary-scheduled} and
 * {@code aws-lambda-java-events} in the function's jar.
 */
public class TributaryScheduledHandler implements RequestHandler<ScheduledEvent, String> {
  private final ScheduledSync sync;

  /** Finds the connector with {@link ServiceLoader}; settings from the environment. */
  public TributaryScheduledHandler() {
    this(Connector.load());
  }

  /** For a subclass that passes its connector; settings from the environment. */
  protected TributaryScheduledHandler(Connector connector) {
    this(connector, ScheduledConfig.fromEnvironment());
  }

  /** For a subclass that passes its connector and settings. */
  protected TributaryScheduledHandler(Connector connector, ScheduledConfig config) {
    this.sync = new ScheduledSync(connector, config, "AWS Lambda");
  }

  /**
   * Runs one tick.
   *
   * @return the tick's summary line (also logged)
   * @throws ScheduledSyncException if the tick failed
   */
  @Override
  public final String handleRequest(ScheduledEvent event, Context context) {
    Instant platform = Instant.now().plusMillis(Math.max(0, context.getRemainingTimeInMillis()));
    TickSummary summary = sync.tick(sync.deadline(Optional.of(platform), Duration.ZERO));
    return summary.orThrow().toJson();
  }
}
