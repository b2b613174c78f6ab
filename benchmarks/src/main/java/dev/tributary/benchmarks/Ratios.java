package dev.tributary.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs a benchmark class and prints each variant's median time per call (with the spread over
 * measurement iterations), its allocation per call, and its speed relative to the references
 * measured in the same run — the machine is shared and noisy, so only side-by-side ratios mean
 * anything. Above 1 is faster than the reference.
 *
 * <pre>
 * benchmarks/ratios.sh [response|passthrough] [quick]
 * </pre>
 */
public final class Ratios {
  private Ratios() {}

  /** A benchmark class and the variants its others are compared with. */
  private record Suite(Class<?> benchmark, List<String> references) {}

  private static final Map<String, Suite> SUITES = Map.of(
      "response", new Suite(ResponsePathBenchmark.class, List.of("oneGenerator", "naiveHandler")),
      "passthrough", new Suite(PassThroughBenchmark.class, List.of("tokenizeOnly", "naive")));

  public static void main(String[] args) throws RunnerException {
    String name = args.length > 0 && SUITES.containsKey(args[0]) ? args[0] : "response";
    boolean quick = List.of(args).contains("quick");
    Suite suite = SUITES.get(name);
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(suite.benchmark().getSimpleName())
        .addProfiler(GCProfiler.class);
    if (quick) {
      options.warmupIterations(2).measurementIterations(3);
    }
    print(suite, new Runner(options.build()).run());
  }

  private static void print(Suite suite, Collection<RunResult> results) {
    // parameters other than the benchmark -> variant -> {median ms, min, max, bytes per call}
    Map<String, Map<String, double[]>> table = new LinkedHashMap<>();
    for (RunResult r : results) {
      List<String> params = new ArrayList<>();
      for (String key : r.getParams().getParamsKeys()) {
        params.add(key + "=" + r.getParams().getParam(key));
      }
      String variant = r.getParams().getBenchmark().replaceAll(".*\\.", "");
      List<Double> scores = new ArrayList<>();
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult i : b.getIterationResults()) {
          scores.add(i.getPrimaryResult().getScore());
        }
      }
      scores.sort(Double::compare);
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      table.computeIfAbsent(String.join(" ", params), k -> new LinkedHashMap<>()).put(variant,
          new double[] {scores.get(scores.size() / 2), scores.get(0),
              scores.get(scores.size() - 1), alloc == null ? Double.NaN : alloc.getScore()});
    }
    String r1 = suite.references().get(0);
    String r2 = suite.references().get(1);
    System.out.println();
    System.out.printf("%-24s %-14s %10s %17s %10s %10s %10s %10s%n", "parameters", "variant",
        "median ms", "spread ms", "alloc MB", "vs " + r1, "vs " + r2, "alloc/" + r1);
    for (Map.Entry<String, Map<String, double[]>> p : table.entrySet()) {
      double[] a = p.getValue().get(r1);
      double[] b = p.getValue().get(r2);
      for (Map.Entry<String, double[]> v : p.getValue().entrySet()) {
        double[] x = v.getValue();
        // An allocation ratio over a reference that allocates next to nothing says nothing.
        String allocRatio = a[3] > 1e6 ? String.format("%10.2f", x[3] / a[3]) : "         -";
        System.out.printf("%-24s %-14s %10.1f %8.1f – %-6.1f %10.1f %10.2f %10.2f %s%n",
            p.getKey(), v.getKey(), x[0], x[1], x[2], x[3] / 1e6, a[0] / x[0], b[0] / x[0],
            allocRatio);
      }
    }
  }
}
