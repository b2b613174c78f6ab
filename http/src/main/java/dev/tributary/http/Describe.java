package dev.tributary.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tributary.Secrets;
import dev.tributary.TableRead;
import dev.tributary.CallContext;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/** Safe descriptions of requests for messages and log lines: no query, no headers, redacted. */
final class Describe {
  private static final JsonFactory JSON = new JsonFactory();

  private Describe() {}

  static Secrets secrets(Request request) {
    Secrets s = request.tag(Secrets.class);
    return s == null ? Secrets.empty() : s;
  }

  /**
   * The {@code sync_id} of the call the request belongs to: the one {@link Http#request(TableRead)}
   * tagged it with, else the call the current thread serves; null outside a call.
   */
  static String syncId(Request request) {
    SyncId tagged = request.tag(SyncId.class);
    return tagged != null ? tagged.value() : CallContext.syncId().orElse(null);
  }

  /** The tag carrying a request's {@code sync_id}. */
  record SyncId(String value) {}

  /** {@code GET api.example.com/v1/orders}, redacted. */
  static String request(Request request) {
    HttpUrl url = request.url();
    return secrets(request).redact(request.method() + " " + url.host() + url.encodedPath());
  }

  static String error(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  /**
   * Lines to standard output as it is when each line is written — not when the interceptor was
   * built (a static default may be built long before a runtime or the local runner points
   * {@code System.out} at the function's log).
   */
  static Consumer<String> stdout() {
    return line -> {
      PrintStream out = System.out;
      synchronized (out) {
        out.println(line);
      }
    };
  }

  interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  /** One structured JSON log line in the engine's format, every string field redacted. */
  static String line(String level, String event, Request request, Fields fields) {
    Secrets secrets = secrets(request);
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("ts", Instant.now().toString());
      g.writeStringField("level", level);
      g.writeStringField("logger", "tributary.http");
      g.writeStringField("event", event);
      String syncId = syncId(request);
      if (syncId != null) {
        g.writeStringField("sync_id", syncId);
      }
      g.writeStringField("method", request.method());
      g.writeStringField("host", secrets.redact(request.url().host()));
      g.writeStringField("path", secrets.redact(request.url().encodedPath()));
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Belt and braces: nothing built from the request leaves without a final pass.
    return secrets.redact(w.toString());
  }
}
