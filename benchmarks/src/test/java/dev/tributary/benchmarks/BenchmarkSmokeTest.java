package dev.tributary.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each benchmark once at a tiny size, so a change that breaks one fails the build instead
 * of being found the next time someone measures. Times nothing.
 */
class BenchmarkSmokeTest {
  @ParameterizedTest
  @ValueSource(strings = {"instant", "iso"})
  void everyResponsePathVariantWritesAResponseOfTheSameRows(String cursors) throws Exception {
    ResponsePathBenchmark b = new ResponsePathBenchmark();
    b.rows = 200;
    b.cursors = cursors;
    b.setUp();
    long limit = b.oneGenerator();
    long naive = b.naiveHandler();
    long tributary = b.tributary();
    assertTrue(limit > 200 * 90, "the reference wrote " + limit + " bytes");
    // The same rows, give or take the state each writes.
    assertEquals(limit, naive, limit * 0.1);
    assertEquals(limit, tributary, limit * 0.25);
  }

  @Test
  void everyPassThroughVariantCopiesThePage() throws Exception {
    PassThroughBenchmark b = new PassThroughBenchmark();
    b.rows = 200;
    b.setUp();
    assertTrue(b.tokenizeOnly() > 200 * 10);
    long copy = b.streamingCopy();
    assertEquals(copy, b.naive(), copy * 0.1);
    assertEquals(copy, b.tributary(), copy * 0.25);
    assertEquals(copy, b.passThrough(), copy * 0.25);
  }

  @Test
  void bothColdStartHandlersAnswerACompleteResponse() throws Exception {
    for (String handler : new String[] {"bare", "tributary"}) {
      dev.tributary.benchmarks.cold.ColdStart.main(new String[] {handler}); // throws if incomplete
    }
  }

  @Test
  void theFirstCallAloneAndAfterPrimingAnswer() throws Exception {
    dev.tributary.benchmarks.cold.ColdStart.main(new String[] {"tributary", "call"});
    dev.tributary.benchmarks.cold.ColdStart.main(new String[] {"tributary", "primed"});
  }

  @ParameterizedTest
  @ValueSource(strings = {"generator", "handler", "lambda", "direct-paged", "staged-paged",
      "runner-sync"})
  void everyHeapProbeVariantAnswersTheSameRows(String variant) throws Exception {
    long written = dev.tributary.benchmarks.memory.HeapProbe.smoke(variant, 300);
    assertTrue(written > 300 * 90, variant + " wrote " + written);
  }

  @Test
  void statePartitionsRoundTripAndMeasure() throws Exception {
    dev.tributary.internal.StatePartitions.Result r = dev.tributary.internal.StatePartitions.run(200, 2);
    assertTrue(r.bytesPerPartition() > 5 && r.bytesPerPartition() < 25, r.toString());
    dev.tributary.internal.StatePartitions.Result scattered =
        dev.tributary.internal.StatePartitions.run(200, 2, true);
    assertTrue(scattered.bytesPerPartition() > r.bytesPerPartition(), scattered.toString());
  }

  @Test
  void destinationThroughputRunsEveryPhaseIntoPostgresqlAndDropsItsSchema() {
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.util.List<DestinationThroughput.Phase> phases = DestinationThroughput.run(
        "postgresql://postgres@127.0.0.1:5432/test", 1_200, 500,
        new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));

    assertEquals(java.util.List.of("insert new keys", "upsert existing keys", "append (no key)",
        "hard delete"), phases.stream().map(DestinationThroughput.Phase::name)
        .collect(java.util.stream.Collectors.toList()));
    String text = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(4, text.lines().filter(l -> l.contains("s per million rows")).count(), text);
    assertTrue(text.startsWith("postgresql://postgres@127.0.0.1:5432/test insert new keys"), text);
  }
}
