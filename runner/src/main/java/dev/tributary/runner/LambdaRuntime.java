package dev.tributary.runner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Lambda container on this machine: the real AWS Lambda Java runtime interface client in its
 * own JVM, running the user's handler by its handler string, fetching invocations from the Lambda
 * Runtime API (2018-06-01) that this class hosts on loopback — what the Lambda service offers a
 * runtime. The function's output (CloudWatch's share) goes to the workspace's {@code function.log}.
 *
 * <p>{@link #serveInvokeApi} also answers the Lambda Invoke API
 * ({@code POST /2015-03-31/functions/<name>/invocations}, as {@code sam local start-lambda}
 * does), so {@code tributary sync --url} or the AWS CLI can call it.
 */
final class LambdaRuntime implements AutoCloseable {
  /** The adapter's handler, used when no {@code --lambda-handler} is named. */
  static final String DEFAULT_HANDLER = "dev.tributary.aws.TributaryLambdaHandler::handleRequest";
  private static final String MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  private static final String PREFIX = "/2018-06-01/runtime/";
  static final String INVOKE_PATH = "/2015-03-31/functions/";

  private record Invocation(String id, byte[] event, long deadlineMs,
      CompletableFuture<Answer> answer) {}

  /** What the function answered: its response, or the error the runtime reported. */
  record Answer(boolean error, byte[] body) {}

  private final HttpServer runtimeApi;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tributary-lambda-runtime-api");
    t.setDaemon(true);
    return t;
  });
  private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
  private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
  private final CompletableFuture<String> initError = new CompletableFuture<>();
  private final Path log;
  private final String handler;
  private Process process;
  private HttpServer invokeApi;

  private LambdaRuntime(String handler, Path log) throws IOException {
    this.handler = handler;
    this.log = log;
    runtimeApi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    runtimeApi.setExecutor(executor);
    runtimeApi.createContext(PREFIX, this::route);
    runtimeApi.start();
  }

  /**
   * Starts the runtime interface client on {@code handler} with {@code classpath} (the user's
   * jars) and {@code env} added to the container's environment.
   */
  static LambdaRuntime start(String classpath, String handler, Map<String, String> env, Path log)
      throws IOException {
    LambdaRuntime rt = new LambdaRuntime(handler, log);
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + rt.runtimeApi.getAddress().getPort());
    environment.put("AWS_LAMBDA_FUNCTION_NAME", "tributary-local");
    environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
    environment.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    environment.put("AWS_REGION", "us-east-1");
    environment.put("LAMBDA_TASK_ROOT", log.toAbsolutePath().getParent().toString());
    environment.putAll(env);
    List<String> command = new ArrayList<>(List.of(Runtimes.java(), "-cp",
        Runtimes.classpath(Runtimes.LAMBDA_RIC) + java.io.File.pathSeparator + classpath, MAIN,
        handler));
    try {
      rt.process = Runtimes.start(command, environment, log);
    } catch (IOException e) {
      rt.close();
      throw e;
    }
    return rt;
  }

  /**
   * Hands {@code event} to the function as the next invocation and waits for its answer, as
   * long as the runtime lives and {@code timeout} allows.
   */
  Answer invoke(byte[] event, Duration timeout) throws IOException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    Invocation inv = new Invocation(UUID.randomUUID().toString(), event, deadline,
        new CompletableFuture<>());
    pending.add(inv);
    // A little past the function's own deadline: it answers by then or not at all.
    long until = deadline + 5_000;
    while (System.currentTimeMillis() < until) {
      if (initError.isDone()) {
        throw new IOException("the Lambda runtime could not initialise " + handler + ": "
            + initError.join() + " (its output is in " + log + ")");
      }
      if (!process.isAlive()) {
        throw new IOException("the Lambda runtime exited with code " + process.exitValue()
            + "; its output is in " + log);
      }
      try {
        return inv.answer().get(100, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // keep waiting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for the Lambda runtime", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException(e.getCause());
      }
    }
    pending.remove(inv);
    throw new IOException("the Lambda runtime did not answer within " + timeout.toSeconds()
        + " s (--call-timeout); its output is in " + log);
  }

  /**
   * Answers the Lambda Invoke API on the loopback {@code port}: a POST's body is the event, the
   * reply the function's response (an error adds {@code X-Amz-Function-Error: Unhandled}).
   */
  int serveInvokeApi(int port, Duration timeout) throws IOException {
    invokeApi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    invokeApi.setExecutor(executor);
    invokeApi.createContext(INVOKE_PATH, ex -> {
      try {
        if (!"POST".equals(ex.getRequestMethod())) {
          send(ex, 405, "{\"message\":\"POST the event\"}".getBytes(StandardCharsets.UTF_8));
          return;
        }
        Answer a = invoke(ex.getRequestBody().readAllBytes(), timeout);
        if (a.error()) {
          ex.getResponseHeaders().add("X-Amz-Function-Error", "Unhandled");
        }
        ex.getResponseHeaders().add("Content-Type", "application/json");
        send(ex, 200, a.body());
      } catch (IOException e) {
        send(ex, 502, ("{\"message\":" + Main.JSON.writeValueAsString(String.valueOf(e.getMessage()))
            + "}").getBytes(StandardCharsets.UTF_8));
      }
    });
    invokeApi.start();
    return invokeApi.getAddress().getPort();
  }

  /** Blocks until the runtime exits (for {@code serve}); returns its exit code. */
  int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  private void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath().substring(PREFIX.length());
    try {
      if (path.equals("invocation/next")) {
        Invocation inv = pending.take();
        inFlight.put(inv.id(), inv);
        ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", inv.id());
        ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(inv.deadlineMs()));
        ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:us-east-1:000000000000:function:tributary-local");
        ex.getResponseHeaders().add("Lambda-Runtime-Trace-Id",
            "Root=1-00000000-000000000000000000000000");
        // The native client copies these without checking that they exist.
        ex.getResponseHeaders().add("Lambda-Runtime-Client-Context", "");
        ex.getResponseHeaders().add("Lambda-Runtime-Cognito-Identity", "");
        ex.getResponseHeaders().add("Content-Type", "application/json");
        send(ex, 200, inv.event());
      } else if (path.equals("init/error")) {
        initError.complete(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        send(ex, 202, new byte[0]);
      } else if (path.startsWith("invocation/")) {
        String[] parts = path.split("/");
        byte[] body = ex.getRequestBody().readAllBytes();
        Invocation inv = parts.length == 3 ? inFlight.remove(parts[1]) : null;
        if (inv != null) {
          inv.answer().complete(new Answer(parts[2].equals("error"), body));
        }
        send(ex, 202, new byte[0]);
      } else {
        send(ex, 404, new byte[0]);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(ex, 500, new byte[0]);
    }
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    Runtimes.stop(process);
    runtimeApi.stop(0);
    if (invokeApi != null) {
      invokeApi.stop(0);
    }
    executor.shutdownNow();
  }
}
