package dev.tributary;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The engine's limits and policies. Every setting has a default that is right for Fivetran on
 * AWS Lambda and an environment variable (the configuration convention of every function
 * platform); {@link #fromEnvironment()} reads them, {@link #builder()} sets them in code.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>environment variable</th></tr>
 *   <tr><td>{@link Builder#maxResponseBytes}</td><td>5,500,000</td><td>{@code TRIBUTARY_MAX_RESPONSE_BYTES}</td></tr>
 *   <tr><td>{@link Builder#maxStagedBytes}</td><td>50,000,000</td><td>{@code TRIBUTARY_MAX_STAGED_BYTES}</td></tr>
 *   <tr><td>{@link Builder#maxRowsPerResponse}</td><td>100,000</td><td>{@code TRIBUTARY_MAX_ROWS}</td></tr>
 *   <tr><td>{@link Builder#pageSize}</td><td>1,000</td><td>{@code TRIBUTARY_PAGE_SIZE}</td></tr>
 *   <tr><td>{@link Builder#deadlineMargin}</td><td>5 s</td><td>{@code TRIBUTARY_DEADLINE_MARGIN_MS}</td></tr>
 *   <tr><td>{@link Builder#settleLag}</td><td>30 s</td><td>{@code TRIBUTARY_SETTLE_LAG_SECONDS}</td></tr>
 *   <tr><td>{@link Builder#maxStateBytes}</td><td>1,000,000</td><td>{@code TRIBUTARY_MAX_STATE_BYTES}</td></tr>
 *   <tr><td>{@link Builder#maxPartitions}</td><td>10,000</td><td>{@code TRIBUTARY_MAX_PARTITIONS}</td></tr>
 *   <tr><td>{@link Builder#maxDigestRows}</td><td>10,000</td><td>{@code TRIBUTARY_MAX_DIGEST_ROWS}</td></tr>
 *   <tr><td>{@link Builder#maxEmptyResponses}</td><td>5</td><td>{@code TRIBUTARY_MAX_EMPTY_RESPONSES}</td></tr>
 *   <tr><td>{@link Builder#orderCheck}</td><td>STRICT</td><td>{@code TRIBUTARY_ORDER_CHECK}</td></tr>
 *   <tr><td>{@link Builder#tableOrder}</td><td>SEQUENTIAL</td><td>{@code TRIBUTARY_TABLE_ORDER}</td></tr>
 *   <tr><td>{@link Builder#maxRequestBytes}</td><td>16 MiB</td><td>{@code TRIBUTARY_MAX_REQUEST_BYTES}</td></tr>
 *   <tr><td>{@link Builder#maxNestingDepth}</td><td>64</td><td>{@code TRIBUTARY_MAX_NESTING_DEPTH}</td></tr>
 *   <tr><td>{@link Builder#maxStringLength}</td><td>1 MiB</td><td>{@code TRIBUTARY_MAX_STRING_LENGTH}</td></tr>
 *   <tr><td>{@link Builder#callTimeout}</td><td>the platform's ({@link HttpFront.Platform})</td><td>{@code TRIBUTARY_TIMEOUT_SECONDS}</td></tr>
 * </table>
 *
 * <p>Immutable; {@link #newBuilder()} copies it for changes.
 */
public final class EngineConfig {
  private final long maxResponseBytes;
  private final long maxStagedBytes;
  private final int maxRowsPerResponse;
  private final int pageSize;
  private final Duration deadlineMargin;
  private final Duration settleLag;
  private final int maxStateBytes;
  private final int maxPartitions;
  private final int maxDigestRows;
  private final int maxEmptyResponses;
  private final OrderCheck orderCheck;
  private final TableOrder tableOrder;
  private final long maxRequestBytes;
  private final int maxNestingDepth;
  private final int maxStringLength;
  private final Duration callTimeout;
  private final Clock clock;
  private final Consumer<String> logSink;

  private EngineConfig(Builder b) {
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxStagedBytes = b.maxStagedBytes;
    this.maxRowsPerResponse = b.maxRowsPerResponse;
    this.pageSize = b.pageSize;
    this.deadlineMargin = b.deadlineMargin;
    this.settleLag = b.settleLag;
    this.maxStateBytes = b.maxStateBytes;
    this.maxPartitions = b.maxPartitions;
    this.maxDigestRows = b.maxDigestRows;
    this.maxEmptyResponses = b.maxEmptyResponses;
    this.orderCheck = b.orderCheck;
    this.tableOrder = b.tableOrder;
    this.maxRequestBytes = b.maxRequestBytes;
    this.maxNestingDepth = b.maxNestingDepth;
    this.maxStringLength = b.maxStringLength;
    this.callTimeout = b.callTimeout;
    this.clock = b.clock;
    this.logSink = b.logSink;
  }

  /** All defaults. */
  public static EngineConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults overridden by the process's {@code TRIBUTARY_*} environment variables. */
  public static EngineConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Defaults overridden by {@code TRIBUTARY_*} entries of {@code env}.
   *
   * @throws IllegalArgumentException naming the variable when a value cannot be used
   */
  public static EngineConfig fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    EnvReader r = new EnvReader(env);
    r.ifLong("TRIBUTARY_MAX_RESPONSE_BYTES", b::maxResponseBytes);
    r.ifLong("TRIBUTARY_MAX_STAGED_BYTES", b::maxStagedBytes);
    r.ifLong("TRIBUTARY_MAX_ROWS", v -> b.maxRowsPerResponse(Math.toIntExact(v)));
    r.ifLong("TRIBUTARY_PAGE_SIZE", v -> b.pageSize(Math.toIntExact(v)));
    r.ifLong("TRIBUTARY_DEADLINE_MARGIN_MS", v -> b.deadlineMargin(Duration.ofMillis(v)));
    r.ifLong("TRIBUTARY_SETTLE_LAG_SECONDS", v -> b.settleLag(Duration.ofSeconds(v)));
    r.ifLong("TRIBUTARY_MAX_STATE_BYTES", v -> b.maxStateBytes(Math.toIntExact(v)));
    r.ifLong("TRIBUTARY_MAX_PARTITIONS", v -> b.maxPartitions(Math.toIntExact(v)));
    r.ifLong("TRIBUTARY_MAX_DIGEST_ROWS", v -> b.maxDigestRows(Math.toIntExact(v)));
    r.ifLong("TRIBUTARY_MAX_EMPTY_RESPONSES", v -> b.maxEmptyResponses(Math.toIntExact(v)));
    r.ifEnum("TRIBUTARY_ORDER_CHECK", OrderCheck.class, b::orderCheck);
    r.ifEnum("TRIBUTARY_TABLE_ORDER", TableOrder.class, b::tableOrder);
    r.ifLong("TRIBUTARY_MAX_REQUEST_BYTES", b::maxRequestBytes);
    r.ifLong("TRIBUTARY_MAX_NESTING_DEPTH", v -> b.maxNestingDepth(Math.toIntExact(v)));
    r.ifLong("TRIBUTARY_MAX_STRING_LENGTH", v -> b.maxStringLength(Math.toIntExact(v)));
    r.ifLong(HttpFront.TIMEOUT_VARIABLE, v -> b.callTimeout(Duration.ofSeconds(v)));
    if (b.maxStateBytes >= b.maxResponseBytes / 2) {
      throw new IllegalArgumentException("TRIBUTARY_MAX_STATE_BYTES (" + b.maxStateBytes
          + ") must be under half of TRIBUTARY_MAX_RESPONSE_BYTES (" + b.maxResponseBytes
          + "); lower the first or raise the second");
    }
    return b.build();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  public long maxStagedBytes() {
    return maxStagedBytes;
  }

  public int maxRowsPerResponse() {
    return maxRowsPerResponse;
  }

  public int pageSize() {
    return pageSize;
  }

  public Duration deadlineMargin() {
    return deadlineMargin;
  }

  public Duration settleLag() {
    return settleLag;
  }

  public int maxStateBytes() {
    return maxStateBytes;
  }

  public int maxPartitions() {
    return maxPartitions;
  }

  /**
   * Rows per full-refresh or lookback table whose delivered version the state remembers, so an
   * unchanged row is not sent again; 0 remembers none (every row is re-sent).
   */
  public int maxDigestRows() {
    return maxDigestRows;
  }

  public int maxEmptyResponses() {
    return maxEmptyResponses;
  }

  public OrderCheck orderCheck() {
    return orderCheck;
  }

  public TableOrder tableOrder() {
    return tableOrder;
  }

  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  public int maxNestingDepth() {
    return maxNestingDepth;
  }

  public int maxStringLength() {
    return maxStringLength;
  }

  /**
   * How long an HTTP call may take from its arrival, if set; empty means the platform's default
   * ({@link HttpFront}). Lambda ignores it: its deadline is the invocation's remaining time.
   */
  public Optional<Duration> callTimeout() {
    return Optional.ofNullable(callTimeout);
  }

  public Clock clock() {
    return clock;
  }

  public Consumer<String> logSink() {
    return logSink;
  }

  /** Builds an {@link EngineConfig}. Each setter checks its argument; the message names the setting. */
  public static final class Builder {
    private long maxResponseBytes = 5_500_000;
    private long maxStagedBytes = 50_000_000;
    private int maxRowsPerResponse = 100_000;
    private int pageSize = 1_000;
    private Duration deadlineMargin = Duration.ofSeconds(5);
    private Duration settleLag = Duration.ofSeconds(30);
    private int maxStateBytes = 1_000_000;
    private int maxPartitions = 10_000;
    private int maxDigestRows = 10_000;
    private int maxEmptyResponses = 5;
    private OrderCheck orderCheck = OrderCheck.STRICT;
    private TableOrder tableOrder = TableOrder.SEQUENTIAL;
    private long maxRequestBytes = 16L * 1024 * 1024;
    private int maxNestingDepth = 64;
    private int maxStringLength = 1024 * 1024;
    private Duration callTimeout;
    private Clock clock = Clock.systemUTC();
    private Consumer<String> logSink = stdout();

    private Builder() {}

    private Builder(EngineConfig c) {
      maxResponseBytes = c.maxResponseBytes;
      maxStagedBytes = c.maxStagedBytes;
      maxRowsPerResponse = c.maxRowsPerResponse;
      pageSize = c.pageSize;
      deadlineMargin = c.deadlineMargin;
      settleLag = c.settleLag;
      maxStateBytes = c.maxStateBytes;
      maxPartitions = c.maxPartitions;
      maxDigestRows = c.maxDigestRows;
      maxEmptyResponses = c.maxEmptyResponses;
      orderCheck = c.orderCheck;
      tableOrder = c.tableOrder;
      maxRequestBytes = c.maxRequestBytes;
      maxNestingDepth = c.maxNestingDepth;
      maxStringLength = c.maxStringLength;
      callTimeout = c.callTimeout;
      clock = c.clock;
      logSink = c.logSink;
    }

    /**
     * Most bytes one response may have, everything included. Default 5,500,000: under AWS
     * Lambda's 6 MB synchronous response limit with room for the platform's envelope.
     */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("maxResponseBytes < 4096: " + bytes);
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /**
     * Most bytes of the object a sync through cloud storage writes per call (AWS
     * {@code CLOUD_STORAGE}: the rows go to S3, only state comes back). Default 50,000,000; the
     * object is streamed, so memory stays bounded.
     */
    public Builder maxStagedBytes(long bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("maxStagedBytes < 4096: " + bytes);
      }
      this.maxStagedBytes = bytes;
      return this;
    }

    /**
     * Most rows (inserts plus deletes) in one direct response. Default 100,000. A sync through
     * cloud storage is bounded by {@link #maxStagedBytes} alone.
     */
    public Builder maxRowsPerResponse(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("maxRowsPerResponse < 1: " + rows);
      }
      this.maxRowsPerResponse = rows;
      return this;
    }

    /** The page size hint passed to {@link Connector#read}. Default 1,000. */
    public Builder pageSize(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("pageSize < 1: " + rows);
      }
      this.pageSize = rows;
      return this;
    }

    /** How long before the call's deadline the engine stops reading and answers. Default 5 s. */
    public Builder deadlineMargin(Duration margin) {
      if (margin.isNegative()) {
        throw new IllegalArgumentException("deadlineMargin < 0: " + margin);
      }
      this.deadlineMargin = margin;
      return this;
    }

    /**
     * How far behind the source's clock each sync's horizon sits: a write must become visible
     * within this lag of its cursor value to be picked up by the sync that covers it. Default 30 s.
     */
    public Builder settleLag(Duration lag) {
      if (lag.isNegative()) {
        throw new IllegalArgumentException("settleLag < 0: " + lag);
      }
      this.settleLag = lag;
      return this;
    }

    /** Most bytes the serialised {@code state} may have. Default 1,000,000. */
    public Builder maxStateBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxStateBytes < 1024: " + bytes);
      }
      this.maxStateBytes = bytes;
      return this;
    }

    /**
     * Most per-parent positions a child table keeps in state. Parents beyond it are not
     * remembered once their children are caught up, so their children are read from the start
     * each sync: more re-reads, never lost rows. Default 10,000.
     */
    public Builder maxPartitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("maxPartitions < 1: " + partitions);
      }
      this.maxPartitions = partitions;
      return this;
    }

    /**
     * Rows per full-refresh table, and per lookback table's window, whose delivered version
     * the state remembers (about 20 bytes of state each, plus the key's JSON): within it an
     * unchanged row is not sent again and a full-refresh table that declares
     * {@link Table#deleteMissing()} finds the rows its source no longer returns. Beyond it the
     * oldest are forgotten: those rows are re-sent, never skipped. 0 remembers none.
     */
    public Builder maxDigestRows(int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("maxDigestRows < 0: " + rows
            + "; set TRIBUTARY_MAX_DIGEST_ROWS to 0 (remember none) or more");
      }
      this.maxDigestRows = rows;
      return this;
    }

    /**
     * Most consecutive responses without rows that say {@code hasMore: true} (a source too slow
     * to answer within the deadline); the next one ends the sync with {@code hasMore: false},
     * keeping its progress for the next sync. Fivetran terminates a connection after more than
     * 10. Default 5, at most 9.
     */
    public Builder maxEmptyResponses(int responses) {
      if (responses < 1 || responses > 9) {
        throw new IllegalArgumentException("maxEmptyResponses not in [1, 9]: " + responses);
      }
      this.maxEmptyResponses = responses;
      return this;
    }

    public Builder orderCheck(OrderCheck check) {
      this.orderCheck = Objects.requireNonNull(check, "orderCheck");
      return this;
    }

    public Builder tableOrder(TableOrder order) {
      this.tableOrder = Objects.requireNonNull(order, "tableOrder");
      return this;
    }

    /** Largest request document accepted. Default 16 MiB. */
    public Builder maxRequestBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxRequestBytes < 1024: " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /** Deepest nesting of objects and arrays accepted in a request. Default 64. */
    public Builder maxNestingDepth(int depth) {
      if (depth < 8) {
        throw new IllegalArgumentException("maxNestingDepth < 8: " + depth);
      }
      this.maxNestingDepth = depth;
      return this;
    }

    /** Longest string accepted in a request. Default 1 MiB. */
    public Builder maxStringLength(int chars) {
      if (chars < 1024) {
        throw new IllegalArgumentException("maxStringLength < 1024: " + chars);
      }
      this.maxStringLength = chars;
      return this;
    }

    /**
     * How long an HTTP call (Cloud Functions, Azure) may take from its arrival; set it a little
     * below the function's own timeout. The engine answers {@link #deadlineMargin} before it.
     * Default: the platform's ({@link HttpFront.Platform#defaultTimeout()}: 55 s on Cloud
     * Functions, 220 s on Azure); at most the platform's {@link HttpFront.Platform#maxTimeout()}.
     * Lambda ignores it.
     */
    public Builder callTimeout(Duration timeout) {
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("callTimeout < 1 s: " + timeout
            + "; set it a little below the function's timeout");
      }
      this.callTimeout = timeout;
      return this;
    }

    /** The host clock (tests pass a controllable one). Default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the engine's structured JSON log lines go. Default standard output. */
    public Builder logSink(Consumer<String> sink) {
      this.logSink = Objects.requireNonNull(sink, "logSink");
      return this;
    }

    public EngineConfig build() {
      if (maxStateBytes >= maxResponseBytes / 2) {
        throw new IllegalArgumentException("maxStateBytes (" + maxStateBytes
            + ") must be under half of maxResponseBytes (" + maxResponseBytes + ")");
      }
      return new EngineConfig(this);
    }

    private static Consumer<String> stdout() {
      PrintStream out = System.out;
      return line -> {
        synchronized (out) {
          out.println(line);
        }
      };
    }
  }

  private static final class EnvReader {
    private final Map<String, String> env;

    EnvReader(Map<String, String> env) {
      this.env = env;
    }

    void ifLong(String name, java.util.function.LongConsumer setter) {
      String raw = env.get(name);
      if (raw == null || raw.isBlank()) {
        return;
      }
      long value;
      try {
        value = Long.parseLong(raw.trim().replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " is not a whole number: '" + raw + "'");
      }
      try {
        setter.accept(value);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new IllegalArgumentException(name + "=" + raw + " is out of range: " + e.getMessage());
      }
    }

    <E extends Enum<E>> void ifEnum(String name, Class<E> type, Consumer<E> setter) {
      String raw = env.get(name);
      if (raw == null || raw.isBlank()) {
        return;
      }
      try {
        setter.accept(Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + " must be one of "
            + java.util.Arrays.toString(type.getEnumConstants()) + ", not '" + raw + "'");
      }
    }
  }
}
