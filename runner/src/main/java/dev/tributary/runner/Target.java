package dev.tributary.runner;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.aws.LocalContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** Where the runner sends requests: a function, reached the way its platform would reach it. */
interface Target {
  /**
   * What came back: the HTTP status (-1 where there is none), the body (through S3: the reply
   * with the staged object's rows merged in) and the size of what the platform carried back, which
   * its response limit applies to.
   */
  record Reply(int status, byte[] body, long wireBytes) {
    Reply(int status, byte[] body) {
      this(status, body, body.length);
    }
  }

  Reply call(byte[] request, Duration timeout) throws IOException;

  String describe();

  /** In process, through the core's {@link FunctionHandler}: the connector's own code, no platform. */
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

  /** Any HTTP function: a local Functions Framework invoker, an Azure function, a deployed one. */
  static Target http(URI url, List<String[]> headers) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout.plusSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request));
        for (String[] h : headers) {
          b.header(h[0], h[1]);
        }
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

  /** A function in a {@link LambdaRuntime}: the real runtime interface client, in its own JVM. */
  static Target lambdaRuntime(LambdaRuntime runtime, String handler) {
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        return new Reply(-1, runtime.invoke(request, timeout).body());
      }

      @Override
      public String describe() {
        return "Lambda runtime interface client: " + handler;
      }
    };
  }

  /**
   * {@code target} synced through S3, as Fivetran's {@code CLOUD_STORAGE} method does it: each
   * request names a bucket and a new object, the function writes the call's rows there and answers
   * with the state only, and the runner reads the object and merges its {@code insert} and
   * {@code delete} into the reply it checks and applies. A success without its object is an error.
   */
  static Target throughS3(LocalS3 s3, Target target) {
    return new Target() {
      private int calls;

      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode req =
            (com.fasterxml.jackson.databind.node.ObjectNode) Main.JSON.readTree(request);
        String file = "sync/" + req.path("sync_id").asText("no-sync-id") + "/call-" + (++calls)
            + ".json";
        req.put("bucket", LocalS3.BUCKET);
        req.put("file", file);
        Reply reply = target.call(Main.JSON.writeValueAsBytes(req), timeout);
        com.fasterxml.jackson.databind.JsonNode body;
        try {
          body = Main.JSON.readTree(reply.body());
        } catch (IOException notJson) {
          return reply; // the checker reports it
        }
        if (body == null || !body.isObject() || body.has("errorMessage") || reply.status() >= 300) {
          return reply;
        }
        byte[] object = s3.get(file);
        if (object == null) {
          throw new IOException("the function answered success but wrote no object at s3://"
              + LocalS3.BUCKET + "/" + file + " (sync through S3: the rows go to the request's"
              + " bucket and file)");
        }
        com.fasterxml.jackson.databind.JsonNode staged = Main.JSON.readTree(object);
        com.fasterxml.jackson.databind.node.ObjectNode merged =
            (com.fasterxml.jackson.databind.node.ObjectNode) body;
        for (String section : List.of("insert", "delete")) {
          if (staged != null && staged.has(section)) {
            merged.set(section, staged.get(section));
          }
        }
        return new Reply(reply.status(), Main.JSON.writeValueAsBytes(merged), reply.body().length);
      }

      @Override
      public String describe() {
        return target.describe() + ", through S3 (S3Proxy at " + s3.endpoint() + ")";
      }
    };
  }

  /**
   * A Lambda stream handler, called as the Lambda Java runtime calls it: the request bytes in,
   * a {@link Context} whose remaining time is the call timeout. What the handler prints goes to
   * {@code functionLog}, as it would go to CloudWatch.
   */
  static Target lambda(RequestStreamHandler handler, String name, Consumer<String> functionLog) {
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
          handler.handleRequest(new ByteArrayInputStream(request), out, new LocalContext(timeout));
        } finally {
          System.setOut(original);
          String text = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
          if (!text.isEmpty()) {
            text.lines().forEach(functionLog);
          }
        }
        return new Reply(-1, out.toByteArray());
      }

      @Override
      public String describe() {
        return "Lambda handler: " + name;
      }
    };
  }
}
