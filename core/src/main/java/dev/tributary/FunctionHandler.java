package dev.tributary;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tributary.internal.CallLog;
import dev.tributary.internal.ConfigurationFailure;
import dev.tributary.internal.ConnectorFailure;
import dev.tributary.internal.Json;
import dev.tributary.internal.Priming;
import dev.tributary.internal.ProtocolFailure;
import dev.tributary.internal.Request;
import dev.tributary.internal.RequestDecoder;
import dev.tributary.internal.SourceFailure;
import dev.tributary.internal.StagingFailure;
import dev.tributary.internal.SyncEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A Fivetran Function: request bytes in, response bytes out, before a deadline. The only thing a
 * cloud adapter calls; create one per container and reuse it.
 *
 * <p>Every call answers with a complete JSON body: either a response whose rows and
 * {@code state} form a consistent checkpoint, or {@code {"errorMessage", "errorType"}} with
 * secrets redacted. The returned {@link Outcome} tells an HTTP adapter which status to send.
 *
 * <pre>{@code
 * FunctionHandler handler = new FunctionHandler(new OrdersConnector());
 * Outcome outcome = handler.handle(in, out, Instant.now().plusSeconds(60));
 * }</pre>
 */
public final class FunctionHandler {
  /** How a call ended, and the HTTP status an adapter answers with. */
  public enum Outcome {
    /** A response (possibly {@code hasMore: true}) or a passed setup test. */
    OK(200),
    /** The request or its state or secrets cannot be used; fix the caller or the connection. */
    BAD_REQUEST(400),
    /** The connector broke its contract or failed unexpectedly; a bug to fix in the connector. */
    CONNECTOR_FAILURE(500),
    /** The source failed (unreachable, rejected the call); Fivetran retries from the last state. */
    SOURCE_FAILURE(502);

    private final int httpStatus;

    Outcome(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  private final Connector connector;
  private final EngineConfig config;
  private final Json json;
  private final RequestDecoder decoder;
  private final SyncEngine engine;
  private final CallLog log;
  private final Set<String> notSecret;

  /** A handler configured from the {@code TRIBUTARY_*} environment variables. */
  public FunctionHandler(Connector connector) {
    this(connector, EngineConfig.fromEnvironment());
  }

  public FunctionHandler(Connector connector, EngineConfig config) {
    this(connector, config, (StagingStore) null);
  }

  /**
   * A handler that can also sync through cloud storage (AWS {@code CLOUD_STORAGE}): requests with
   * {@code bucket} and {@code file} write their rows to {@code staging}.
   *
   * @param staging where staged rows go; null if this function syncs directly only
   */
  public FunctionHandler(Connector connector, EngineConfig config, StagingStore staging) {
    this(connector, config, new Fixed(staging));
  }

  /**
   * The same, with the staging store asked for only when a request first syncs through cloud
   * storage: finding one ({@link java.util.ServiceLoader} reads every jar of the class path)
   * costs a cold start tens of milliseconds that a direct sync never needs.
   *
   * @param staging asked on each sync through cloud storage (so it should remember what it
   *     found); answers null if this function syncs directly only
   */
  public FunctionHandler(Connector connector, EngineConfig config,
      Supplier<StagingStore> staging) {
    Objects.requireNonNull(staging, "staging");
    this.connector = Objects.requireNonNull(connector, "connector");
    this.config = Objects.requireNonNull(config, "config");
    this.json = new Json(config);
    this.decoder = new RequestDecoder(json, config);
    this.engine = new SyncEngine(connector, config, json, staging);
    checkDeclaredSchema(connector);
    this.notSecret = declaredNotSecret(connector);
    this.log = new CallLog(json, config.logSink());
  }

  /**
   * Serves one call.
   *
   * @param in the request body (read fully, up to the configured limit)
   * @param out where the response body goes; written once, after the call has succeeded or failed
   * @param deadline when the platform stops the function; the engine answers
   *     {@code deadlineMargin} before it
   * @return how the call ended
   * @throws IOException only if reading {@code in} or writing {@code out} fails
   */
  public Outcome handle(InputStream in, OutputStream out, Instant deadline) throws IOException {
    Reply reply = answer(d -> d.decode(in), deadline);
    try {
      reply.body().writeTo(out);
    } finally {
      // Written once, here: its memory serves the next call.
      reply.body().release();
    }
    return reply.outcome();
  }

  /** A store given up front (or none). */
  private record Fixed(StagingStore store) implements Supplier<StagingStore> {
    @Override
    public StagingStore get() {
      return store;
    }
  }

  /**
   * A call's outcome with its whole body, not yet written: the engine's table sections, which
   * are written once, straight to the platform's stream ({@link HttpFront}'s status goes out
   * before it).
   */
  record Reply(Outcome outcome, Body body) {}

  /** A complete body, held where it was built until it is written. */
  abstract static class Body {
    /** The exact number of bytes {@link #writeTo} writes. */
    abstract long size();

    /** Writes the body to {@code out}. */
    abstract void writeTo(OutputStream out) throws IOException;

    /** Written for good: what it holds may serve the next call ({@link #writeTo} then fails). */
    void release() {}

    /** The body as an array, for platforms that take one. */
    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size(), Integer.MAX_VALUE - 8));
      try {
        writeTo(out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e); // writing to memory does not fail
      }
      return out.toByteArray();
    }

    static Body of(ByteArrayOutputStream bytes) {
      return new Body() {
        @Override
        long size() {
          return bytes.size();
        }

        @Override
        void writeTo(OutputStream out) throws IOException {
          bytes.writeTo(out);
        }

        @Override
        byte[] bytes() {
          return bytes.toByteArray();
        }
      };
    }

    static Body of(SyncEngine.Body engine) {
      return new Body() {
        @Override
        long size() {
          return engine.size();
        }

        @Override
        void writeTo(OutputStream out) throws IOException {
          engine.writeTo(out);
        }

        @Override
        void release() {
          engine.release();
        }
      };
    }
  }

  /** How the request reaches the decoder: read from a stream, or bytes already in memory. */
  @FunctionalInterface
  interface Decoding {
    Request decode(RequestDecoder decoder) throws ProtocolFailure, IOException;
  }

  /** Serves one call whose request is read from {@code in}; throws only if reading it fails. */
  Reply answer(InputStream in, Instant deadline) throws IOException {
    return answer(d -> d.decode(in), deadline);
  }

  /** Serves one call whose request is already in memory. */
  Reply answer(byte[] request, Instant deadline) throws IOException {
    return answer(d -> d.decode(request), deadline);
  }

  /** Serves one call into a {@link Reply}; throws only if reading the request fails. */
  Reply answer(Decoding decoding, Instant deadline) throws IOException {
    long started = System.nanoTime();
    Request request;
    try {
      request = decoding.decode(decoder);
    } catch (ProtocolFailure e) {
      return fail(null, started, Outcome.BAD_REQUEST, "ProtocolError", e.getMessage(), Secrets.empty());
    }
    Secrets secrets = request.secrets().withNotSecret(notSecret);
    Request call = new Request(request.state(), secrets, request.syncId(), request.setupTest(),
        request.bucket(), request.file());
    String syncId = call.syncId().map(secrets::redact).orElse(null);
    // Every log line written while the call runs (HTTP toolkit, cache) carries its sync_id.
    return CallContext.with(syncId, () -> serve(call, secrets, syncId, started, deadline));
  }

  private Reply serve(Request request, Secrets secrets, String syncId, long started,
      Instant deadline) {
    // Rows accumulate inside the engine; the body is handed on only once it is whole, so a
    // failure at any point still leaves room for a clean error body.
    try {
      // Every reply carries the state (a setup test's verbatim): one holding a secret is refused.
      StateSecrets.reject(request.state(), secrets, () -> connector.schema(secrets));
      if (request.setupTest()) {
        connector.test(secrets);
        ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
        engine.writeSetupTestReply(request, body);
        log.setupTest(syncId, millisSince(started));
        return new Reply(Outcome.OK, Body.of(body));
      }
      SyncEngine.Answer answer = engine.sync(request, deadline);
      SyncEngine.Summary summary = answer.summary();
      for (String notice : summary.notices()) {
        log.notice(syncId, secrets.redact(notice));
      }
      log.call(syncId, millisSince(started), summary);
      return new Reply(Outcome.OK, Body.of(answer.body()));
    } catch (ProtocolFailure e) {
      return fail(syncId, started, Outcome.BAD_REQUEST, "ProtocolError", e.getMessage(), secrets);
    } catch (MissingSecretException | ConfigurationFailure e) {
      return fail(syncId, started, Outcome.BAD_REQUEST, "ConfigurationError", e.getMessage(), secrets);
    } catch (StagingFailure e) {
      return fail(syncId, started, Outcome.SOURCE_FAILURE, "StagingError", e.getMessage(), secrets);
    } catch (SourceFailure e) {
      return fail(syncId, started, Outcome.SOURCE_FAILURE, "SourceError", e.getMessage(), secrets);
    } catch (IOException e) {
      // The connector's test() and read() throw IOException here (a staged write's failure is a
      // StagingFailure); nothing is written to the platform's stream yet.
      return fail(syncId, started, Outcome.SOURCE_FAILURE, "SourceError",
          "source failed: " + describe(e), secrets);
    } catch (ConnectorFailure e) {
      return fail(syncId, started, Outcome.CONNECTOR_FAILURE, "ConnectorError", e.getMessage(), secrets);
    } catch (RuntimeException e) {
      return fail(syncId, started, Outcome.CONNECTOR_FAILURE, "ConnectorError",
          "unexpected " + e.getClass().getSimpleName() + ": " + describe(e), secrets);
    }
  }

  private Reply fail(String syncId, long started, Outcome outcome, String type, String message,
      Secrets secrets) {
    String safe = secrets.redact(message == null ? type : message);
    ByteArrayOutputStream body = errorBody(type, safe);
    log.failure(syncId, millisSince(started), outcome.name().toLowerCase(java.util.Locale.ROOT), type, safe);
    return new Reply(outcome, Body.of(body));
  }

  /**
   * {@code {"errorMessage", "errorType"}}, written as every error body is (also {@link HttpFront}'s
   * own 405 and 415); {@code message} must already be redacted.
   */
  ByteArrayOutputStream errorBody(String type, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.factory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("errorMessage", message);
      g.writeStringField("errorType", type);
      g.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // writing to memory does not fail
    }
    return out;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /**
   * Fails at start-up, not at the first call, when a connector's fixed tables are declared
   * wrongly. Connectors whose tables come from each connection's secrets may refuse
   * {@link Connector#schema()} ({@link MissingSecretException}, {@link UnsupportedOperationException}).
   */
  private static void checkDeclaredSchema(Connector connector) {
    try {
      if (connector.schema() == null) {
        throw new IllegalArgumentException(connector.getClass().getName()
            + ".schema() returned null; return Schema.of(...)");
      }
    } catch (MissingSecretException | UnsupportedOperationException secretsDecide) {
      // The tables are decided per connection by schema(Secrets).
    }
  }

  private static Set<String> declaredNotSecret(Connector connector) {
    Set<String> names = connector.notSecretKeys();
    if (names == null) {
      throw new IllegalArgumentException(connector.getClass().getName()
          + ".notSecretKeys() returned null; return Set.of() when every secret is secret");
    }
    return Set.copyOf(names);
  }

  /**
   * Loads and exercises the engine's code paths (JSON decoding and encoding, state, paging,
   * error bodies) with a built-in connector, for a snapshot (AWS SnapStart) or a warm-up. Does
   * not call this handler's connector, reads no secret, opens no connection.
   */
  public void prime() {
    Priming.run(config);
  }

  /** The configuration this handler runs with. */
  public EngineConfig config() {
    return config;
  }
}
