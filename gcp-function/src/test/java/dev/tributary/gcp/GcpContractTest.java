package dev.tributary.gcp;

import dev.tributary.testing.AdapterContract;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The adapter contract, with every fixture POSTed (and every HTTP case sent) to the function served
 * by the real invoker.
 */
class GcpContractTest extends AdapterContract {
  private static InvokerServer server;

  @BeforeAll
  static void serve() throws Exception {
    server = InvokerServer.serving(TributaryHttpFunction.class);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected Reply invoke(byte[] request) throws Exception {
    HttpResponse<byte[]> r = server.post(request, "application/json");
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
  }

  @Override
  protected Reply invokeHttp(HttpCase c) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder().method(c.method(), c.body() == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
    if (c.contentType() != null) {
      b.header("Content-Type", c.contentType());
    }
    HttpResponse<byte[]> r = server.send(b);
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
        r.headers().firstValue("Allow").orElse(null), r.body());
  }
}
