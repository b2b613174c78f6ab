package dev.tributary.gcp;

import dev.tributary.scheduled.ScheduledConfig;
import dev.tributary.scheduled.testing.ItemsConnector;

/**
 * A scheduled function for the PostgreSQL items connector, as a connector project would write
 * it; the invoker creates it by name, so its settings come from a field the test sets first
 * (the invoker runs in the test's JVM, whose environment a test cannot change).
 */
public class ItemsScheduledFunction extends TributaryScheduledFunction {
  static volatile ScheduledConfig config;

  public ItemsScheduledFunction() {
    super(new ItemsConnector(), config);
  }
}
