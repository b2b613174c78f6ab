package dev.tributary.scheduled;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How far a tick left the destination behind the source, read from the engine's state (its
 * documented envelope: {@code sync.horizon}, {@code sync.done}, {@code tables.*.position}).
 *
 * <p>Caught up, the destination holds every row below the finished sync's horizon: its
 * {@code sync.horizon} when a state showed it, else the start of the call that began the sync
 * minus the settle lag (the engine's horizon on the host clock; a connector with a source clock
 * differs by the clocks' skew). Stopped mid-sync, it holds the rows up to the oldest timestamp
 * position of a table the sync has not finished; with no such position the lag is unknown.
 */
final class Lag {
  private final Duration settleLag;
  private Instant horizon;
  private Instant completeUpTo;

  Lag(Duration settleLag) {
    this.settleLag = settleLag;
  }

  /** A call starts with {@code state}: a state without a sync in progress starts one now. */
  void sawState(JsonNode state, Instant callStart) {
    Optional<Instant> h = instant(state.path("sync").path("horizon"));
    if (h.isPresent()) {
      horizon = h.get();
    } else if (!state.path("sync").isObject() && horizon == null) {
      horizon = callStart.minus(settleLag);
    }
  }

  /** The sync finished with {@code state}. */
  void caughtUp(JsonNode state) {
    completeUpTo = horizon;
  }

  /** The tick stopped mid-sync; {@code state} is the last committed. */
  void stoppedAt(JsonNode state) {
    Set<String> done = new HashSet<>();
    state.path("sync").path("done").forEach(d -> done.add(d.asText()));
    Instant oldest = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = state.path("tables").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> table = it.next();
      if (done.contains(table.getKey())
          || !"timestamp".equals(table.getValue().path("cursor_type").asText())) {
        continue;
      }
      Optional<Instant> at = instant(table.getValue().path("position").path(0));
      if (at.isEmpty()) {
        continue;
      }
      oldest = oldest == null || at.get().isBefore(oldest) ? at.get() : oldest;
    }
    completeUpTo = oldest;
  }

  /** The lag at {@code now}, if known. */
  Optional<Duration> at(Instant now) {
    if (completeUpTo == null) {
      return Optional.empty();
    }
    Duration lag = Duration.between(completeUpTo, now);
    return Optional.of(lag.isNegative() ? Duration.ZERO : lag);
  }

  private static Optional<Instant> instant(JsonNode node) {
    if (!node.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(node.asText()).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty(); // "infinity", a year past 9999: not a lag anyone can act on
    }
  }
}
