package dev.tributary.azure;

import com.microsoft.azure.functions.ExecutionContext;
import dev.tributary.Connector;
import dev.tributary.scheduled.ScheduledConfig;
import dev.tributary.scheduled.ScheduledSync;
import dev.tributary.scheduled.ScheduledSyncException;
import dev.tributary.scheduled.TickSummary;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a connector on an Azure Functions timer, without Fivetran: each firing of a
 * {@code @TimerTrigger} is one tick of {@link ScheduledSync} into the PostgreSQL destination of
 * {@code TRIBUTARY_DESTINATION_URL}. Create one per instance (a {@code static final} field of the
 * function class) and call {@link #run} from the timer method; see {@link ScheduledFunction}.
 *
 * <p>The Functions host does not tell a function its deadline, so a tick runs for
 * {@code TRIBUTARY_TIMEOUT_SECONDS} (default 270 s, under {@code functionTimeout}'s 5 minutes in
 * {@code host.json}); keep it below the app's {@code functionTimeout}. In an app that also serves
 * Fivetran the same variable times its HTTP calls (at most 230 s there).
 *
 * <p>A failed tick throws {@link ScheduledSyncException}: the invocation fails, which Application
 * Insights counts and alerts on. A tick that finds another run holding the connection's lease
 * (timer firings overlap only when one runs past the next) returns normally.
 */
public final class ScheduledTimer {
  /** The tick's budget when {@code TRIBUTARY_TIMEOUT_SECONDS} is not set. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(270);

  private final ScheduledSync sync;

  /**
   * A timer for {@code connector}, with settings from the environment.
   *
   * @throws IllegalArgumentException naming the variable that is missing or cannot be used
   */
  public ScheduledTimer(Connector connector) {
    this(connector, ScheduledConfig.fromEnvironment());
  }

  /** A timer for {@code connector} with these settings. */
  public ScheduledTimer(Connector connector, ScheduledConfig config) {
    this.sync = new ScheduledSync(Objects.requireNonNull(connector, "connector"),
        Objects.requireNonNull(config, "config"), "Azure Functions");
  }

  /**
   * Runs one tick.
   *
   * @param timerInfo the trigger's {@code TimerInfo} JSON, as the Java worker passes it (unused:
   *     a tick syncs from the stored state whatever the schedule's status)
   * @param context unused: the summary line goes to standard output, which the worker forwards to
   *     the function's logs
   * @return the tick's summary (also logged)
   * @throws ScheduledSyncException if the tick failed
   */
  public TickSummary run(String timerInfo, ExecutionContext context) {
    return sync.tick(sync.deadline(Optional.empty(), DEFAULT_TIMEOUT)).orThrow();
  }

  @Override
  public String toString() {
    return "ScheduledTimer{connection=" + sync.config().connection() + "}";
  }
}
