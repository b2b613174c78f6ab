package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tributary.EngineConfig;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.ValueType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Every budget of a call is honoured, and the one that stops it is the one reported. */
class BudgetProperties {
  static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);
  static final Table LINES = Table.incremental("lines").primaryKey("order_id", "line")
      .cursor("updated_at").tiebreaker("line", ValueType.NUMBER).partitionedBy("orders");
  static final Schema SCHEMA = Schema.of(ORDERS, LINES);

  static EngineConfig config(long responseBytes, int stateBytes, int rows, Clock clock) {
    return EngineConfig.builder().maxResponseBytes(responseBytes).maxStagedBytes(responseBytes)
        .maxStateBytes(stateBytes).maxRowsPerResponse(rows).clock(clock)
        .deadlineMargin(Duration.ofSeconds(5)).build();
  }

  static Call call(EngineConfig config, boolean staged, Instant deadline) throws Exception {
    Json json = new Json(config);
    StateCodec codec = new StateCodec(json, SCHEMA);
    SyncState state = SyncState.from(codec.decode(JsonNodeFactory.instance.objectNode()).state());
    state.startSync(NOW, SCHEMA);
    state.beginCall();
    Call c = new Call(SCHEMA, codec, state, Secrets.empty(), Budget.forCall(config, staged, deadline),
        json, null, 0);
    c.measureState();
    return c;
  }

  /**
   * For any limits and any stream of rows of any size, parents and children alike, added the
   * way the engine adds them: the response, its rows and its state stay within their budgets,
   * and the state's bound covers the state as it is at every step.
   */
  @Property(tries = 300)
  void noResponseRowCountOrStateGoesOverItsBudget(
      @ForAll @IntRange(min = 4096, max = 60_000) int responseBytes,
      @ForAll @IntRange(min = 1024, max = 20_000) int stateBytes,
      @ForAll @IntRange(min = 1, max = 300) int maxRows,
      @ForAll boolean staged,
      @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 3000) Integer> widths)
      throws Exception {
    int state = Math.min(stateBytes, responseBytes / 2 - 1);
    Call c = call(config(responseBytes, state, maxRows, Clock.fixed(NOW, ZoneOffset.UTC)), staged,
        NOW.plusSeconds(60));
    SlotState orders = c.state.slot(ORDERS);
    int i = 0;
    for (int width : widths) {
      i++;
      boolean child = i % 3 == 0;
      Table t = child ? LINES : ORDERS;
      Row row = Row.of(child
          ? Map.of("order_id", i - 1, "line", i, "updated_at", NOW.minusSeconds(1000 - i),
              "note", "n".repeat(width))
          : Map.of("id", i, "updated_at", NOW.minusSeconds(1000 - i), "note", "o".repeat(width)));
      Position rp = t.positionOf(row);
      Slot slot = child ? Slot.partition("lines", "[" + (i - 1) + "]") : Slot.of("orders");
      if (!c.emit(t, slot, row, rp)) {
        break;
      }
      (child ? c.state.partition(LINES, slot.partition()) : orders).advance(rp);
      assertTrue(c.codec.size(c.state.snapshot()) <= c.budget.stateBound(),
          "the state's bound covers the state");
    }
    byte[] encoded = c.codec.encode(c.state.snapshot());
    assertTrue(encoded.length <= state, encoded.length + " bytes of state over " + state);
    // The row cap is the direct response's; a staged object is bounded by its bytes (issue 18).
    assertTrue(staged || c.response.rows() <= maxRows);
    assertTrue(c.response.size(encoded.length) <= responseBytes,
        c.response.size(encoded.length) + " bytes over " + responseBytes);
    assertEquals(c.response.rows() < widths.size(), !c.budget.running(),
        "stopped exactly when a row was refused");
  }

  @Test
  void theDeadlineLessTheMarginStopsTheCallBeforeTheNextRow() throws Exception {
    Clock late = Clock.fixed(NOW.plusSeconds(56), ZoneOffset.UTC);
    Call c = call(config(100_000, 10_000, 100, late), false, NOW.plusSeconds(60));
    Row row = Row.of(Map.of("id", 1, "updated_at", NOW.minusSeconds(5)));
    assertFalse(c.emit(ORDERS, Slot.of("orders"), row, ORDERS.positionOf(row)));
    assertEquals(StopReason.DEADLINE, c.budget.stopReason());
    assertEquals(0, c.response.rows());
  }

  @Test
  void theFirstReasonToStopIsTheOneReported() {
    Budget b = Budget.forCall(EngineConfig.defaults(), false, NOW);
    assertTrue(b.running());
    b.stop(StopReason.REPEATED_KEY);
    b.stop(StopReason.BYTE_BUDGET);
    assertEquals(StopReason.REPEATED_KEY, b.stopReason());
  }

  @Test
  void aStagedCallIsBoundByTheStagedLimitAndSaysWhichSettingToRaise() throws Exception {
    EngineConfig config = EngineConfig.builder().maxStagedBytes(8_000)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    Budget staged = Budget.forCall(config, true, NOW);
    Budget direct = Budget.forCall(config, false, NOW);
    assertEquals(8_000, staged.maxBytes());
    assertEquals(config.maxResponseBytes(), direct.maxBytes());

    Call c = call(config, true, NOW.plusSeconds(3600));
    Row big = Row.of(Map.of("id", 1, "updated_at", NOW.minusSeconds(5), "note", "x".repeat(9_000)));
    ConnectorFailure e = assertThrows(ConnectorFailure.class,
        () -> c.emit(ORDERS, Slot.of("orders"), big, ORDERS.positionOf(big)));
    assertTrue(e.getMessage().contains("TRIBUTARY_MAX_STAGED_BYTES"), e.getMessage());
    assertFalse(e.getMessage().contains("sync through S3"), e.getMessage());
    assertFalse(e.getMessage().contains("xxxx"), "no row values in errors");
  }

  @Test
  void aSlotsAllowanceGrowsToItsLargestPositionAndNeverShrinks() {
    Budget b = Budget.forCall(EngineConfig.defaults(), false, NOW);
    b.measureState(100, 20);
    long first = b.allow(Slot.of("orders"), 30);
    assertEquals(100 + 20 + 4 * 30 + 64, first, "a top-level slot may hold four positions");
    assertEquals(first, b.allow(Slot.of("orders"), 10), "a smaller position needs no more");
    long partition = b.allow(Slot.partition("lines", "[1]"), 30);
    assertEquals(first + 30 + PartitionBlock.keyBytesBound("[1]") + 8
        + PartitionBlock.SLACK_PER_ENTRY, partition,
        "a partition holds one position under its key, and may lengthen the next one's differences");
    assertEquals(5, PartitionBlock.keyBytesBound("[1]"), "the key as a JSON string at most");
    b.measureState(500, 20);
    assertEquals(520, b.stateBound(), "measuring again starts the allowances over");
  }
}
