package dev.tributary.benchmarks.cold;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One cold start, as a whole process: loads a Lambda stream handler, answers one request, and
 * prints how long the first complete response took from JVM start, and how many classes the JVM
 * had loaded by then. {@code benchmarks/coldstart.sh} runs it many times for each handler.
 *
 * <pre>java -cp … dev.tributary.benchmarks.cold.ColdStart bare|tributary</pre>
 */
public final class ColdStart {
  /** A typical first page: 2,000 rows of about 104 bytes. */
  static final int ROWS = 2_000;

  private ColdStart() {}

  public static void main(String[] args) throws Exception {
    String which = args.length == 0 ? "tributary" : args[0];
    RequestStreamHandler handler = which.equals("bare")
        ? new BareJacksonHandler() : new BenchLambdaHandler();
    byte[] request = "{\"agent\":\"Fivetran AWS Lambda Connector/x/y\",\"state\":{},\"secrets\":{\"api_token\":\"t0k3n\"},\"sync_id\":\"cold\"}"
        .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(request), out, new BenchContext());
    long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
    String body = out.toString(StandardCharsets.UTF_8);
    if (!body.contains("\"hasMore\":false")) {
      throw new IllegalStateException("not a complete response: "
          + body.substring(0, Math.min(200, body.length())));
    }
    System.out.println("first_response_ms=" + uptime + " classes=" + classes + " bytes=" + out.size());
  }

  /** The same rows for both handlers, with ISO-8601 cursors. */
  static List<Map<String, Object>> rows(String after) {
    return dev.tributary.benchmarks.BenchRows.rows(ROWS, true);
  }

  /** The few things a stream handler asks of Lambda's context. */
  static final class BenchContext implements Context {
    @Override
    public String getAwsRequestId() {
      return "cold-start";
    }

    @Override
    public String getLogGroupName() {
      return "bench";
    }

    @Override
    public String getLogStreamName() {
      return "bench";
    }

    @Override
    public String getFunctionName() {
      return "bench";
    }

    @Override
    public String getFunctionVersion() {
      return "1";
    }

    @Override
    public String getInvokedFunctionArn() {
      return "arn:aws:lambda:eu-west-1:000000000000:function:bench";
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
      return 60_000;
    }

    @Override
    public int getMemoryLimitInMB() {
      return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
      return new LambdaLogger() {
        @Override
        public void log(String message) {}

        @Override
        public void log(byte[] message) {}
      };
    }
  }
}
