package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.testing.FakeClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class EngineConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    EngineConfig c = EngineConfig.defaults();

    assertAll(
        () -> assertEquals(5_500_000L, c.maxResponseBytes()),
        () -> assertEquals(100_000, c.maxRowsPerResponse()),
        () -> assertEquals(1_000, c.pageSize()),
        () -> assertEquals(Duration.ofSeconds(5), c.deadlineMargin()),
        () -> assertEquals(Duration.ofSeconds(30), c.settleLag()),
        () -> assertEquals(1_000_000, c.maxStateBytes()),
        () -> assertEquals(10_000, c.maxPartitions()),
        () -> assertEquals(5, c.maxEmptyResponses()),
        () -> assertEquals(OrderCheck.STRICT, c.orderCheck()),
        () -> assertEquals(TableOrder.SEQUENTIAL, c.tableOrder()),
        () -> assertEquals(16L * 1024 * 1024, c.maxRequestBytes()),
        () -> assertEquals(64, c.maxNestingDepth()),
        () -> assertEquals(1024 * 1024, c.maxStringLength()),
        () -> assertEquals(Optional.empty(), c.callTimeout(), "the platform decides"),
        () -> assertEquals(Clock.systemUTC().getZone(), c.clock().getZone()),
        () -> assertNotNull(c.logSink()));
  }

  @Test
  void emptyEnvironmentGivesTheDefaults() {
    EngineConfig env = EngineConfig.fromEnvironment(Map.of());

    assertSameSettings(EngineConfig.defaults(), env);
  }

  @Test
  void environmentOverridesEverySetting() {
    Map<String, String> env = new HashMap<>();
    env.put("TRIBUTARY_MAX_RESPONSE_BYTES", "3000000");
    env.put("TRIBUTARY_MAX_ROWS", "500");
    env.put("TRIBUTARY_PAGE_SIZE", "250");
    env.put("TRIBUTARY_DEADLINE_MARGIN_MS", "1500");
    env.put("TRIBUTARY_SETTLE_LAG_SECONDS", "120");
    env.put("TRIBUTARY_MAX_STATE_BYTES", "200000");
    env.put("TRIBUTARY_MAX_PARTITIONS", "77");
    env.put("TRIBUTARY_MAX_EMPTY_RESPONSES", "9");
    env.put("TRIBUTARY_ORDER_CHECK", "TOLERANT");
    env.put("TRIBUTARY_TABLE_ORDER", "INTERLEAVED");
    env.put("TRIBUTARY_MAX_REQUEST_BYTES", "2048");
    env.put("TRIBUTARY_MAX_NESTING_DEPTH", "12");
    env.put("TRIBUTARY_MAX_STRING_LENGTH", "4096");
    env.put("TRIBUTARY_TIMEOUT_SECONDS", "90");

    EngineConfig c = EngineConfig.fromEnvironment(env);

    assertAll(
        () -> assertEquals(3_000_000L, c.maxResponseBytes()),
        () -> assertEquals(500, c.maxRowsPerResponse()),
        () -> assertEquals(250, c.pageSize()),
        () -> assertEquals(Duration.ofMillis(1500), c.deadlineMargin()),
        () -> assertEquals(Duration.ofSeconds(120), c.settleLag()),
        () -> assertEquals(200_000, c.maxStateBytes()),
        () -> assertEquals(77, c.maxPartitions()),
        () -> assertEquals(9, c.maxEmptyResponses()),
        () -> assertEquals(OrderCheck.TOLERANT, c.orderCheck()),
        () -> assertEquals(TableOrder.INTERLEAVED, c.tableOrder()),
        () -> assertEquals(2048L, c.maxRequestBytes()),
        () -> assertEquals(12, c.maxNestingDepth()),
        () -> assertEquals(4096, c.maxStringLength()),
        () -> assertEquals(Optional.of(Duration.ofSeconds(90)), c.callTimeout()));
  }

  @Test
  void environmentValuesAreTrimmedAndMayUseUnderscoresAndLowerCase() {
    EngineConfig c = EngineConfig.fromEnvironment(Map.of(
        "TRIBUTARY_MAX_RESPONSE_BYTES", " 4_000_000 ",
        "TRIBUTARY_ORDER_CHECK", " tolerant",
        "TRIBUTARY_TABLE_ORDER", "Interleaved"));

    assertEquals(4_000_000L, c.maxResponseBytes());
    assertEquals(OrderCheck.TOLERANT, c.orderCheck());
    assertEquals(TableOrder.INTERLEAVED, c.tableOrder());
  }

  @Test
  void blankEnvironmentValuesAreIgnored() {
    EngineConfig c = EngineConfig.fromEnvironment(Map.of(
        "TRIBUTARY_PAGE_SIZE", "", "TRIBUTARY_ORDER_CHECK", "  "));

    assertEquals(1_000, c.pageSize());
    assertEquals(OrderCheck.STRICT, c.orderCheck());
  }

  @Test
  void unrelatedEnvironmentVariablesAreIgnored() {
    EngineConfig c = EngineConfig.fromEnvironment(Map.of(
        "PATH", "/usr/bin", "TRIBUTARY_UNKNOWN", "abc", "AWS_REGION", "eu-west-1"));

    assertSameSettings(EngineConfig.defaults(), c);
  }

  static Stream<Arguments> badEnvironmentValues() {
    return Stream.of(
        Arguments.of("TRIBUTARY_MAX_RESPONSE_BYTES", "abc"),
        Arguments.of("TRIBUTARY_MAX_RESPONSE_BYTES", "5.5e6"),
        Arguments.of("TRIBUTARY_MAX_RESPONSE_BYTES", "100"),
        Arguments.of("TRIBUTARY_MAX_ROWS", "0"),
        Arguments.of("TRIBUTARY_MAX_ROWS", "99999999999"),
        Arguments.of("TRIBUTARY_PAGE_SIZE", "-1"),
        Arguments.of("TRIBUTARY_DEADLINE_MARGIN_MS", "-5"),
        Arguments.of("TRIBUTARY_SETTLE_LAG_SECONDS", "-30"),
        Arguments.of("TRIBUTARY_SETTLE_LAG_SECONDS", "thirty"),
        Arguments.of("TRIBUTARY_MAX_STATE_BYTES", "10"),
        Arguments.of("TRIBUTARY_MAX_PARTITIONS", "0"),
        Arguments.of("TRIBUTARY_MAX_EMPTY_RESPONSES", "10"),
        Arguments.of("TRIBUTARY_MAX_EMPTY_RESPONSES", "0"),
        Arguments.of("TRIBUTARY_ORDER_CHECK", "maybe"),
        Arguments.of("TRIBUTARY_TABLE_ORDER", "random"),
        Arguments.of("TRIBUTARY_MAX_REQUEST_BYTES", "1"),
        Arguments.of("TRIBUTARY_MAX_NESTING_DEPTH", "2"),
        Arguments.of("TRIBUTARY_MAX_STRING_LENGTH", "12"),
        Arguments.of("TRIBUTARY_TIMEOUT_SECONDS", "55s"),
        Arguments.of("TRIBUTARY_TIMEOUT_SECONDS", "0"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("badEnvironmentValues")
  void badEnvironmentValueIsRejectedNamingTheVariable(String name, String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.fromEnvironment(Map.of(name, value)));

    assertTrue(e.getMessage().contains(name), e.getMessage());
  }

  @Test
  void orderCheckMessageListsTheAllowedValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.fromEnvironment(Map.of("TRIBUTARY_ORDER_CHECK", "maybe")));

    assertTrue(e.getMessage().contains("STRICT"), e.getMessage());
    assertTrue(e.getMessage().contains("TOLERANT"), e.getMessage());
    assertTrue(e.getMessage().contains("maybe"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({"TRIBUTARY_MAX_STATE_BYTES, 3000000", "TRIBUTARY_MAX_RESPONSE_BYTES, 1000000"})
  void stateBudgetOverHalfTheResponseBudgetFromEnvironmentNamesTheVariable(String name, String value) {
    // The value is in range on its own; with the other default it breaks
    // maxStateBytes < maxResponseBytes / 2. fromEnvironment promises an IllegalArgumentException
    // naming the variable, so an operator knows which setting to change.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.fromEnvironment(Map.of(name, value)));

    assertTrue(e.getMessage().contains(name), e.getMessage());
  }

  static Stream<Arguments> badBuilderValues() {
    return Stream.of(
        Arguments.of("maxResponseBytes", (Consumer<EngineConfig.Builder>) b -> b.maxResponseBytes(4095)),
        Arguments.of("maxRowsPerResponse", (Consumer<EngineConfig.Builder>) b -> b.maxRowsPerResponse(0)),
        Arguments.of("pageSize", (Consumer<EngineConfig.Builder>) b -> b.pageSize(0)),
        Arguments.of("deadlineMargin", (Consumer<EngineConfig.Builder>) b -> b.deadlineMargin(Duration.ofMillis(-1))),
        Arguments.of("settleLag", (Consumer<EngineConfig.Builder>) b -> b.settleLag(Duration.ofSeconds(-1))),
        Arguments.of("maxStateBytes", (Consumer<EngineConfig.Builder>) b -> b.maxStateBytes(1023)),
        Arguments.of("maxPartitions", (Consumer<EngineConfig.Builder>) b -> b.maxPartitions(0)),
        Arguments.of("maxEmptyResponses", (Consumer<EngineConfig.Builder>) b -> b.maxEmptyResponses(10)),
        Arguments.of("maxRequestBytes", (Consumer<EngineConfig.Builder>) b -> b.maxRequestBytes(1023)),
        Arguments.of("maxNestingDepth", (Consumer<EngineConfig.Builder>) b -> b.maxNestingDepth(7)),
        Arguments.of("maxStringLength", (Consumer<EngineConfig.Builder>) b -> b.maxStringLength(1023)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBuilderValues")
  void builderRejectsOutOfRangeValuesNamingTheSetting(String setting, Consumer<EngineConfig.Builder> set) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> set.accept(EngineConfig.builder()));

    assertTrue(e.getMessage().startsWith(setting), e.getMessage());
  }

  @Test
  void builderRejectsNullPolicies() {
    assertThrows(NullPointerException.class, () -> EngineConfig.builder().orderCheck(null));
    assertThrows(NullPointerException.class, () -> EngineConfig.builder().tableOrder(null));
    assertThrows(NullPointerException.class, () -> EngineConfig.builder().clock(null));
    assertThrows(NullPointerException.class, () -> EngineConfig.builder().logSink(null));
  }

  @Test
  void buildRejectsAStateBudgetNotUnderHalfTheResponseBudget() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngineConfig.builder().maxResponseBytes(10_000).maxStateBytes(5_000).build());

    assertTrue(e.getMessage().contains("maxStateBytes"), e.getMessage());
    assertTrue(e.getMessage().contains("maxResponseBytes"), e.getMessage());
  }

  @Test
  void newBuilderCopiesEverySetting() {
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    List<String> lines = new ArrayList<>();
    Consumer<String> sink = lines::add;
    EngineConfig original = EngineConfig.builder().maxResponseBytes(3_000_000)
        .maxRowsPerResponse(9).pageSize(3).deadlineMargin(Duration.ofSeconds(2))
        .settleLag(Duration.ofSeconds(90)).maxStateBytes(100_000).maxPartitions(12)
        .maxEmptyResponses(2).orderCheck(OrderCheck.TOLERANT).tableOrder(TableOrder.INTERLEAVED)
        .maxRequestBytes(8192).maxNestingDepth(9).maxStringLength(2048)
        .callTimeout(Duration.ofSeconds(42)).clock(clock)
        .logSink(sink).build();

    EngineConfig copy = original.newBuilder().build();

    assertSameSettings(original, copy);
    assertSame(clock, copy.clock());
    assertSame(sink, copy.logSink());
  }

  @Test
  void changingACopiedBuilderLeavesTheOriginalAlone() {
    EngineConfig original = EngineConfig.builder().pageSize(50).build();
    EngineConfig.Builder b = original.newBuilder();

    EngineConfig changed = b.pageSize(7).orderCheck(OrderCheck.TOLERANT).build();

    assertEquals(50, original.pageSize());
    assertEquals(OrderCheck.STRICT, original.orderCheck());
    assertEquals(7, changed.pageSize());
    assertEquals(OrderCheck.TOLERANT, changed.orderCheck());
    assertFalse(original == changed);
  }

  static void assertSameSettings(EngineConfig a, EngineConfig b) {
    assertAll(
        () -> assertEquals(a.maxResponseBytes(), b.maxResponseBytes()),
        () -> assertEquals(a.maxRowsPerResponse(), b.maxRowsPerResponse()),
        () -> assertEquals(a.pageSize(), b.pageSize()),
        () -> assertEquals(a.deadlineMargin(), b.deadlineMargin()),
        () -> assertEquals(a.settleLag(), b.settleLag()),
        () -> assertEquals(a.maxStateBytes(), b.maxStateBytes()),
        () -> assertEquals(a.maxPartitions(), b.maxPartitions()),
        () -> assertEquals(a.maxEmptyResponses(), b.maxEmptyResponses()),
        () -> assertEquals(a.orderCheck(), b.orderCheck()),
        () -> assertEquals(a.tableOrder(), b.tableOrder()),
        () -> assertEquals(a.maxRequestBytes(), b.maxRequestBytes()),
        () -> assertEquals(a.maxNestingDepth(), b.maxNestingDepth()),
        () -> assertEquals(a.maxStringLength(), b.maxStringLength()),
        () -> assertEquals(a.callTimeout(), b.callTimeout()));
  }
}
