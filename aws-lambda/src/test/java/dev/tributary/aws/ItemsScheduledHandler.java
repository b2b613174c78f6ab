package dev.tributary.aws;

import dev.tributary.scheduled.testing.ItemsConnector;

/** A scheduled handler for the PostgreSQL items connector, as a connector project would write it. */
public class ItemsScheduledHandler extends TributaryScheduledHandler {
  public ItemsScheduledHandler() {
    super(new ItemsConnector());
  }
}
