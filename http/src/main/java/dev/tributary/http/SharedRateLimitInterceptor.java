package dev.tributary.http;

import dev.tributary.cache.RateBudgetStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Makes every process that calls a source host back off together: when one is told to wait (a
 * 429 or 503 with {@code Retry-After}, in seconds or as an HTTP date), it records the host's
 * "not before" time in a shared {@link RateBudgetStore} — by maximum, so a shorter wait never
 * shortens a longer one — and before each request every process waits until that time.
 *
 * <p>The budget is kept per host as {@code host} or, for a non-default port, {@code host:port}.
 * A wait that would end later than the request's {@link Deadline} tag minus
 * {@link Builder#deadlineMargin}, or longer than {@link Builder#maxWait}, is not slept: the
 * interceptor throws {@link SourceUnavailableException} at once, and Fivetran retries the call
 * later from the last accepted state. A store that fails is logged and ignored (the request is
 * sent): a shared budget is an optimisation, never a reason to fail a sync.
 *
 * <p><b>With {@link RetryInterceptor}.</b> This interceptor only shares the budget; retries,
 * backoff with jitter and their bounds stay with {@code RetryInterceptor}. Add the retry
 * interceptor first and this one after it, so every attempt passes through the budget:
 *
 * <pre>{@code
 * OkHttpClient client = Http.client().newBuilder()
 *     .addInterceptor(RetryInterceptor.defaults())
 *     .addInterceptor(SharedRateLimitInterceptor.builder(FileRateBudgetStore.at(dir)).build())
 *     .build();
 * }</pre>
 *
 * <p>Each wait and each recorded back-off writes one JSON log line (host, path without query, wait)
 * redacted by the request's {@code Secrets} tag. Immutable and thread-safe.
 */
public final class SharedRateLimitInterceptor implements Interceptor {
  private final RateBudgetStore store;
  private final Duration maxWait;
  private final Duration deadlineMargin;
  private final Clock clock;
  private final RetryInterceptor.Sleeper sleeper;
  private final Consumer<String> logSink;

  private SharedRateLimitInterceptor(Builder b) {
    store = b.store;
    maxWait = b.maxWait;
    deadlineMargin = b.deadlineMargin;
    clock = b.clock;
    sleeper = b.sleeper;
    logSink = b.logSink;
  }

  /** A builder sharing the budget through {@code store}. */
  public static Builder builder(RateBudgetStore store) {
    return new Builder(store);
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** The key a request's host is budgeted under: {@code host}, or {@code host:port}. */
  static String budgetKey(HttpUrl url) {
    return url.port() == HttpUrl.defaultPort(url.scheme())
        ? url.host() : url.host() + ":" + url.port();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    String host = budgetKey(request.url());
    waitForBudget(request, host);
    Response response = chain.proceed(request);
    int code = response.code();
    if (code == 429 || code == 503) {
      Instant now = clock.instant();
      Duration retryAfter = RetryInterceptor.parseRetryAfter(response.header("Retry-After"), now);
      if (retryAfter != null && !retryAfter.isZero()) {
        try {
          Instant stored = store.raise(host, now.plus(retryAfter));
          log("INFO", "rate_budget_raised", request, "not_before_ms",
              Math.max(0, Duration.between(now, stored).toMillis()), null);
        } catch (IOException | RuntimeException e) {
          log("WARN", "rate_budget_failed", request, null, 0, Describe.error(e));
        }
      }
    }
    return response;
  }

  private void waitForBudget(Request request, String host) throws IOException {
    Instant notBefore;
    try {
      notBefore = store.notBefore(host);
    } catch (IOException | RuntimeException e) {
      log("WARN", "rate_budget_failed", request, null, 0, Describe.error(e));
      return;
    }
    Instant now = clock.instant();
    if (!notBefore.isAfter(now)) {
      return;
    }
    Duration wait = Duration.between(now, notBefore);
    Deadline deadline = request.tag(Deadline.class);
    String stop = null;
    if (wait.compareTo(maxWait) > 0) {
      stop = "the shared rate budget asks for a wait of " + wait.toMillis()
          + " ms, more than maxWait (" + maxWait.toMillis() + " ms)";
    } else if (deadline != null
        && now.plus(wait).plus(deadlineMargin).isAfter(deadline.instant())) {
      stop = "the shared rate budget asks for a wait of " + wait.toMillis()
          + " ms, past the call's deadline (in "
          + Math.max(0, deadline.remaining(clock).toMillis()) + " ms)";
    }
    if (stop != null) {
      throw new SourceUnavailableException(Describe.secrets(request).redact(
          Describe.request(request) + ": not sent, " + stop
              + "; the call fails and Fivetran retries it from the last accepted state"),
          429, null);
    }
    log("INFO", "rate_budget_wait", request, "wait_ms", wait.toMillis(), null);
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("interrupted waiting for the rate budget");
      ie.initCause(e);
      throw ie;
    }
  }

  private void log(String level, String event, Request request, String numberField, long number,
      String error) {
    logSink.accept(Describe.line(level, event, request, g -> {
      if (numberField != null) {
        g.writeNumberField(numberField, number);
      }
      if (error != null) {
        g.writeStringField("error", error);
      }
    }));
  }

  /** Configures a {@link SharedRateLimitInterceptor}; every default is stated on its setter. */
  public static final class Builder {
    private final RateBudgetStore store;
    private Duration maxWait = Duration.ofSeconds(120);
    private Duration deadlineMargin = Duration.ofSeconds(1);
    private Clock clock = Clock.systemUTC();
    private RetryInterceptor.Sleeper sleeper = RetryInterceptor.Sleeper.SYSTEM;
    private Consumer<String> logSink = Describe.stdout();

    private Builder(RateBudgetStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    private Builder(SharedRateLimitInterceptor i) {
      store = i.store;
      maxWait = i.maxWait;
      deadlineMargin = i.deadlineMargin;
      clock = i.clock;
      sleeper = i.sleeper;
      logSink = i.logSink;
    }

    /** The longest wait for the budget before failing the request instead; default 120 s. */
    public Builder maxWait(Duration wait) {
      if (wait.isNegative()) {
        throw new IllegalArgumentException("maxWait < 0: " + wait);
      }
      this.maxWait = wait;
      return this;
    }

    /** Time kept free before the request's {@link Deadline}; default 1 s. */
    public Builder deadlineMargin(Duration margin) {
      if (margin.isNegative()) {
        throw new IllegalArgumentException("deadlineMargin < 0: " + margin);
      }
      this.deadlineMargin = margin;
      return this;
    }

    /**
     * The clock not-before times and HTTP-date {@code Retry-After} values are read against;
     * default UTC. Processes sharing a store should have synchronised clocks (NTP).
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How to wait; default {@link RetryInterceptor.Sleeper#SYSTEM}. */
    public Builder sleeper(RetryInterceptor.Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Where wait and back-off lines go; default standard output. */
    public Builder logSink(Consumer<String> sink) {
      this.logSink = Objects.requireNonNull(sink, "logSink");
      return this;
    }

    public SharedRateLimitInterceptor build() {
      return new SharedRateLimitInterceptor(this);
    }
  }
}
