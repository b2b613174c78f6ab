package dev.tributary.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.destination.Destination;
import dev.tributary.destination.Lease;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Time per million rows into a destination (PostgreSQL by default), the way a sync writes them:
 * responses of {@code batch} rows, each applied with its state in one transaction. Four phases:
 * new keys, the same keys again (upserts of existing rows), append-only rows, and deletes. Only
 * {@code Lease.apply} is timed; building the responses is not.
 *
 * <p>{@code benchmarks/destination.sh [--rows N] [--batch N] [--url postgresql://…]}. The
 * default URL is the machine's PostgreSQL ({@code postgresql://postgres@127.0.0.1:5432/test}); a
 * schema of its own is created and dropped.
 */
public final class DestinationThroughput {
  /** One phase's measurement. */
  public record Phase(String name, long rows, long nanos) {
    public double secondsPerMillion() {
      return nanos / 1e9 / rows * 1_000_000;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private DestinationThroughput() {}

  public static void main(String[] args) throws IOException {
    String url = "postgresql://postgres@127.0.0.1:5432/test";
    int rows = 1_000_000;
    int batch = 10_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows":
          rows = Integer.parseInt(args[++i]);
          break;
        case "--batch":
          batch = Integer.parseInt(args[++i]);
          break;
        case "--url":
          url = args[++i];
          break;
        default:
          throw new IllegalArgumentException("unknown argument " + args[i]
              + "; use --rows N, --batch N, --url postgresql://…");
      }
    }
    run(url, rows, batch, System.out);
  }

  /** Runs every phase into a fresh schema of {@code url} and drops it; prints one line a phase. */
  public static List<Phase> run(String baseUrl, int rows, int batch, PrintStream out) {
    String schema = "tributary_bench_" + UUID.randomUUID().toString().substring(0, 8);
    String url = baseUrl + (baseUrl.contains("?") ? "&" : "?") + "schema=" + schema;
    List<Phase> phases = new ArrayList<>();
    try (Destination d = Destination.open(url)) {
      try (Lease lease = d.lease("bench")) {
        phases.add(phase(out, d, lease, "insert new keys", rows, batch, "insert", true));
        phases.add(phase(out, d, lease, "upsert existing keys", rows, batch, "insert", true));
        phases.add(phase(out, d, lease, "append (no key)", rows, batch, "insert", false));
        phases.add(phase(out, d, lease, "hard delete", rows, batch, "delete", true));
      } finally {
        d.query("DROP SCHEMA " + schema + " CASCADE");
      }
    }
    return phases;
  }

  private static Phase phase(PrintStream out, Destination d, Lease lease, String name, int rows,
      int batch, String section, boolean keyed) {
    long nanos = 0;
    JsonNode state = lease.state();
    Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
    for (int from = 0; from < rows; from += batch) {
      int to = Math.min(rows, from + batch);
      ObjectNode response = JSON.createObjectNode();
      response.putObject("state").put("phase", name).put("at", to);
      ArrayNode list = response.putObject(section).putArray(keyed ? "orders" : "events");
      for (int id = from; id < to; id++) {
        ObjectNode row = list.addObject().put("id", id);
        if (section.equals("insert")) {
          row.put("customer", "customer-" + (id % 9_973))
              .put("amount", BigDecimal.valueOf(id % 100_000, 2))
              .put("updated_at", t0.plusMillis(id).toString())
              .put("note", "row " + id + " of the throughput benchmark");
        }
      }
      if (keyed) {
        response.putObject("schema").putObject("orders").putArray("primary_key").add("id");
      }
      response.put("hasMore", to < rows);
      long start = System.nanoTime();
      lease.apply(state, response);
      nanos += System.nanoTime() - start;
      state = response.get("state");
    }
    Phase p = new Phase(name, rows, nanos);
    out.printf(Locale.ROOT, "%s %-22s %,10d rows in responses of %,d: %6.2f s per million rows"
            + " (%,.0f rows/s)%n", d.describe().replaceAll("\\?.*", ""), name, rows, batch,
        p.secondsPerMillion(), rows / (nanos / 1e9));
    return p;
  }
}
