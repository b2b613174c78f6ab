package dev.tributary.driver;

import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The function a {@link Driver} calls, reached the way its platform reaches it: in process
 * through the core's {@link FunctionHandler}, or over HTTP. Other ways (a Lambda handler, a
 * runtime in its own process) implement this interface.
 */
public interface Target {
  /**
   * What came back: the HTTP status (-1 where there is none), the body (through S3: the reply
   * with the staged object's rows merged in) and the size of what the platform carried back, which
   * its response limit applies to.
   */
  record Reply(int status, byte[] body, long wireBytes) {
    public Reply(int status, byte[] body) {
      this(status, body, body.length);
    }
  }

  /** Sends one request and waits for its reply, at most about {@code timeout}. */
  Reply call(byte[] request, Duration timeout) throws IOException;

  /** For people: what is called and how ({@code "HTTP: http://…"}). */
  String describe();

  /**
   * In process, through the core's {@link FunctionHandler}: the connector's own code, no
   * platform. Each call's deadline is its start plus the timeout.
   */
  static Target inProcess(Connector connector, EngineConfig config) {
    FunctionHandler handler = new FunctionHandler(connector, config);
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FunctionHandler.Outcome o = handler.handle(new ByteArrayInputStream(request), out,
            Instant.now().plus(timeout));
        return new Reply(o.httpStatus(), out.toByteArray());
      }

      @Override
      public String describe() {
        return "in process: " + connector.getClass().getName();
      }
    };
  }

  /**
   * {@code target} with {@code loader} (the user's code) as the thread's context class loader
   * during each call, as a platform runs a function with its own class loader current. A class
   * the user's code needs and its class path lacks fails the call with a message naming the
   * class, not a stack trace.
   */
  static Target withLoader(ClassLoader loader, Target target) {
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
          return target.call(request, timeout);
        } catch (LinkageError e) {
          throw new IOException("the function needs class "
              + String.valueOf(e.getMessage()).replace('/', '.')
              + ", which is not on its class path (" + e.getClass().getSimpleName()
              + "); add the jar that holds it to --classpath", e);
        } finally {
          t.setContextClassLoader(previous);
        }
      }

      @Override
      public String describe() {
        return target.describe();
      }
    };
  }

  /**
   * Any HTTP function — a Functions Framework invoker, an Azure function, a deployed one — sent
   * a {@code POST} with {@code headers} (e.g. {@code x-functions-key}) on every call. Header
   * values are not part of {@link #describe()}.
   */
  static Target http(URI url, Map<String, String> headers) {
    Map<String, String> hs = new LinkedHashMap<>(headers);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout.plusSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request));
        hs.forEach(b::header);
        try {
          HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
          return new Reply(r.statusCode(), r.body());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted calling " + url, e);
        } catch (java.net.ConnectException e) {
          throw new IOException("connection refused: nothing listens at " + url.getHost() + ":"
              + (url.getPort() < 0 ? ("https".equals(url.getScheme()) ? 443 : 80) : url.getPort())
              + "; start the function (e.g. tributary serve --gcp --classpath <jar>) or fix --url", e);
        } catch (java.net.http.HttpConnectTimeoutException e) {
          throw new IOException("connecting to " + url + " timed out after 10 s; is the host"
              + " reachable?", e);
        } catch (java.net.http.HttpTimeoutException e) {
          throw new IOException("no answer from " + url + " within " + timeout.plusSeconds(5).toSeconds()
              + " s (--call-timeout)", e);
        }
      }

      @Override
      public String describe() {
        return "HTTP: " + url;
      }
    };
  }
}
