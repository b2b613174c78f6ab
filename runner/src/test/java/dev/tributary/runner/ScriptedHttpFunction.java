package dev.tributary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tributary.testing.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * An HTTP "function" on a free loopback port that answers call {@code n} with the reply its script
 * gives for {@code n} (from 1), and records every request: the broken connector of the protocol
 * tests, reached with {@code tributary sync --url}.
 */
final class ScriptedHttpFunction implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One scripted answer: status, body, and how long to take. */
  record Reply(int status, byte[] body, Duration delay) {
    static Reply of(String body) {
      return new Reply(200, body.getBytes(StandardCharsets.UTF_8), Duration.ZERO);
    }

    static Reply of(JsonNode body) {
      return of(body.toString());
    }

    /** The body of {@code src/test/resources/fixtures/<name>}, bytes as stored. */
    static Reply fixture(String name) {
      return new Reply(200, Fixtures.bytes(name), Duration.ZERO);
    }

    Reply status(int code) {
      return new Reply(code, body, delay);
    }

    Reply after(Duration d) {
      return new Reply(status, body, d);
    }
  }

  /** A request as the function received it. */
  record Request(Map<String, List<String>> headers, JsonNode body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private ScriptedHttpFunction(BiFunction<Integer, JsonNode, Reply> script) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> answer(exchange, script));
    server.start();
  }

  /** Answers call n with {@code script.apply(n)}. */
  static ScriptedHttpFunction answering(IntFunction<Reply> script) throws IOException {
    return new ScriptedHttpFunction((n, request) -> script.apply(n));
  }

  /** Answers each request with what {@code script} gives for its state: a function idempotent per state. */
  static ScriptedHttpFunction answeringByState(Function<JsonNode, Reply> script) throws IOException {
    return new ScriptedHttpFunction((n, request) -> script.apply(request.path("state")));
  }

  /** Answers the calls with these replies in order, the last one for every call after it. */
  static ScriptedHttpFunction answering(Reply... replies) throws IOException {
    return answering(n -> replies[Math.min(n, replies.length) - 1]);
  }

  private void answer(HttpExchange exchange, BiFunction<Integer, JsonNode, Reply> script)
      throws IOException {
    try (exchange) {
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      requests.add(new Request(Map.copyOf(exchange.getRequestHeaders()), body));
      Reply reply = script.apply(requests.size(), body);
      if (!reply.delay().isZero()) {
        Thread.sleep(reply.delay().toMillis());
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  List<Request> requests() {
    return requests;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
