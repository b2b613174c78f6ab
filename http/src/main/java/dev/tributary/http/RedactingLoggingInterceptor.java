package dev.tributary.http;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Logs one JSON line per request: method, host, path, the names (never the values) of the query
 * parameters, status and duration in ms — or the failure's exception class. No headers, no query
 * values, no bodies, and every line passes through the request's {@code Secrets.redact}.
 *
 * <pre>{@code {"ts":"…","level":"INFO","logger":"tributary.http","event":"http_request",
 *  "method":"GET","host":"api.example.com","path":"/v1/orders","query_params":["page","since"],
 *  "status":200,"duration_ms":41}}</pre>
 *
 * <p>Added after the {@link RetryInterceptor} (as {@link ApiClient} does), it logs every attempt.
 * Immutable and thread-safe.
 */
public final class RedactingLoggingInterceptor implements Interceptor {
  private final Consumer<String> sink;
  private final LongSupplier nanoTime;

  private RedactingLoggingInterceptor(Consumer<String> sink, LongSupplier nanoTime) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** Lines to standard output. */
  public static RedactingLoggingInterceptor toStdout() {
    return new RedactingLoggingInterceptor(Describe.stdout(), System::nanoTime);
  }

  /** Lines to {@code sink}. */
  public static RedactingLoggingInterceptor to(Consumer<String> sink) {
    return new RedactingLoggingInterceptor(sink, System::nanoTime);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    long start = nanoTime.getAsLong();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException | RuntimeException e) {
      long ms = (nanoTime.getAsLong() - start) / 1_000_000;
      sink.accept(Describe.line("WARN", "http_request", request, g -> {
        queryNames(g, request);
        g.writeStringField("error", e.getClass().getSimpleName());
        g.writeNumberField("duration_ms", ms);
      }));
      throw e;
    }
    long ms = (nanoTime.getAsLong() - start) / 1_000_000;
    int status = response.code();
    sink.accept(Describe.line(status >= 400 ? "WARN" : "INFO", "http_request", request, g -> {
      queryNames(g, request);
      g.writeNumberField("status", status);
      g.writeNumberField("duration_ms", ms);
    }));
    return response;
  }

  private static void queryNames(com.fasterxml.jackson.core.JsonGenerator g, Request request)
      throws IOException {
    if (request.url().querySize() == 0) {
      return;
    }
    g.writeArrayFieldStart("query_params");
    for (String name : request.url().queryParameterNames()) {
      g.writeString(name);
    }
    g.writeEndArray();
  }

  @Override
  public String toString() {
    return "RedactingLoggingInterceptor";
  }
}
