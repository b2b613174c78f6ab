package dev.tributary.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes the engine's structured log: one JSON line per call (what every function platform
 * ingests), plus a line per notice. Lines carry counts, sizes, table names and reasons — never a
 * secret or a row value; messages pass through the request's secrets redaction first.
 */
public final class CallLog {
  private final Json json;
  private final Consumer<String> sink;

  public CallLog(Json json, Consumer<String> sink) {
    this.json = json;
    this.sink = sink;
  }

  /** A line for a call that answered with rows and state. */
  public void call(String syncId, long durationMs, SyncEngine.Summary s) {
    sink.accept(line(g -> {
      start(g, "INFO", "call", syncId);
      g.writeStringField("outcome", "ok");
      g.writeBooleanField("has_more", s.hasMore());
      g.writeStringField("stop_reason", s.stopReason().logName());
      g.writeNumberField("rows", s.rows());
      g.writeNumberField("response_bytes", s.responseBytes());
      g.writeNumberField("reads", s.reads());
      if (s.droppedRows() > 0) {
        g.writeNumberField("dropped_rows_at_or_before_position", s.droppedRows());
      }
      if (s.unchangedRows() > 0) {
        g.writeNumberField("unchanged_rows_not_sent", s.unchangedRows());
      }
      g.writeNumberField("duration_ms", durationMs);
      g.writeObjectFieldStart("tables");
      for (Map.Entry<String, SyncEngine.TableCounts> e : s.perTable().entrySet()) {
        g.writeObjectFieldStart(e.getKey());
        g.writeNumberField("rows", e.getValue().rows());
        g.writeNumberField("deletes", e.getValue().deletes());
        g.writeNumberField("bytes", e.getValue().bytes());
        g.writeEndObject();
      }
      g.writeEndObject();
    }));
  }

  /** A line for a setup test that passed. */
  public void setupTest(String syncId, long durationMs) {
    sink.accept(line(g -> {
      start(g, "INFO", "setup_test", syncId);
      g.writeStringField("outcome", "ok");
      g.writeNumberField("duration_ms", durationMs);
    }));
  }

  /** A line for a call that failed; {@code message} must already be redacted. */
  public void failure(String syncId, long durationMs, String outcome, String errorType, String message) {
    sink.accept(line(g -> {
      start(g, "ERROR", "call", syncId);
      g.writeStringField("outcome", outcome);
      g.writeStringField("error_type", errorType);
      g.writeStringField("error", message);
      g.writeNumberField("duration_ms", durationMs);
    }));
  }

  /** Something an operator should know (a table reset, a state migration); already redacted. */
  public void notice(String syncId, String message) {
    sink.accept(line(g -> {
      start(g, "WARN", "notice", syncId);
      g.writeStringField("message", message);
    }));
  }

  private static void start(JsonGenerator g, String level, String event, String syncId)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("ts", IsoText.instant(Instant.now()));
    g.writeStringField("level", level);
    g.writeStringField("logger", "tributary");
    g.writeStringField("event", event);
    if (syncId != null) {
      g.writeStringField("sync_id", syncId);
    }
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private String line(Body body) {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = json.factory().createGenerator(w)) {
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
