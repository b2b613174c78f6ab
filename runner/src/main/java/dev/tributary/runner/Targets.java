package dev.tributary.runner;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.tributary.aws.LocalContext;
import dev.tributary.driver.Target;
import dev.tributary.driver.Target.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The runner's own ways to reach a function, beyond the driver's in-process and HTTP targets: a
 * Lambda stream handler in this JVM, the real Lambda runtime interface client, and sync through S3.
 */
final class Targets {
  private Targets() {}

  /** {@code target}, described as {@code description}. */
  static Target described(Target target, String description) {
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        return target.call(request, timeout);
      }

      @Override
      public String describe() {
        return description;
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
