package dev.tributary.scheduled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.Connector;
import dev.tributary.FunctionHandler;
import dev.tributary.Secrets;
import dev.tributary.destination.Applied;
import dev.tributary.destination.Destination;
import dev.tributary.destination.Lease;
import dev.tributary.destination.LeaseHeldException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs a connector without Fivetran: one tick of a cloud scheduler syncs what it can into the
 * destination and leaves the rest to the next tick. The three cloud entry points (AWS
 * {@code TributaryScheduledHandler}, GCP {@code TributaryScheduledFunction}, Azure
 * {@code ScheduledTimer}) translate their platform's trigger into {@link #tick(Instant)}.
 *
 * <p>A tick takes the connection's lease, reads its state, and calls the connector in process
 * ({@link FunctionHandler}, as Fivetran would over the wire) with that state, the configured
 * secrets and one {@code sync_id}; it commits each response with its state in one transaction
 * ({@link Lease#apply}) and calls again while the response says {@code hasMore} and the deadline
 * leaves time for another call and its commit. A tick stopped by the deadline has committed
 * every response it got; the next tick resumes from there. A crash loses at most the call in
 * flight, which the next tick repeats.
 *
 * <p>Each tick logs one summary line ({@link TickSummary#toJson()}) to the engine's log sink —
 * rows per table, duration, stop reason, lag — and returns the summary; a failed tick is
 * {@link TickSummary#failed()}, and the entry points then fail the invocation. A tick never
 * throws for a connector, source or destination failure.
 *
 * <p>One instance per container; ticks of one instance must not overlap (the lease makes
 * overlapping ticks of different containers skip, {@link StopReason#LEASE_HELD}).
 */
public final class ScheduledSync {
  /** The least a call gets to read beyond its margins; below it the tick does not start one. */
  static final Duration MIN_CALL = Duration.ofSeconds(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ScheduledConfig config;
  private final FunctionHandler handler;
  private final String agent;
  private final Consumer<String> log;
  private final Secrets masks;

  /**
   * A scheduled sync of {@code connector}.
   *
   * @param platform names the caller in the request's {@code agent} ("AWS Lambda", …)
   */
  public ScheduledSync(Connector connector, ScheduledConfig config, String platform) {
    this.config = Objects.requireNonNull(config, "config");
    this.handler = new FunctionHandler(Objects.requireNonNull(connector, "connector"),
        config.engine());
    this.agent = "Tributary scheduled (" + Objects.requireNonNull(platform, "platform") + ")/"
        + config.connection();
    this.log = config.engine().logSink();
    this.masks = masks(config);
  }

  /** The configuration this sync runs with. */
  public ScheduledConfig config() {
    return config;
  }

  /**
   * Runs one tick: calls and commits until caught up or until {@code deadline} (the platform's,
   * already capped by the caller) leaves no time for another call; logs the summary line.
   */
  public TickSummary tick(Instant deadline) {
    Tick t = new Tick(Objects.requireNonNull(deadline, "deadline"));
    TickSummary summary = t.run();
    log.accept(summary.toJson());
    return summary;
  }

  /**
   * The deadline of a tick that starts now on a platform whose own deadline is {@code platform}
   * (empty when the platform does not tell, as on Cloud Functions and Azure): the earlier of it
   * and {@code TRIBUTARY_TIMEOUT_SECONDS} from now; {@code fallback} from now if neither is set.
   */
  public Instant deadline(Optional<Instant> platform, Duration fallback) {
    Instant now = Instant.now();
    Optional<Instant> configured = config.engine().callTimeout().map(now::plus);
    if (platform.isPresent() && configured.isPresent()) {
      return platform.get().isBefore(configured.get()) ? platform.get() : configured.get();
    }
    return platform.or(() -> configured).orElse(now.plus(fallback));
  }

  /** The state of one tick. */
  private final class Tick {
    final Instant deadline;
    final long started = System.nanoTime();
    final String syncId = UUID.randomUUID().toString();
    final Map<String, Applied.Counts> tables = new LinkedHashMap<>();
    final Lag lag = new Lag(config.engine().settleLag());
    String destination = "";
    int calls;

    Tick(Instant deadline) {
      this.deadline = deadline;
    }

    TickSummary run() {
      Duration perCall = config.applyMargin().plus(config.engine().deadlineMargin()).plus(MIN_CALL);
      if (Duration.between(Instant.now(), deadline).compareTo(perCall) < 0) {
        return end(StopReason.FAILED, "the tick has " + millis(Duration.between(Instant.now(), deadline))
            + " ms, less than one call needs (" + millis(perCall) + " ms: "
            + ScheduledConfig.APPLY_MARGIN + " + TRIBUTARY_DEADLINE_MARGIN_MS + 1 s): raise the"
            + " function's timeout or TRIBUTARY_TIMEOUT_SECONDS, or lower the margins");
      }
      try (Destination d = Destination.open(config.destinationUrl(), config.destinationOptions())) {
        destination = d.describe();
        try (Lease lease = d.lease(config.connection())) {
          return calls(lease, perCall);
        }
      } catch (LeaseHeldException e) {
        return end(StopReason.LEASE_HELD, null);
      } catch (RuntimeException e) {
        return end(StopReason.FAILED, masks.redact(describe(e)));
      }
    }

    private TickSummary calls(Lease lease, Duration perCall) {
      ObjectNode state = lease.state();
      while (true) {
        Instant callStart = Instant.now();
        lag.sawState(state, callStart);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FunctionHandler.Outcome outcome;
        try {
          outcome = handler.handle(new ByteArrayInputStream(request(state)), out,
              deadline.minus(config.applyMargin()));
        } catch (IOException e) {
          return end(StopReason.FAILED, "the call failed: " + masks.redact(describe(e)));
        }
        JsonNode response;
        try {
          response = Destination.reader().readTree(out.toByteArray());
        } catch (IOException e) {
          return end(StopReason.FAILED, "call " + (calls + 1) + " answered with something that"
              + " is not JSON");
        }
        if (outcome != FunctionHandler.Outcome.OK || response.has("errorMessage")) {
          // The engine masked the connector's secrets in its message already.
          return end(StopReason.FAILED, "call " + (calls + 1) + " failed ("
              + outcome.name().toLowerCase(java.util.Locale.ROOT) + "): "
              + response.path("errorType").asText("Error") + ": "
              + response.path("errorMessage").asText(""));
        }
        JsonNode next = response.get("state");
        JsonNode hasMore = response.get("hasMore");
        if (!(next instanceof ObjectNode nextState) || hasMore == null || !hasMore.isBoolean()) {
          return end(StopReason.FAILED, "call " + (calls + 1) + " answered without a state"
              + " object or a boolean hasMore; nothing of it was written");
        }
        Applied applied = lease.apply(state, response);
        calls++;
        applied.tables().forEach((table, c) -> tables.merge(table, c,
            (a, b) -> new Applied.Counts(a.upserted() + b.upserted(), a.deleted() + b.deleted())));
        lag.sawState(nextState, callStart);
        if (!hasMore.booleanValue()) {
          lag.caughtUp(nextState);
          return end(StopReason.CAUGHT_UP, null);
        }
        if (applied.rows() == 0 && nextState.equals(state)) {
          // The engine never does this; a loop on it would spin until the deadline.
          return end(StopReason.FAILED, "call " + calls + " said hasMore with no rows and an"
              + " unchanged state; stopped rather than call again with the same state");
        }
        state = nextState;
        if (Duration.between(Instant.now(), deadline).compareTo(perCall) < 0) {
          lag.stoppedAt(state);
          return end(StopReason.DEADLINE, null);
        }
      }
    }

    private byte[] request(ObjectNode state) {
      ObjectNode request = JSON.createObjectNode();
      request.put("agent", agent);
      request.set("state", state);
      request.set("secrets", config.secrets());
      request.put("sync_id", syncId);
      try {
        return JSON.writeValueAsBytes(request);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write the request", e);
      }
    }

    private TickSummary end(StopReason reason, String error) {
      return new TickSummary(config.connection(), syncId, destination, calls, tables,
          Duration.ofNanos(System.nanoTime() - started), reason,
          reason == StopReason.LEASE_HELD ? Optional.empty() : lag.at(Instant.now()),
          Optional.ofNullable(error));
    }
  }

  private static long millis(Duration d) {
    return Math.max(0, d.toMillis());
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** Every secret value and the password, masked in messages that did not come from the engine. */
  private static Secrets masks(ScheduledConfig config) {
    Map<String, Object> values = new HashMap<>(JSON.convertValue(config.secrets(), Map.class));
    config.destinationOptions().password().ifPresent(p -> values.put("\u0000destination_password", p));
    return Secrets.of(values);
  }
}
