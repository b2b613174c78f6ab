package dev.tributary.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.EngineConfig;
import dev.tributary.Position;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.ValueType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a child table's partition costs in state: the bytes each parent's position takes in the
 * encoded state, the share of the default {@code maxStateBytes} that {@code maxPartitions} (the
 * default 10,000) of them take, and the time per partition to decode and encode the state, as
 * every call does. Partitions keyed by a numeric parent id with a microsecond timestamp cursor
 * and a numeric tiebreaker, as an {@code order_lines} child of {@code orders} keeps them: the
 * measured shape has parents first seen in cursor order (37 ms apart, ids rising by 3); a second
 * line, for comparison only, scatters the cursors over 30 days and the tiebreakers over 10^8
 * (seeded), which state version 2's differences compress least.
 *
 * <pre>benchmarks/state.sh [PARTITIONS] [REPETITIONS]</pre>
 */
public final class StatePartitions {
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);
  static final Table LINES = Table.incremental("order_lines").primaryKey("order_id", "line_no")
      .cursor("updated_at").tiebreaker("id", ValueType.NUMBER).partitionedBy("orders");

  private StatePartitions() {}

  /** One measurement: bytes per partition, share of the cap, microseconds per partition. */
  public record Result(int partitions, double bytesPerPartition, double shareOfDefaultCap,
      double medianMicrosPerPartition, double minMicros, double maxMicros) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : EngineConfig.builder().build().maxPartitions();
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    print("", run(n, reps), reps);
    print(" (scattered, for comparison)", run(n, reps, true), reps);
  }

  private static void print(String what, Result r, int reps) {
    System.out.printf("%,d partitions%s: %.1f bytes each, %.1f%% of the default maxStateBytes (%,d);"
        + " decode+encode %.2f µs per partition (median of %d, %.2f–%.2f)%n", r.partitions(), what,
        r.bytesPerPartition(), r.shareOfDefaultCap() * 100, EngineConfig.builder().build().maxStateBytes(),
        r.medianMicrosPerPartition(), reps, r.minMicros(), r.maxMicros());
  }

  public static Result run(int n, int reps) throws Exception {
    return run(n, reps, false);
  }

  /** @param scattered cursors over 30 days and tiebreakers over 10^8 instead of in step */
  public static Result run(int n, int reps, boolean scattered) throws Exception {
    EngineConfig config = EngineConfig.builder().build();
    Json json = new Json(config);
    Schema schema = Schema.of(ORDERS, LINES);
    StateCodec codec = new StateCodec(json, schema);
    Instant base = Instant.parse("2024-05-01T09:00:00.123456Z");
    Map<String, Position> parts = new LinkedHashMap<>();
    java.util.Random random = new java.util.Random(18);
    for (int i = 0; i < n; i++) {
      parts.put("[" + (1_000_000 + i) + "]", scattered
          ? Position.of(base.plusNanos(random.nextLong(30L * 86_400_000_000L) * 1000),
              BigDecimal.valueOf(random.nextLong(100_000_000L)))
          : Position.of(base.plusMillis(i * 37L + 1), BigDecimal.valueOf(5_000_000L + i * 3L)));
    }
    StateSnapshot.TableEntry lines = new StateSnapshot.TableEntry("updated_at", ValueType.TIMESTAMP,
        "id", ValueType.NUMBER, Position.of(base, BigDecimal.valueOf(7)), null, null, null, parts);
    StateSnapshot.TableEntry orders = new StateSnapshot.TableEntry("updated_at", ValueType.TIMESTAMP,
        "id", ValueType.NUMBER, Position.of(base, BigDecimal.valueOf(1_000_000L + n)), null, null,
        null, Map.of());
    StateSnapshot withParts = new StateSnapshot(null, List.of(), Map.of(), 0,
        Map.of("orders", orders, "order_lines", lines), Map.of());
    StateSnapshot without = new StateSnapshot(null, List.of(), Map.of(), 0,
        Map.of("orders", orders, "order_lines", new StateSnapshot.TableEntry("updated_at",
            ValueType.TIMESTAMP, "id", ValueType.NUMBER, Position.of(base, BigDecimal.valueOf(7)),
            null, null, null, Map.of())), Map.of());
    byte[] encoded = codec.encode(withParts);
    double perPartition = (encoded.length - codec.encode(without).length) / (double) n;
    List<Double> micros = new ArrayList<>();
    for (int r = 0; r < reps + 5; r++) {
      long t0 = System.nanoTime();
      ObjectNode node = (ObjectNode) json.mapper().readTree(encoded);
      StateSnapshot decoded = codec.decode(node).state();
      byte[] again = codec.encode(SyncState.from(decoded).snapshot());
      long t1 = System.nanoTime();
      if (again.length != encoded.length) {
        throw new IllegalStateException("state changed in a round trip");
      }
      if (r >= 5) {
        micros.add((t1 - t0) / 1e3 / n);
      }
    }
    Collections.sort(micros);
    return new Result(n, perPartition, perPartition * n / config.maxStateBytes(),
        micros.get(micros.size() / 2), micros.get(0), micros.get(micros.size() - 1));
  }
}
