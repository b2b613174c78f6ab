package dev.tributary.scheduled;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.destination.Applied;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one tick of a scheduled sync did: the one line it logs, and what an entry point answers.
 *
 * @param connection the connection's name
 * @param syncId the {@code sync_id} of the tick's calls
 * @param destination the destination, without its password
 * @param calls calls whose responses were committed
 * @param tables rows upserted and deleted per table, over all committed responses
 * @param duration from the tick's start to its end
 * @param stopReason why the tick ended
 * @param lag how far the destination is behind the source: the time since the horizon it is
 *     complete up to (see the deploy guides); empty when the state cannot tell
 * @param error what failed, secrets masked; empty unless {@link StopReason#FAILED}
 */
public record TickSummary(String connection, String syncId, String destination, int calls,
    Map<String, Applied.Counts> tables, Duration duration, StopReason stopReason,
    Optional<Duration> lag, Optional<String> error) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public TickSummary {
    Objects.requireNonNull(stopReason, "stopReason");
    tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
  }

  /** Rows upserted and deleted in all tables. */
  public long rows() {
    return tables.values().stream().mapToLong(c -> c.upserted() + c.deleted()).sum();
  }

  /** True if the tick failed: the entry point must fail the invocation. */
  public boolean failed() {
    return stopReason == StopReason.FAILED;
  }

  /**
   * This summary, or a {@link ScheduledSyncException} carrying it if the tick failed.
   *
   * @throws ScheduledSyncException if {@link #failed()}
   */
  public TickSummary orThrow() {
    if (failed()) {
      throw new ScheduledSyncException(this);
    }
    return this;
  }

  /** The summary as one JSON line (no row values, no secrets). */
  public String toJson() {
    ObjectNode line = JSON.createObjectNode();
    line.put("event", "scheduled_sync");
    line.put("connection", connection);
    line.put("sync_id", syncId);
    line.put("destination", destination);
    line.put("stop_reason", stopReason.logName());
    line.put("calls", calls);
    line.put("rows", rows());
    ObjectNode perTable = line.putObject("tables");
    tables.forEach((table, c) -> perTable.putObject(table)
        .put("upserted", c.upserted()).put("deleted", c.deleted()));
    line.put("duration_ms", duration.toMillis());
    if (lag.isPresent()) {
      line.put("lag_seconds", lag.get().toMillis() / 1000.0);
    } else {
      line.putNull("lag_seconds");
    }
    error.ifPresent(e -> line.put("error", e));
    return line.toString();
  }
}
