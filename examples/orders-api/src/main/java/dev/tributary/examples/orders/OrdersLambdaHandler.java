package dev.tributary.examples.orders;

import dev.tributary.aws.TributaryLambdaHandler;

/** The example's Lambda handler: {@code dev.tributary.examples.orders.OrdersLambdaHandler::handleRequest}. */
public final class OrdersLambdaHandler extends TributaryLambdaHandler {
  public OrdersLambdaHandler() {
    super(new OrdersApiConnector());
  }
}
