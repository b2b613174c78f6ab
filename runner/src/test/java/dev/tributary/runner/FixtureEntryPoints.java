package dev.tributary.runner;

import dev.tributary.aws.TributaryLambdaHandler;
import dev.tributary.gcp.TributaryHttpFunction;
import dev.tributary.testing.FixtureConnector;

/**
 * The fixture connector behind each cloud's entry point, the way a user deploys by subclassing.
 * (This test classpath registers two connectors — the fixture and the demo's example — so the
 * ServiceLoader route would rightly refuse to choose.)
 */
final class FixtureEntryPoints {
  private FixtureEntryPoints() {}

  /** Cloud Functions entry point for {@link FixtureConnector}. */
  public static final class HttpFunction extends TributaryHttpFunction {
    public HttpFunction() {
      super(new FixtureConnector());
    }
  }

  /** Lambda handler for {@link FixtureConnector}. */
  public static final class LambdaHandler extends TributaryLambdaHandler {
    public LambdaHandler() {
      super(new FixtureConnector());
    }
  }
}
