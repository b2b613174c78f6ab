package dev.tributary.benchmarks.cold;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.tributary.aws.LocalContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One cold start, as a whole process: loads a Lambda stream handler, answers one request, and
 * prints how long the first complete response took from JVM start, the CPU time the process had
 * used by then, and how many classes the JVM had loaded. {@code benchmarks/coldstart.sh} runs it many times for each handler.
 *
 * <pre>java -cp … dev.tributary.benchmarks.cold.ColdStart bare|tributary [call|primed]</pre>
 *
 * <p>With {@code call}, prints instead how long the first call itself took in the process (the
 * handler already made); with {@code primed}, the same after the SnapStart priming
 * ({@code beforeCheckpoint}, which runs {@code FunctionHandler.prime()}) — what a restored
 * snapshot's first call costs.
 */
public final class ColdStart {
  /** A typical first page: 2,000 rows of about 104 bytes. */
  static final int ROWS = 2_000;

  private ColdStart() {}

  public static void main(String[] args) throws Exception {
    String which = args.length == 0 ? "tributary" : args[0];
    String mode = args.length > 1 ? args[1] : "process";
    RequestStreamHandler handler = which.equals("bare")
        ? new BareJacksonHandler() : new BenchLambdaHandler();
    if (mode.equals("primed")) {
      if (!(handler instanceof BenchLambdaHandler primed)) {
        throw new IllegalArgumentException("only the tributary handler primes");
      }
      primed.beforeCheckpoint(null);
    }
    long started = System.nanoTime();
    byte[] request = "{\"agent\":\"Fivetran AWS Lambda Connector/x/y\",\"state\":{},\"secrets\":{\"api_token\":\"t0k3n\"},\"sync_id\":\"cold\"}"
        .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(request), out, new LocalContext(java.time.Duration.ofMinutes(1)));
    long ended = System.nanoTime();
    long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
    // CPU time of every thread of the process so far (the JIT's and GC's too): on a loaded
    // machine it moves far less than the elapsed time, and a small Lambda has under one vCPU.
    long cpuMs = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
    String body = out.toString(StandardCharsets.UTF_8);
    if (!body.contains("\"hasMore\":false")) {
      throw new IllegalStateException("not a complete response: "
          + body.substring(0, Math.min(200, body.length())));
    }
    if (!mode.equals("process")) {
      System.out.println("first_call_ms=" + (ended - started) / 1_000_000.0
          + " classes=" + classes + " bytes=" + out.size());
      return;
    }
    System.out.println("first_response_ms=" + uptime + " cpu_ms=" + cpuMs + " classes=" + classes
        + " bytes=" + out.size());
  }

  /** The same rows for both handlers, with ISO-8601 cursors. */
  static List<Map<String, Object>> rows(String after) {
    return dev.tributary.benchmarks.BenchRows.rows(ROWS, true);
  }
}
