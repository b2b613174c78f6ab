package dev.tributary.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import dev.tributary.Connector;

/**
 * The timer function of a scheduled sync without Fivetran, named {@code scheduled}: on the NCRONTAB
 * schedule of the app setting {@code TRIBUTARY_SCHEDULE} (e.g. {@code 0 *}{@code /15 * * * *},
 * every 15 minutes) it runs one tick ({@link ScheduledTimer}) of the connector registered with
 * {@link java.util.ServiceLoader} ({@link Connector#load()}).
 *
 * <p>An app that only serves Fivetran disables it with the app setting
 * {@code AzureWebJobs.scheduled.Disabled=true} (the host otherwise reports that
 * {@code %TRIBUTARY_SCHEDULE%} does not resolve). To name the function otherwise or build the
 * connector yourself, declare your own class in your app, as for {@link FivetranFunction}:
 * <pre>
 * public class OrdersSchedule {
 *   private static final ScheduledTimer TIMER = new ScheduledTimer(new OrdersConnector());
 *
 *   {@literal @}FunctionName("orders-schedule")
 *   public void run({@literal @}TimerTrigger(name = "timer", schedule = "%TRIBUTARY_SCHEDULE%")
 *       String timerInfo, ExecutionContext context) {
 *     TIMER.run(timerInfo, context);
 *   }
 * }</pre>
 *
 * <p>The connector and settings are set up once per instance, on the first firing; a missing
 * setting fails every firing with a message naming it, until it is set.
 */
public class ScheduledFunction {
  private static ScheduledTimer timer;

  /**
   * The instance's timer, built on the first firing. Not a holder class: a failed build is tried
   * again, and fails again with its own message, on every firing (a holder would answer later
   * firings with a bare NoClassDefFoundError).
   */
  private static synchronized ScheduledTimer timer() {
    if (timer == null) {
      timer = new ScheduledTimer(Connector.load());
    }
    return timer;
  }

  /** One tick; the Java worker creates this class and calls it on each firing. */
  @FunctionName("scheduled")
  public void run(
      @TimerTrigger(name = "timer", schedule = "%TRIBUTARY_SCHEDULE%") String timerInfo,
      final ExecutionContext context) {
    timer().run(timerInfo, context);
  }
}
