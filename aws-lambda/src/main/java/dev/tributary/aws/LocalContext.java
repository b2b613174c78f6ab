package dev.tributary.aws;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.time.Duration;
import java.util.Objects;

/**
 * A Lambda {@link Context} for calling a handler outside Lambda — in a test, or from the local
 * runner ({@code ./tributary sync --lambda-handler}): the remaining time counts down from what it
 * is given, the names are plain ({@code local}), there is no identity or client context, and the
 * logger writes to standard output as Lambda's writes to CloudWatch.
 *
 * <pre>{@code
 * handler.handleRequest(in, out, new LocalContext(Duration.ofMinutes(1)));
 * }</pre>
 */
public final class LocalContext implements Context {
  private final long deadlineMillis;

  /** A context whose invocation has {@code remaining} left from now. */
  public LocalContext(Duration remaining) {
    this.deadlineMillis = System.currentTimeMillis()
        + Objects.requireNonNull(remaining, "remaining").toMillis();
  }

  @Override
  public String getAwsRequestId() {
    return "local-request";
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/local";
  }

  @Override
  public String getLogStreamName() {
    return "local";
  }

  @Override
  public String getFunctionName() {
    return "local";
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:local:000000000000:function:local";
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return (int) Math.max(0, deadlineMillis - System.currentTimeMillis());
  }

  @Override
  public int getMemoryLimitInMB() {
    return 1024;
  }

  @Override
  public LambdaLogger getLogger() {
    return new LambdaLogger() {
      @Override
      public void log(String message) {
        System.out.print(message);
      }

      @Override
      public void log(byte[] message) {
        System.out.write(message, 0, message.length);
      }
    };
  }
}
