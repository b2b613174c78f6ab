package dev.tributary.driver;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.destination.Applied;
import dev.tributary.destination.Destination;
import dev.tributary.destination.DestinationException;
import dev.tributary.destination.Lease;
import dev.tributary.destination.LeaseHeldException;
import dev.tributary.driver.internal.ProtocolChecker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Runs one sync of a connection the way Fivetran does, into a {@link Destination}: take the
 * connection's lease, call the function with the last committed state, check the response
 * against the protocol, apply its rows and its state in one transaction, repeat while {@code
 * hasMore}. Stops at {@code hasMore: false}, at an error response (state not advanced), at a
 * protocol violation or a response the destination refuses (nothing of it applied), or at a
 * limit. Because rows and state commit together, a run killed at any point resumes from the last
 * committed response: nothing is lost and nothing applied twice.
 *
 * <p>Built with {@link #builder}; {@link #sync()} may be called again for the next sync. Not
 * thread-safe: one sync at a time per instance (the lease keeps other processes out).
 */
public final class Driver {
  /** How a sync ended, with the exit code a command line returns for it. */
  public enum Result {
    /** The function answered {@code hasMore: false}; every response was applied. */
    SUCCESS(0),
    /** Another run holds the connection's lease: this run did nothing (it is doing the work). */
    SKIPPED(0),
    /** A response broke the protocol or a limit; it was not applied. */
    PROTOCOL_VIOLATION(2),
    /** The function answered an error, or could not be called; the state was not advanced. */
    CONNECTOR_ERROR(3),
    /** The destination could not be reached or refused a response; nothing of it was applied. */
    DESTINATION_ERROR(4);

    private final int exitCode;

    Result(int exitCode) {
      this.exitCode = exitCode;
    }

    /** 0 success (and skipped), 2 protocol violation, 3 connector error, 4 destination error. */
    public int exitCode() {
      return exitCode;
    }
  }

  /**
   * What a sync did: its calls, the bytes of the replies, how long it took, rows per table as the
   * destination applied them (in the order the responses named the tables), and the problems
   * found, each a line starting {@code error:}, {@code warning:} or {@code skipped:}.
   */
  public record Summary(Result result, int calls, long bytes, long millis,
      Map<String, Applied.Counts> tables, List<String> problems) {
    public Summary {
      tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
      problems = List.copyOf(problems);
    }

    /** Rows upserted and deleted, all tables. */
    public long rows() {
      return tables.values().stream().mapToLong(c -> c.upserted() + c.deleted()).sum();
    }
  }

  /** One applied call, for progress: its rows and reply bytes, and the sync's totals so far. */
  public record Call(int number, long rows, long bytes, long totalRows, long totalBytes,
      boolean hasMore) {}

  /** Hears what a sync does; every method does nothing by default. */
  public interface Listener {
    /** Hears nothing. */
    Listener NONE = new Listener() {};

    /** A call's response was applied. */
    default void applied(Call call) {}

    /** The sync ended (before {@link #sync()} returns its summary). */
    default void finished(Summary summary) {}
  }

  /** Fivetran ends a connection after more than this many empty responses with hasMore. */
  public static final int MAX_EMPTY_RESPONSES = 10;

  /** Requests keep every digit of the state's numbers, as the destination stored them. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private final Target target;
  private final Destination destination;
  private final String connection;
  private final Map<String, Object> secrets;
  private final ProtocolChecker checker;
  private final Duration callTimeout;
  private final Duration timeLimit;
  private final int maxCalls;
  private final String agent;
  private final Listener listener;

  private Driver(Builder b) {
    this.target = b.target;
    this.destination = b.destination;
    this.connection = b.connection;
    this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(b.secrets));
    this.checker = new ProtocolChecker(b.limitBytes, b.stateLimitBytes,
        ProtocolChecker.secretValues(secrets, b.notSecret));
    this.callTimeout = b.callTimeout;
    this.timeLimit = b.timeLimit;
    this.maxCalls = b.maxCalls;
    this.agent = b.agent;
    this.listener = b.listener;
  }

  /** A driver calling {@code target} and applying its responses to {@code destination}. */
  public static Builder builder(Target target, Destination destination) {
    return new Builder(target, destination);
  }

  /** Runs one sync: until {@code hasMore: false}, an error, a violation or a limit. */
  public Summary sync() {
    Run run = new Run();
    Lease lease;
    try {
      lease = destination.lease(connection);
    } catch (LeaseHeldException e) {
      run.problems.add("skipped: " + e.getMessage());
      return run.done(Result.SKIPPED, 0);
    } catch (DestinationException e) {
      return run.fail(Result.DESTINATION_ERROR, "taking the lease: " + e.getMessage(), 0);
    }
    try (lease) {
      return run.sync(lease);
    }
  }

  /** What one call leaves for the next: its state and the empty responses so far, or the end. */
  private record Step(ObjectNode state, int empty, Summary summary) {}

  /** A checked reply's parsed body and its size in bytes, or the end of the sync. */
  private record Received(JsonNode body, long length, Summary summary) {}

  /** The state of one sync in progress. */
  private final class Run {
    final long started = System.nanoTime();
    final String syncId = UUID.randomUUID().toString();
    final Map<String, long[]> tables = new LinkedHashMap<>();
    final List<String> problems = new ArrayList<>();
    long bytes;
    long rows;

    Summary sync(Lease lease) {
      ObjectNode state;
      try {
        state = lease.state();
      } catch (DestinationException e) {
        return fail(Result.DESTINATION_ERROR, "reading the state: " + e.getMessage(), 0);
      }
      int empty = 0;
      for (int call = 1; call <= maxCalls; call++) {
        if (System.nanoTime() - started > timeLimit.toNanos()) {
          return fail(Result.PROTOCOL_VIOLATION, "call " + call + ": the sync ran over its time"
              + " limit of " + timeLimit + " (--time-limit; Fivetran stops a sync after 6 hours)",
              call - 1);
        }
        // Each response lives in call()'s frame only: a local of this loop would keep the
        // previous response (its bytes and its tree) reachable while the next one is made.
        Step step = call(lease, state, call, empty);
        if (step.summary() != null) {
          return step.summary();
        }
        state = step.state();
        empty = step.empty();
      }
      return fail(Result.PROTOCOL_VIOLATION, "the sync did not finish within " + maxCalls
          + " calls (--max-calls): is hasMore stuck at true?", maxCalls);
    }

    /**
     * Makes call number {@code call} with {@code state} and applies its response; the sync's
     * summary if it ends here, else the next call's state and the count of empty responses.
     */
    private Step call(Lease lease, ObjectNode state, int call, int empty) {
      Received r = receive(state, call);
      if (r.summary() != null) {
        return new Step(null, empty, r.summary());
      }
      JsonNode body = r.body();
      boolean hasMore = body.get("hasMore").booleanValue();
      long callRows = ProtocolChecker.rows(body);
      if (hasMore && callRows == 0) {
        if (++empty > MAX_EMPTY_RESPONSES) {
          return new Step(null, empty, fail(Result.PROTOCOL_VIOLATION, "call " + call
              + ": more than " + MAX_EMPTY_RESPONSES + " consecutive empty responses with"
              + " hasMore: true; Fivetran ends the connection", call));
        }
      } else {
        empty = 0;
      }
      Applied applied;
      try {
        applied = lease.apply(state, body);
      } catch (DestinationException e) {
        return new Step(null, empty, fail(Result.DESTINATION_ERROR, "call " + call + ": "
            + e.getMessage(), call));
      }
      applied.tables().forEach((t, n) -> {
        long[] sum = tables.computeIfAbsent(t, k -> new long[2]);
        sum[0] += n.upserted();
        sum[1] += n.deleted();
      });
      rows += callRows;
      listener.applied(new Call(call, callRows, r.length(), rows, bytes, hasMore));
      return new Step((ObjectNode) body.get("state"), empty,
          hasMore ? null : done(Result.SUCCESS, call));
    }

    /**
     * Sends call number {@code call} and checks its reply: the parsed body (the reply's bytes
     * are not kept: the destination needs only the tree), or the summary of a sync that ends.
     */
    private Received receive(ObjectNode state, int call) {
      ObjectNode request = JSON.createObjectNode();
      request.put("agent", agent);
      request.set("state", state);
      request.set("secrets", JSON.valueToTree(secrets));
      request.put("sync_id", syncId);
      byte[] requestBytes;
      try {
        requestBytes = JSON.writeValueAsBytes(request);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }

      Target.Reply reply;
      try {
        reply = target.call(requestBytes, callTimeout);
      } catch (IOException e) {
        return new Received(null, 0, fail(Result.CONNECTOR_ERROR, "call " + call
            + ": calling the function (" + target.describe() + ") failed: " + briefly(e), call));
      }
      bytes += reply.body().length;
      JsonNode body = parse(reply.body());
      boolean violated = false;
      for (ProtocolChecker.Finding f : checker.check(call, reply.status(), reply.body(),
          reply.wireBytes(), body)) {
        problems.add((f.error() ? "error: " : "warning: ") + f.message());
        violated |= f.error();
      }
      if (violated) {
        return new Received(null, 0, done(Result.PROTOCOL_VIOLATION, call));
      }
      if (body.has("errorMessage")) {
        problems.add("call " + call + ": the function answered an error ("
            + body.path("errorType").asText("no errorType") + ", HTTP "
            + (reply.status() < 0 ? "n/a" : reply.status()) + "): "
            + body.path("errorMessage").asText() + " — state not advanced");
        return new Received(null, 0, done(Result.CONNECTOR_ERROR, call));
      }
      if (reply.status() >= 300) {
        return new Received(null, 0, fail(Result.PROTOCOL_VIOLATION, "call " + call + ": HTTP "
            + reply.status() + " with a body that is not an error response", call));
      }
      return new Received(body, reply.body().length, null);
    }

    Summary fail(Result r, String problem, int calls) {
      problems.add("error: " + problem);
      return done(r, calls);
    }

    Summary done(Result r, int calls) {
      Map<String, Applied.Counts> counts = new LinkedHashMap<>();
      tables.forEach((t, n) -> counts.put(t, new Applied.Counts(n[0], n[1])));
      Summary s = new Summary(r, calls, bytes, (System.nanoTime() - started) / 1_000_000, counts,
          problems);
      listener.finished(s);
      return s;
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode n = Destination.reader().readTree(body);
      return n == null || n.isMissingNode() ? null : n;
    } catch (IOException e) {
      return null;
    }
  }

  /** A throwable's message, or its class's simple name (and its cause's) when it has none. */
  static String briefly(Throwable t) {
    if (t.getMessage() != null && !t.getMessage().isBlank()) {
      return t.getMessage();
    }
    Throwable c = t.getCause();
    return t.getClass().getSimpleName() + (c == null ? "" : ": " + briefly(c));
  }

  /** Builds a {@link Driver}; every setting has Fivetran's default. */
  public static final class Builder {
    private final Target target;
    private final Destination destination;
    private String connection = "default";
    private final Map<String, Object> secrets = new LinkedHashMap<>();
    private final Set<String> notSecret = new LinkedHashSet<>();
    private long limitBytes = 6_000_000;
    private long stateLimitBytes = 1_000_000;
    private Duration callTimeout = Duration.ofSeconds(60);
    private Duration timeLimit = Duration.ofHours(6);
    private int maxCalls = 100_000;
    private String agent = "Tributary driver";
    private Listener listener = Listener.NONE;

    private Builder(Target target, Destination destination) {
      this.target = Objects.requireNonNull(target, "target == null");
      this.destination = Objects.requireNonNull(destination, "destination == null");
    }

    /**
     * The connection: names its state row and lease, and owns the tables it creates. Default
     * {@code default}.
     */
    public Builder connection(String connection) {
      this.connection = Objects.requireNonNull(connection, "connection == null");
      return this;
    }

    /** The secrets sent in every request (a JSON object's values). Default: none. */
    public Builder secrets(Map<String, ?> secrets) {
      this.secrets.clear();
      this.secrets.putAll(secrets);
      return this;
    }

    /**
     * Secret keys that are plain configuration (owner, repo): their values may appear in rows.
     * Every other secret value of 4 characters or more in a response is a violation.
     */
    public Builder notSecret(Iterable<String> keys) {
      keys.forEach(notSecret::add);
      return this;
    }

    /** The largest reply the platform carries; AWS Lambda's is 6 MB (default 6,000,000). */
    public Builder limitBytes(long limitBytes) {
      if (limitBytes < 1) {
        throw new IllegalArgumentException("limitBytes < 1: " + limitBytes);
      }
      this.limitBytes = limitBytes;
      return this;
    }

    /** The largest state accepted, in UTF-8 bytes (default 1,000,000). */
    public Builder stateLimitBytes(long stateLimitBytes) {
      if (stateLimitBytes < 1) {
        throw new IllegalArgumentException("stateLimitBytes < 1: " + stateLimitBytes);
      }
      this.stateLimitBytes = stateLimitBytes;
      return this;
    }

    /** The deadline of each call (default 60 s). */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = positive("callTimeout", callTimeout);
      return this;
    }

    /** The longest a sync may run; Fivetran's is 6 hours (the default). */
    public Builder timeLimit(Duration timeLimit) {
      this.timeLimit = positive("timeLimit", timeLimit);
      return this;
    }

    /** Stops a sync that makes more calls than this (default 100,000). */
    public Builder maxCalls(int maxCalls) {
      if (maxCalls < 1) {
        throw new IllegalArgumentException("maxCalls < 1: " + maxCalls);
      }
      this.maxCalls = maxCalls;
      return this;
    }

    /** The request's {@code agent} (default {@code Tributary driver}). */
    public Builder agent(String agent) {
      this.agent = Objects.requireNonNull(agent, "agent == null");
      return this;
    }

    /** Hears each applied call and the end of the sync (default {@link Listener#NONE}). */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    public Driver build() {
      return new Driver(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " <= 0: " + d);
      }
      return d;
    }
  }
}
