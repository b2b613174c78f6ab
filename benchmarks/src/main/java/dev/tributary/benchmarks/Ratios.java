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
 * Runs {@link ResponsePathBenchmark} and prints each variant's median time per call (with the
 * spread over measurement iterations), its allocation per call, and its ratios to the references
 * measured in the same run — the machine is shared and noisy, so only side-by-side ratios mean
 * anything.
 *
 * <pre>benchmarks/ratios.sh [quick]</pre>
 */
public final class Ratios {
  private Ratios() {}

  public static void main(String[] args) throws RunnerException {
    boolean quick = args.length > 0 && args[0].equals("quick");
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(ResponsePathBenchmark.class.getSimpleName())
        .addProfiler(GCProfiler.class);
    if (quick) {
      options.warmupIterations(2).measurementIterations(3);
    }
    Collection<RunResult> results = new Runner(options.build()).run();

    // cursors -> variant -> {median ms, min, max, bytes allocated per call}
    Map<String, Map<String, double[]>> table = new LinkedHashMap<>();
    for (RunResult r : results) {
      String cursors = r.getParams().getParam("cursors");
      String variant = r.getParams().getBenchmark().replaceAll(".*\\.", "");
      List<Double> scores = new ArrayList<>();
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult i : b.getIterationResults()) {
          scores.add(i.getPrimaryResult().getScore());
        }
      }
      scores.sort(Double::compare);
      double median = scores.get(scores.size() / 2);
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      table.computeIfAbsent(cursors, k -> new LinkedHashMap<>()).put(variant, new double[] {
          median, scores.get(0), scores.get(scores.size() - 1),
          alloc == null ? Double.NaN : alloc.getScore()});
    }
    System.out.println();
    System.out.printf("%-10s %-14s %10s %17s %12s %8s %8s %8s%n", "cursors", "variant",
        "median ms", "spread ms", "alloc MB", "vs (a)", "vs (b)", "alloc/(a)");
    for (Map.Entry<String, Map<String, double[]>> c : table.entrySet()) {
      double[] a = c.getValue().get("oneGenerator");
      double[] b = c.getValue().get("naiveHandler");
      for (Map.Entry<String, double[]> v : c.getValue().entrySet()) {
        double[] x = v.getValue();
        // Speed ratios as throughput: above 1 is faster than the reference.
        // An allocation ratio over a reference that allocates next to nothing says nothing.
        String allocRatio = a[3] > 1e6 ? String.format("%8.2f", x[3] / a[3]) : "       -";
        System.out.printf("%-10s %-14s %10.1f %8.1f – %-6.1f %12.1f %8.2f %8.2f %s%n",
            c.getKey(), v.getKey(), x[0], x[1], x[2], x[3] / 1e6, a[0] / x[0], b[0] / x[0],
            allocRatio);
      }
    }
    Map<String, double[]> instant = table.get("instant");
    Map<String, double[]> iso = table.get("iso");
    if (instant != null && iso != null) {
      System.out.printf("%nISO-string cursors cost %.0f%% more than Instant cursors (Tributary)%n",
          100 * (iso.get("tributary")[0] / instant.get("tributary")[0] - 1));
    }
  }
}
