package dev.tributary.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.EngineConfig;
import dev.tributary.Table;
import dev.tributary.ValueType;
import dev.tributary.destination.ColumnType;
import dev.tributary.destination.Destination;
import dev.tributary.destination.DestinationOptions;
import dev.tributary.destination.Lease;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.SimulatedSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver against a real DuckDB destination: a sync that stops anywhere resumes from the last
 * committed response and ends equal to the source with no row twice; a response the destination
 * refuses stops the sync and applies nothing of it; a held connection is skipped untouched.
 */
class DriverTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T0 = Instant.parse("2024-05-01T09:00:00Z");

  @TempDir Path dir;

  final FakeClock clock = FakeClock.at("2024-05-02T00:00:00Z");
  final SimulatedSource source = new SimulatedSource(Table.incremental("orders").primaryKey("id")
      .cursor("updated_at").tiebreaker("id", ValueType.NUMBER));

  String url() {
    return "duckdb:" + dir.resolve("warehouse.db");
  }

  Target inProcess() {
    EngineConfig config = EngineConfig.builder().clock(clock).pageSize(4).maxRowsPerResponse(4)
        .logSink(line -> {}).build();
    return Target.inProcess(source, config);
  }

  /**
   * {@code target}, failing its call number {@code failAt} (counted over its life) as a function
   * that cannot be reached does; every reply it passes on is recorded.
   */
  static final class Failing implements Target {
    final Target target;
    final int failAt;
    final List<JsonNode> replies = new ArrayList<>();
    int calls;

    Failing(Target target, int failAt) {
      this.target = target;
      this.failAt = failAt;
    }

    @Override
    public Reply call(byte[] request, Duration timeout) throws IOException {
      if (++calls == failAt) {
        throw new IOException("the function is gone (call " + calls + ")");
      }
      Reply r = target.call(request, timeout);
      replies.add(JSON.readTree(r.body()));
      return r;
    }

    @Override
    public String describe() {
      return "failing at call " + failAt + ": " + target.describe();
    }
  }

  Driver.Summary sync(Destination d, Target target) {
    return Driver.builder(target, d).connection("orders").build().sync();
  }

  @ParameterizedTest(name = "stopped at call {0}")
  @ValueSource(ints = {1, 2, 3, 5, 8})
  void aSyncStoppedAtAnyCallResumesFromTheLastCommittedResponseAndEndsEqualToTheSource(int stopAt)
      throws Exception {
    // Round 1: the historical sync; 40 rows, ids 11-25 share one timestamp (a tie over pages).
    for (long id = 1; id <= 40; id++) {
      Instant at = id >= 11 && id <= 25 ? T0.plusSeconds(600) : T0.plusSeconds(id * 30);
      source.upsert("orders", id, at, Map.of("amount", id * 10));
    }
    stopThenResume(stopAt);
    assertDestinationEqualsSource();

    // Round 2: updates (a new tie), deletes, re-inserts, inserts; stopped the same way.
    clock.advance(Duration.ofHours(1));
    Instant t1 = T0.plusSeconds(7_200);
    for (long id = 5; id <= 20; id++) {
      source.upsert("orders", id, t1, Map.of("amount", id * 100));
    }
    for (long id : new long[] {2, 13, 33}) {
      source.delete("orders", id, t1.plusSeconds(1));
    }
    source.upsert("orders", 2, t1.plusSeconds(2), Map.of("amount", 2)); // deleted, then back
    for (long id = 41; id <= 46; id++) {
      source.upsert("orders", id, t1.plusSeconds(id), Map.of("amount", id));
    }
    clock.advance(Duration.ofHours(1));
    stopThenResume(stopAt);
    assertDestinationEqualsSource();
  }

  void stopThenResume(int stopAt) throws Exception {
    Failing failing = new Failing(inProcess(), stopAt);
    try (Destination d = Destination.open(url())) {
      JsonNode before = d.state("orders");
      Driver.Summary first = sync(d, failing);
      if (first.result() == Driver.Result.SUCCESS) {
        assertTrue(first.calls() < stopAt, "no stop although the sync made " + first.calls()
            + " calls");
        return;
      }
      assertEquals(Driver.Result.CONNECTOR_ERROR, first.result(), first.problems().toString());
      assertEquals(3, first.result().exitCode());
      assertTrue(first.problems().get(0).contains("call " + stopAt + ": calling the function"
          + " (failing at call " + stopAt), first.problems().toString());
      // The committed state is the last applied response's: nothing of later calls, nothing lost.
      JsonNode expected = failing.replies.isEmpty() ? before
          : failing.replies.get(failing.replies.size() - 1).get("state");
      assertEquals(expected, JSON.readTree(d.state("orders").toString()));
    }
    try (Destination d = Destination.open(url())) {
      Driver.Summary resumed = sync(d, inProcess());
      assertEquals(Driver.Result.SUCCESS, resumed.result(), resumed.problems().toString());
    }
  }

  /** Live source rows equal the destination's rows, by id and amount, and no id is stored twice. */
  void assertDestinationEqualsSource() {
    Map<Long, String> want = new TreeMap<>();
    source.snapshot("orders").forEach((id, v) -> want.put(id, String.valueOf(v.get("amount"))));
    Map<Long, String> have = new TreeMap<>();
    int stored = 0;
    try (Destination d = Destination.open(url())) {
      for (Map<String, Object> r : d.rows("orders")) {
        if (Boolean.TRUE.equals(r.get("_fivetran_deleted"))) {
          continue;
        }
        stored++;
        have.put((Long) r.get("id"), String.valueOf(r.get("amount")));
      }
    }
    assertEquals(want, have);
    assertEquals(have.size(), stored, "a key stored twice");
  }

  /** A function answering by the request's state: three pages of two events, no primary key. */
  static Target events(Function<Integer, String> extra) {
    return new Target() {
      @Override
      public Reply call(byte[] request, Duration timeout) throws IOException {
        int page = JSON.readTree(request).path("state").path("page").asInt(0) + 1;
        String body = "{\"state\":{\"page\":" + page + "},\"insert\":{\"events\":["
            + "{\"page\":" + page + ",\"kind\":\"view\"" + extra.apply(page) + "},"
            + "{\"page\":" + page + ",\"kind\":\"click\"}]},\"hasMore\":" + (page < 3) + "}";
        return new Reply(200, body.getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public String describe() {
        return "three pages of events";
      }
    };
  }

  List<String> events(Destination d) {
    List<String> rows = new ArrayList<>();
    for (Map<String, Object> r : d.rows("events")) {
      rows.add(r.get("page") + ":" + r.get("kind"));
    }
    return rows;
  }

  @Test
  void anAppendOnlyPageAskedForAgainAfterAFailedCallIsAppendedOnce() {
    Failing failing = new Failing(events(page -> ""), 3); // call 3 asks for page 2 again
    try (Destination d = Destination.open(url())) {
      Driver.Summary stopped = sync(d, new Target() {
        int calls;

        @Override
        public Reply call(byte[] request, Duration timeout) throws IOException {
          // Call 2's reply is lost after the function made it: page 2 is asked for again.
          Reply r = failing.call(request, timeout);
          if (++calls == 2) {
            throw new IOException("the reply was lost");
          }
          return r;
        }

        @Override
        public String describe() {
          return failing.describe();
        }
      });
      assertEquals(Driver.Result.CONNECTOR_ERROR, stopped.result());
      assertEquals(List.of("1:view", "1:click"), events(d));

      Driver.Summary resumed = sync(d, events(page -> ""));
      assertEquals(Driver.Result.SUCCESS, resumed.result(), resumed.problems().toString());
      assertEquals(2, resumed.calls(), "page 2 again, then page 3");
      assertEquals(List.of("1:view", "1:click", "2:view", "2:click", "3:view", "3:click"), events(d));
      assertEquals(4, resumed.rows());
    }
  }

  @Test
  void aResponseTheDestinationRefusesStopsTheSyncAndNothingOfItIsApplied() {
    DestinationOptions options = DestinationOptions.builder()
        .columnType("events", "weight", ColumnType.INTEGER).build();
    try (Destination d = Destination.open(url(), options)) {
      Driver.Summary s = sync(d, events(page -> page == 2 ? ",\"weight\":\"heavy\"" : ""));

      assertEquals(Driver.Result.DESTINATION_ERROR, s.result(), s.problems().toString());
      assertEquals(4, s.result().exitCode());
      assertEquals(2, s.calls());
      assertTrue(s.problems().get(0).startsWith("error: call 2: ")
          && s.problems().get(0).contains("column weight"), s.problems().toString());
      assertEquals(List.of("1:view", "1:click"), events(d));
      assertEquals("{\"page\":1}", d.state("orders").toString());
    }
  }

  @Test
  void aConnectionWhoseLeaseIsHeldIsSkippedWithoutACall() {
    Failing never = new Failing(events(page -> ""), 1);
    try (Destination d = Destination.open(url()); Lease held = d.lease("orders")) {
      Driver.Summary s = sync(d, never);

      assertEquals(Driver.Result.SKIPPED, s.result());
      assertEquals(0, s.result().exitCode());
      assertEquals(0, never.calls, "a skipped run calls nothing");
      assertEquals(List.of("skipped: another run holds connection orders (this process, through"
          + " this destination)"), s.problems());
      assertEquals("{}", held.state().toString());
    }
  }

  @Test
  void listenersHearEveryAppliedCallAndTheEnd() {
    List<String> heard = new ArrayList<>();
    try (Destination d = Destination.open(url())) {
      Driver.Summary s = Driver.builder(events(page -> ""), d).listener(new Driver.Listener() {
        @Override
        public void applied(Driver.Call call) {
          heard.add(call.number() + ":" + call.rows() + ":" + call.totalRows() + ":" + call.hasMore());
        }

        @Override
        public void finished(Driver.Summary summary) {
          heard.add("end " + summary.result());
        }
      }).build().sync();

      assertEquals(Driver.Result.SUCCESS, s.result());
      assertEquals(List.of("1:2:2:true", "2:2:4:true", "3:2:6:false", "end SUCCESS"), heard);
      assertEquals(6, s.tables().get("events").upserted());
    }
  }
}
