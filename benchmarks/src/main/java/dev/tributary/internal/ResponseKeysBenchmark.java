package dev.tributary.internal;

import dev.tributary.Row;
import dev.tributary.Table;
import dev.tributary.ValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What "a primary key appears at most once per response" costs per row: hashing each row's key
 * and checking it against the keys already in the response ({@link KeySet}), for a response of
 * 50,000 rows, beside the same check with a {@code HashSet<Long>} and the hashing alone. Each
 * trial ends by printing the key set's footprint per row it holds (the bound is 16).
 *
 * <p>Run: {@code benchmarks/jmh.sh ResponseKeys}. In the same shape as a connector's rows: a
 * numeric id (a {@code Long}) and a composite key of a string and a number.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseKeysBenchmark {
  @Param({"50000"})
  int rows;

  @Param({"id", "composite"})
  String key;

  Table table;
  List<Row> page;

  @Setup(Level.Trial)
  public void rows() {
    table = key.equals("id")
        ? Table.incremental("orders").primaryKey("id").cursor("updated_at").tiebreaker("id", ValueType.NUMBER)
        : Table.incremental("order_lines").primaryKey("order_ref", "line_no").cursor("updated_at")
            .tiebreaker("line_no", ValueType.NUMBER);
    page = new ArrayList<>(rows);
    for (long i = 0; i < rows; i++) {
      page.add(key.equals("id")
          ? Row.of(Map.of("id", 1_000_000 + i, "updated_at", "2024-05-01T10:00:00Z"))
          : Row.of(Map.of("order_ref", "ORD-" + (i / 4), "line_no", i % 4,
              "updated_at", "2024-05-01T10:00:00Z")));
    }
  }

  /** One response's worth of rows through the engine's key check; returns ns per response. */
  @Benchmark
  public int keySet() {
    KeySet keys = new KeySet();
    for (int i = 0, n = page.size(); i < n; i++) {
      long h = KeySet.keyHash(table, page.get(i));
      if (!keys.contains(h)) {
        keys.add(h);
      }
    }
    return keys.size();
  }

  /** Prints the key set's footprint per row it holds (deterministic: the bound is 16). */
  @TearDown(Level.Trial)
  public void footprint() {
    KeySet keys = new KeySet();
    for (Row r : page) {
      keys.add(KeySet.keyHash(table, r));
    }
    System.out.printf("%nkey set: %d keys in %d bytes, %.2f bytes per row%n", keys.size(),
        keys.footprintBytes(), (double) keys.footprintBytes() / keys.size());
  }

  /** The same hashes in a {@code HashSet<Long>}: what the obvious implementation would cost. */
  @Benchmark
  public int hashSetOfLongs() {
    HashSet<Long> keys = new HashSet<>();
    for (int i = 0, n = page.size(); i < n; i++) {
      keys.add(KeySet.keyHash(table, page.get(i)));
    }
    return keys.size();
  }

  /** Hashing alone: the part of the cost that is the key, not the set. */
  @Benchmark
  public long hashOnly() {
    long x = 0;
    for (int i = 0, n = page.size(); i < n; i++) {
      x ^= KeySet.keyHash(table, page.get(i));
    }
    return x;
  }
}
