package dev.tributary.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API (2018-06-01) on loopback: what the Lambda service offers a runtime
 * interface client — hand out the next invocation, take its response or error. Lets the real
 * AWS runtime interface client run our handler by its handler string, as Lambda would.
 */
final class LoopbackRuntimeApi implements AutoCloseable {
  private static final String PREFIX = "/2018-06-01/runtime/";

  record Invocation(String id, byte[] event, CompletableFuture<byte[]> response) {}

  private final HttpServer server;
  private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
  private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
  final CompletableFuture<String> initError = new CompletableFuture<>();
  private final long timeoutMillis;

  LoopbackRuntimeApi() throws IOException {
    this(60_000);
  }

  /** Each invocation's deadline ({@code Lambda-Runtime-Deadline-Ms}) is {@code timeoutMillis} after it starts. */
  LoopbackRuntimeApi(long timeoutMillis) throws IOException {
    this.timeoutMillis = timeoutMillis;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(PREFIX, this::route);
    server.start();
  }

  /** host:port, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Queues an invocation and waits for the function's response (or error) body, as long as the
   * runtime process is alive.
   */
  byte[] invoke(byte[] event, long timeoutSeconds, Process runtime) throws Exception {
    Invocation inv = new Invocation(UUID.randomUUID().toString(), event, new CompletableFuture<>());
    pending.add(inv);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < until) {
      if (initError.isDone()) {
        throw new IllegalStateException("runtime init failed: " + initError.get());
      }
      if (!runtime.isAlive()) {
        throw new IllegalStateException("runtime exited with " + runtime.exitValue());
      }
      try {
        return inv.response().get(100, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // keep waiting
      }
    }
    throw new java.util.concurrent.TimeoutException("no response in " + timeoutSeconds + " s");
  }

  private void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath().substring(PREFIX.length());
    try {
      if (path.equals("invocation/next")) {
        Invocation inv = pending.take();
        inFlight.put(inv.id(), inv);
        ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", inv.id());
        ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms",
            Long.toString(System.currentTimeMillis() + timeoutMillis));
        ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:eu-west-1:123456789012:function:tributary");
        ex.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793");
        // The native client copies these without checking that they exist.
        ex.getResponseHeaders().add("Lambda-Runtime-Client-Context", "");
        ex.getResponseHeaders().add("Lambda-Runtime-Cognito-Identity", "");
        ex.getResponseHeaders().add("Content-Type", "application/json");
        send(ex, 200, inv.event());
      } else if (path.startsWith("invocation/")) {
        String[] parts = path.split("/");
        byte[] body = ex.getRequestBody().readAllBytes();
        Invocation inv = inFlight.remove(parts[1]);
        if (inv != null) {
          inv.response().complete(parts[2].equals("response") ? body
              : ("{\"runtimeError\":" + new String(body) + "}").getBytes());
        }
        send(ex, 202, new byte[0]);
      } else if (path.equals("init/error")) {
        initError.complete(new String(ex.getRequestBody().readAllBytes()));
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
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
