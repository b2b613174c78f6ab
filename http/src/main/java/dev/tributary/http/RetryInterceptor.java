package dev.tributary.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Retries what a source means to be temporary, within bounds and never past the call's deadline.
 *
 * <ul>
 *   <li>429 and 503 wait as long as {@code Retry-After} says (delta-seconds or an HTTP date); a
 *       missing, unparseable or past value falls back to the backoff.
 *   <li>Rate limits in GitHub's style: a 403 or 429 with {@code X-RateLimit-Remaining: 0} and
 *       {@code X-RateLimit-Reset: <epoch seconds>} waits until the reset plus
 *       {@link Builder#rateLimitMargin} (the reset has second precision and the source's clock is
 *       not ours); a 403 with {@code Retry-After} (GitHub's secondary rate limit) waits as long as
 *       it says. Any other 403 is a refusal and passes through, not retried.
 *   <li>Other 5xx, read/connect timeouts ({@link SocketTimeoutException}) and failed or reset
 *       connections (any other {@link IOException} from the chain, except TLS certificate
 *       failures and cancellation) wait an exponential backoff with full jitter: a uniformly
 *       random time in {@code [0, min(maxDelay, baseDelay · 2^(retry − 1))]}.
 *   <li>Only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are retried, and others
 *       tagged {@link RetrySafe#YES}; one-shot bodies never are.
 * </ul>
 *
 * <p>Bounds: at most {@link Builder#maxAttempts} attempts, at most {@link Builder#maxTotalWait} of
 * waiting in all, and never a wait that would end later than the request's {@link Deadline} tag
 * minus {@link Builder#deadlineMargin}. With a deadline tag, each attempt's connect, read and
 * write timeouts are also cut to the time left. When a bound stops the retries the interceptor
 * throws {@link SourceUnavailableException} at once instead of sleeping: thrown from
 * {@code Connector.read}, it fails the call, and Fivetran retries the call later from the last
 * accepted state (nothing is lost). A non-retryable request's response or failure is passed
 * through unchanged.
 *
 * <p>Each retry writes one JSON log line (method, host, path without query, status, attempt, wait,
 * reason) — no headers, no query, redacted by the request's {@code Secrets} tag.
 *
 * <p>Immutable and thread-safe; add one instance to the container's client.
 */
public final class RetryInterceptor implements Interceptor {
  /** Waits; replaceable in tests. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep}. */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
  }

  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
  private static final RetryInterceptor DEFAULTS = builder().build();

  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final Duration maxTotalWait;
  private final Duration deadlineMargin;
  private final Duration rateLimitMargin;
  private final Clock clock;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final Consumer<String> logSink;

  private RetryInterceptor(Builder b) {
    maxAttempts = b.maxAttempts;
    baseDelay = b.baseDelay;
    maxDelay = b.maxDelay;
    maxTotalWait = b.maxTotalWait;
    deadlineMargin = b.deadlineMargin;
    rateLimitMargin = b.rateLimitMargin;
    clock = b.clock;
    sleeper = b.sleeper;
    random = b.random;
    logSink = b.logSink;
  }

  /** An interceptor with the defaults documented on {@link Builder}. */
  public static RetryInterceptor defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Deadline deadline = request.tag(Deadline.class);
    boolean retryable = isRetryable(request);
    Duration waited = Duration.ZERO;
    for (int attempt = 1; ; attempt++) {
      Response response = null;
      IOException failure = null;
      try {
        response = withTimeLeft(chain, request, deadline).proceed(request);
      } catch (IOException e) {
        if (!retryable || !isTemporary(e, chain)) {
          throw e;
        }
        failure = e;
      }
      Instant reset = response == null ? null : rateLimitReset(response);
      Duration retryAfter = response == null ? null : retryAfter(response);
      if (response != null && (!retryable
          || (!isTemporary(response.code()) && reset == null && retryAfter == null))) {
        return response;
      }
      int status = response == null ? 0 : response.code();
      Duration wait;
      String reason;
      if (reset != null) {
        Duration untilReset = Duration.between(clock.instant(), reset);
        wait = (untilReset.isNegative() ? Duration.ZERO : untilReset).plus(rateLimitMargin);
        reason = "rate-limit-reset";
      } else if (retryAfter != null) {
        wait = retryAfter;
        reason = "retry-after";
      } else {
        wait = backoff(attempt);
        reason = "backoff";
      }
      String stop = null;
      if (attempt >= maxAttempts) {
        stop = "after " + attempt + " attempts";
      } else if (waited.plus(wait).compareTo(maxTotalWait) > 0) {
        stop = "a further wait of " + millis(wait) + " ms would exceed maxTotalWait ("
            + millis(maxTotalWait) + " ms)";
      } else if (deadline != null
          && clock.instant().plus(wait).plus(deadlineMargin).isAfter(deadline.instant())) {
        stop = "a further wait of " + millis(wait) + " ms would pass the call's deadline (in "
            + Math.max(0, millis(deadline.remaining(clock))) + " ms)";
      }
      if (response != null) {
        response.close();
      }
      if (stop != null) {
        throw new SourceUnavailableException(Describe.secrets(request).redact(
            Describe.request(request) + ": " + (failure == null ? "HTTP " + status
                : Describe.error(failure))
                + (reset == null ? "" : " (rate limit exhausted until " + reset + ")")
                + ", giving up: " + stop
                + "; the call fails and Fivetran retries it from the last accepted state"),
            status, failure);
      }
      log(request, status, failure, attempt, wait, reason);
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException ie = new InterruptedIOException("interrupted while waiting to retry");
        ie.initCause(e);
        throw ie;
      }
      waited = waited.plus(wait);
    }
  }

  private static boolean isRetryable(Request request) {
    if (request.body() != null && request.body().isOneShot()) {
      return false;
    }
    return IDEMPOTENT.contains(request.method()) || request.tag(RetrySafe.class) != null;
  }

  private static boolean isTemporary(int status) {
    return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
  }

  private static boolean isTemporary(IOException e, Chain chain) {
    if (chain.call().isCanceled() || e instanceof SourceHttpException) {
      return false;
    }
    if (e instanceof SSLPeerUnverifiedException || e instanceof SSLHandshakeException) {
      return false; // a certificate problem does not go away by waiting
    }
    // A SocketTimeoutException is a timeout to retry; other interruptions are a call timeout or
    // a thread being stopped, which must end the call.
    return e instanceof SocketTimeoutException || !(e instanceof InterruptedIOException);
  }

  private Chain withTimeLeft(Chain chain, Request request, Deadline deadline) throws IOException {
    if (deadline == null) {
      return chain;
    }
    long left = millis(deadline.remaining(clock));
    if (left <= 0) {
      throw new SourceUnavailableException(Describe.request(request)
          + ": not sent, the call's deadline has passed; Fivetran retries the call from the last"
          + " accepted state", 0, null);
    }
    Chain c = chain;
    // A timeout of 0 means none in OkHttp: keep every timeout at least 1 ms.
    if (c.connectTimeoutMillis() == 0 || c.connectTimeoutMillis() > left) {
      c = c.withConnectTimeout((int) left, TimeUnit.MILLISECONDS);
    }
    if (c.readTimeoutMillis() == 0 || c.readTimeoutMillis() > left) {
      c = c.withReadTimeout((int) left, TimeUnit.MILLISECONDS);
    }
    if (c.writeTimeoutMillis() == 0 || c.writeTimeoutMillis() > left) {
      c = c.withWriteTimeout((int) left, TimeUnit.MILLISECONDS);
    }
    return c;
  }

  /**
   * The Retry-After of a 429 or 503 (or of a 403: a secondary rate limit), or null if absent,
   * unparseable or in the past.
   */
  Duration retryAfter(Response response) {
    int code = response.code();
    if (code != 429 && code != 503 && code != 403) {
      return null;
    }
    return parseRetryAfter(response.header("Retry-After"), clock.instant());
  }

  /**
   * When the rate limit of a 403 or 429 with {@code X-RateLimit-Remaining: 0} resets, from its
   * {@code X-RateLimit-Reset} (epoch seconds); null if either header is absent or unreadable.
   */
  static Instant rateLimitReset(Response response) {
    if (response.code() != 403 && response.code() != 429) {
      return null;
    }
    String remaining = response.header("X-RateLimit-Remaining");
    String reset = response.header("X-RateLimit-Reset");
    if (remaining == null || !remaining.trim().equals("0") || reset == null) {
      return null;
    }
    String v = reset.trim();
    if (v.isEmpty() || v.length() > 12 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return null;
    }
    return Instant.ofEpochSecond(Long.parseLong(v));
  }

  static Duration parseRetryAfter(String value, Instant now) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    if (!v.isEmpty() && v.length() <= 10 && v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() || d.isZero() ? null : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Full jitter: uniform in [0, min(maxDelay, baseDelay · 2^(attempt − 1))]. */
  Duration backoff(int attempt) {
    long base = baseDelay.toNanos();
    long cap = maxDelay.toNanos();
    int shift = Math.min(attempt - 1, 62);
    long ceiling = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
    double r = random.getAsDouble();
    return Duration.ofNanos((long) (Math.min(Math.max(r, 0d), 1d) * ceiling));
  }

  private void log(Request request, int status, IOException failure, int attempt, Duration wait,
      String reason) {
    logSink.accept(Describe.line("WARN", "http_retry", request, g -> {
      if (failure == null) {
        g.writeNumberField("status", status);
      } else {
        g.writeStringField("error", failure.getClass().getSimpleName());
      }
      g.writeNumberField("attempt", attempt);
      g.writeNumberField("wait_ms", millis(wait));
      g.writeStringField("reason", reason);
    }));
  }

  private static long millis(Duration d) {
    return d.toMillis();
  }

  /** Configures a {@link RetryInterceptor}; every default is stated on its setter. */
  public static final class Builder {
    private int maxAttempts = 5;
    private Duration baseDelay = Duration.ofMillis(500);
    private Duration maxDelay = Duration.ofSeconds(30);
    private Duration maxTotalWait = Duration.ofSeconds(120);
    private Duration deadlineMargin = Duration.ofSeconds(1);
    private Duration rateLimitMargin = Duration.ofSeconds(1);
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private Consumer<String> logSink = Describe.stdout();

    private Builder() {}

    private Builder(RetryInterceptor r) {
      maxAttempts = r.maxAttempts;
      baseDelay = r.baseDelay;
      maxDelay = r.maxDelay;
      maxTotalWait = r.maxTotalWait;
      deadlineMargin = r.deadlineMargin;
      rateLimitMargin = r.rateLimitMargin;
      clock = r.clock;
      sleeper = r.sleeper;
      random = r.random;
      logSink = r.logSink;
    }

    /** Attempts in all, the first included; default 5. 1 disables retries. */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts < 1: " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** The backoff ceiling of the first retry, doubled for each further one; default 500 ms. */
    public Builder baseDelay(Duration delay) {
      this.baseDelay = positive("baseDelay", delay);
      return this;
    }

    /** The largest backoff ceiling (the cap of the full jitter); default 30 s. */
    public Builder maxDelay(Duration delay) {
      this.maxDelay = positive("maxDelay", delay);
      return this;
    }

    /** The most time one request may spend waiting between attempts, in all; default 120 s. */
    public Builder maxTotalWait(Duration wait) {
      this.maxTotalWait = positive("maxTotalWait", wait);
      return this;
    }

    /**
     * Time kept free before the request's {@link Deadline} for the retried request itself and for
     * the engine to answer; default 1 s.
     */
    public Builder deadlineMargin(Duration margin) {
      if (margin.isNegative()) {
        throw new IllegalArgumentException("deadlineMargin < 0: " + margin);
      }
      this.deadlineMargin = margin;
      return this;
    }

    /**
     * Time added to a rate limit's {@code X-RateLimit-Reset} before the next attempt, for the
     * reset's second precision and the difference between the source's clock and ours; default
     * 1 s.
     */
    public Builder rateLimitMargin(Duration margin) {
      if (margin.isNegative()) {
        throw new IllegalArgumentException("rateLimitMargin < 0: " + margin);
      }
      this.rateLimitMargin = margin;
      return this;
    }

    /**
     * The clock deadlines, rate-limit resets and HTTP-date {@code Retry-After} values are read
     * against; default UTC.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How to wait; default {@link Sleeper#SYSTEM}. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Uniform randoms in {@code [0, 1)} for the jitter; default {@link ThreadLocalRandom}. */
    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Where retry lines go; default standard output (what every function platform ingests). */
    public Builder logSink(Consumer<String> sink) {
      this.logSink = Objects.requireNonNull(sink, "logSink");
      return this;
    }

    public RetryInterceptor build() {
      return new RetryInterceptor(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " <= 0: " + d);
      }
      return d;
    }
  }
}
