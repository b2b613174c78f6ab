package dev.tributary.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.invoker.runner.Invoker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The real Google Functions Framework invoker (the server Cloud Functions gen2 runs) serving one
 * function over HTTP on a free loopback port, in this JVM; plus the client that calls it.
 */
final class InvokerServer implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final Invoker invoker;
  private final URI uri;

  private InvokerServer(Invoker invoker, int port) {
    this.invoker = invoker;
    this.uri = URI.create("http://127.0.0.1:" + port + "/");
  }

  /** Starts serving {@code target}; returns once the server accepts connections. */
  static InvokerServer serving(Class<? extends HttpFunction> target) throws Exception {
    int port = freePort();
    Invoker invoker = new Invoker(port, target.getName(), "http", target.getClassLoader());
    invoker.startTestServer();
    return new InvokerServer(invoker, port);
  }

  /** POSTs {@code body} with {@code contentType} (none if null). */
  HttpResponse<byte[]> post(byte[] body, String contentType) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return CLIENT.send(request.uri(uri).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public void close() throws Exception {
    invoker.stopServer();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
