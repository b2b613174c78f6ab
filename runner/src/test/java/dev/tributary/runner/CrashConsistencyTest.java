package dev.tributary.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.EngineConfig;
import dev.tributary.Table;
import dev.tributary.ValueType;
import dev.tributary.runner.ScriptedHttpFunction.Reply;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.SimulatedSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A crash between the warehouse commit and the {@code state.json} write (the {@link
 * Driver#afterCommit} hook throws) must be harmless: the next sync starts again from the old
 * state, replays the committed response, and the warehouse converges to the source with no
 * duplicate rows.
 */
class CrashConsistencyTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T0 = Instant.parse("2024-05-01T09:00:00Z");

  @TempDir Path dir;

  final FakeClock clock = FakeClock.at("2024-05-02T00:00:00Z");
  final SimulatedSource source = new SimulatedSource(Table.incremental("orders").primaryKey("id")
      .cursor("updated_at").tiebreaker("id", ValueType.NUMBER));
  final List<String> functionLog = new ArrayList<>();

  /** Thrown by the hook: the process "dies" after the commit, before state.json. */
  static final class Crash extends RuntimeException {
    Crash(int call) {
      super("crash after the warehouse commit of call " + call);
    }
  }

  @ParameterizedTest(name = "crash after the commit of call {0}")
  @ValueSource(ints = {1, 2, 3, 5, 8})
  void syncAfterACrashBetweenCommitAndStateConvergesToTheSource(int crashAt) throws Exception {
    // Round 1: the historical sync; 40 rows, ids 11-25 share one timestamp (a tie over pages).
    for (long id = 1; id <= 40; id++) {
      Instant at = id >= 11 && id <= 25 ? T0.plusSeconds(600) : T0.plusSeconds(id * 30);
      source.upsert("orders", id, at, Map.of("amount", id * 10));
    }
    crashThenResume(crashAt);
    assertWarehouseEqualsSource();

    // Round 2: updates (a new tie), deletes, inserts; an incremental sync crashes the same way.
    clock.advance(Duration.ofHours(1));
    Instant t1 = T0.plusSeconds(7_200);
    for (long id = 5; id <= 20; id++) {
      source.upsert("orders", id, t1, Map.of("amount", id * 100));
    }
    for (long id : new long[] {2, 13, 33}) {
      source.delete("orders", id, t1.plusSeconds(1));
    }
    for (long id = 41; id <= 46; id++) {
      source.upsert("orders", id, t1.plusSeconds(id), Map.of("amount", id));
    }
    clock.advance(Duration.ofHours(1));
    crashThenResume(crashAt);
    assertWarehouseEqualsSource();
  }

  /** Syncs with a crash after call {@code crashAt}'s commit (if it gets that far), then resumes. */
  void crashThenResume(int crashAt) throws Exception {
    String stateBefore = stateText();
    List<String> stateAtCrash = new ArrayList<>();
    List<Integer> crashed = new ArrayList<>();
    int[] commits = {0};
    Driver.Summary first;
    try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
      Driver d = driver(w);
      d.afterCommit = () -> {
        if (++commits[0] == crashAt) {
          stateAtCrash.add(stateText());
          crashed.add(crashAt);
          throw new Crash(crashAt);
        }
      };
      try {
        first = d.sync();
      } catch (Crash expected) {
        first = null;
      }
    }
    if (first != null) {
      assertEquals(Driver.Result.SUCCESS, first.result(), first.problems().toString());
      assertTrue(first.calls() < crashAt, "no crash although the sync made " + first.calls() + " calls");
      return;
    }
    // The hook ran after the commit and before the state write: state.json is call k-1's.
    assertEquals(1, crashed.size());
    if (crashAt == 1) {
      assertEquals(stateBefore, stateAtCrash.get(0), "state.json must not have moved yet");
    }
    assertEquals(stateAtCrash.get(0), stateText(), "the crash left state.json as it was");

    try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
      Driver.Summary resumed = driver(w).sync();
      assertEquals(Driver.Result.SUCCESS, resumed.result(), resumed.problems().toString());
    }
  }

  @Test
  void crashOnTheFirstCallOfAFirstSyncLeavesNoStateAndTheNextSyncStartsFromScratch() throws Exception {
    for (long id = 1; id <= 10; id++) {
      source.upsert("orders", id, T0.plusSeconds(id), Map.of("amount", id));
    }
    try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
      Driver d = driver(w);
      d.afterCommit = () -> {
        throw new Crash(1);
      };
      assertThrows(Crash.class, d::sync);
    }
    assertTrue(Files.notExists(dir.resolve("state.json")));

    try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
      assertEquals(Driver.Result.SUCCESS, driver(w).sync().result());
    }
    assertWarehouseEqualsSource();
  }

  @Test
  void appendOnlyResponseReplayedAfterACrashReplacesItsOwnBatch() throws Exception {
    // Three pages of two events each, answered by request state as a correct function must be.
    try (ScriptedHttpFunction fn = ScriptedHttpFunction.answeringByState(state -> {
      int page = state.path("page").asInt(0) + 1;
      return Reply.of("{\"state\":{\"page\":" + page + "},\"insert\":{\"events\":["
          + "{\"page\":" + page + ",\"kind\":\"view\"},{\"page\":" + page + ",\"kind\":\"click\"}]},"
          + "\"hasMore\":" + (page < 3) + "}");
    })) {
      Target target = Target.http(fn.uri(), List.of());
      try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
        Driver d = driver(w, target);
        int[] commits = {0};
        d.afterCommit = () -> {
          if (++commits[0] == 2) {
            throw new Crash(2);
          }
        };
        assertThrows(Crash.class, d::sync);
      }
      assertEquals(JSON.readTree("{\"page\":1}"), JSON.readTree(dir.resolve("state.json").toFile()));
      try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
        assertEquals(Driver.Result.SUCCESS, driver(w, target).sync().result());
        assertEquals(4, fn.requests().size(), "page 2 was asked for twice");
        List<String> rows = new ArrayList<>();
        for (Map<String, String> r : w.rows("events", "true ORDER BY page, _fivetran_index")) {
          rows.add(r.get("page") + ":" + r.get("kind"));
        }
        assertEquals(List.of("1:view", "1:click", "2:view", "2:click", "3:view", "3:click"), rows);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  Driver driver(Warehouse w) {
    EngineConfig config = EngineConfig.builder().clock(clock).pageSize(4).maxRowsPerResponse(4)
        .logSink(functionLog::add).build();
    return driver(w, Target.inProcess(source, config));
  }

  Driver driver(Warehouse w, Target target) {
    return new Driver(target, w, new StateFile(dir.resolve("state.json")), Map.of(),
        new ProtocolChecker(6_000_000, 1_000_000, List.of()), Duration.ofSeconds(30),
        Duration.ofMinutes(5), 10_000,
        new Progress(new PrintStream(new ByteArrayOutputStream()), false, true));
  }

  String stateText() {
    Path p = dir.resolve("state.json");
    try {
      return Files.exists(p) ? Files.readString(p) : "<none>";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Live source rows equal warehouse rows, by id and amount, and no id is stored twice. */
  void assertWarehouseEqualsSource() throws Exception {
    Map<Long, String> want = new TreeMap<>();
    source.snapshot("orders").forEach((id, v) -> want.put(id, String.valueOf(v.get("amount"))));
    Map<Long, String> have = new TreeMap<>();
    int stored = 0;
    try (Warehouse w = new Warehouse(dir.resolve("warehouse.db"))) {
      for (Map<String, String> r : w.rows("orders", null)) {
        stored++;
        have.put(Long.parseLong(r.get("id")), r.get("amount"));
      }
    }
    assertEquals(want, have);
    assertEquals(have.size(), stored, "a key stored twice");
  }
}
