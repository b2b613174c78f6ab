package dev.tributary.runner;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs one sync the way Fivetran does: call with the last accepted state, apply the response to
 * the warehouse, keep its state, repeat while {@code hasMore}; stop at {@code hasMore: false},
 * at an error response (state not advanced), at a protocol violation (nothing applied), or at a
 * limit. The warehouse commit comes first and {@code state.json} after it, so a crash between
 * the two replays the last response, which the warehouse absorbs (upserts by key; append-only
 * tables replace their own batch).
 */
final class Driver {
  /** How a sync ended, with the process exit code the CLI returns. */
  enum Result {
    SUCCESS(0),
    PROTOCOL_VIOLATION(2),
    CONNECTOR_ERROR(3);

    final int exitCode;

    Result(int exitCode) {
      this.exitCode = exitCode;
    }
  }

  /** What a sync did. */
  record Summary(Result result, int calls, long bytes, long millis,
      Map<String, long[]> rowsPerTable, List<String> problems) {
    long rows() {
      return rowsPerTable.values().stream().mapToLong(a -> a[0] + a[1]).sum();
    }
  }

  /** Fivetran ends a connection after more than this many empty responses with hasMore. */
  static final int MAX_EMPTY_RESPONSES = 10;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** A body is one JSON document: anything after it makes the whole body not JSON. */
  private static final ObjectReader STRICT = JSON.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Target target;
  private final Warehouse warehouse;
  private final StateFile stateFile;
  private final Map<String, Object> secrets;
  private final ProtocolChecker checker;
  private final Duration callTimeout;
  private final Duration timeLimit;
  private final int maxCalls;
  private final Progress progress;
  /** Test hook: runs after the warehouse commit, before state.json is written. */
  Runnable afterCommit = () -> {};

  Driver(Target target, Warehouse warehouse, StateFile stateFile, Map<String, Object> secrets,
      ProtocolChecker checker, Duration callTimeout, Duration timeLimit, int maxCalls,
      Progress progress) {
    this.target = target;
    this.warehouse = warehouse;
    this.stateFile = stateFile;
    this.secrets = secrets;
    this.checker = checker;
    this.callTimeout = callTimeout;
    this.timeLimit = timeLimit;
    this.maxCalls = maxCalls;
    this.progress = progress;
  }

  Summary sync() throws IOException, SQLException {
    long started = System.nanoTime();
    String syncId = UUID.randomUUID().toString();
    ObjectNode state = stateFile.read();
    Map<String, long[]> perTable = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    long bytes = 0;
    long rows = 0;
    int empty = 0;
    for (int call = 1; call <= maxCalls; call++) {
      if (System.nanoTime() - started > timeLimit.toNanos()) {
        return fail(Result.PROTOCOL_VIOLATION, "call " + call + ": the sync ran over its time"
            + " limit of " + timeLimit + " (--time-limit; Fivetran stops a sync after 6 hours)",
            call - 1, bytes, started, perTable, problems);
      }
      ObjectNode request = JSON.createObjectNode();
      request.put("agent", "Tributary runner/local");
      request.set("state", state);
      request.set("secrets", JSON.valueToTree(secrets));
      request.put("sync_id", syncId);
      byte[] requestBytes = JSON.writeValueAsBytes(request);

      Target.Reply reply;
      try {
        reply = target.call(requestBytes, callTimeout);
      } catch (IOException e) {
        return fail(Result.CONNECTOR_ERROR, "call " + call + ": calling the function ("
            + target.describe() + ") failed: " + Main.describeBriefly(e), call, bytes, started,
            perTable, problems);
      }
      bytes += reply.body().length;
      JsonNode body = parse(reply.body());
      List<ProtocolChecker.Finding> findings = checker.check(call, reply.status(), reply.body(),
          reply.wireBytes(), body);
      boolean violated = false;
      for (ProtocolChecker.Finding f : findings) {
        problems.add((f.error() ? "error: " : "warning: ") + f.message());
        violated |= f.error();
      }
      if (violated) {
        return done(Result.PROTOCOL_VIOLATION, call, bytes, started, perTable, problems);
      }
      if (body.has("errorMessage")) {
        problems.add("call " + call + ": the function answered an error (" 
            + body.path("errorType").asText("no errorType") + ", HTTP "
            + (reply.status() < 0 ? "n/a" : reply.status()) + "): "
            + body.path("errorMessage").asText() + " — state not advanced");
        return done(Result.CONNECTOR_ERROR, call, bytes, started, perTable, problems);
      }
      if (reply.status() >= 300) {
        problems.add("error: call " + call + ": HTTP " + reply.status()
            + " with a body that is not an error response");
        return done(Result.PROTOCOL_VIOLATION, call, bytes, started, perTable, problems);
      }
      boolean hasMore = body.get("hasMore").booleanValue();
      long callRows = countRows(body);
      if (hasMore && callRows == 0) {
        if (++empty > MAX_EMPTY_RESPONSES) {
          problems.add("error: call " + call + ": more than " + MAX_EMPTY_RESPONSES
              + " consecutive empty responses with hasMore: true; Fivetran ends the connection");
          return done(Result.PROTOCOL_VIOLATION, call, bytes, started, perTable, problems);
        }
      } else {
        empty = 0;
      }
      Warehouse.Applied applied = warehouse.apply(body, batchId(state));
      afterCommit.run();
      state = (ObjectNode) body.get("state");
      stateFile.write(state);
      applied.perTable().forEach((t, n) -> {
        long[] sum = perTable.computeIfAbsent(t, k -> new long[2]);
        sum[0] += n[0];
        sum[1] += n[1];
      });
      rows += callRows;
      progress.call(call, callRows, reply.body().length, rows, bytes, hasMore);
      if (!hasMore) {
        return done(Result.SUCCESS, call, bytes, started, perTable, problems);
      }
    }
    return fail(Result.PROTOCOL_VIOLATION, "the sync did not finish within " + maxCalls
        + " calls (--max-calls): is hasMore stuck at true?", maxCalls, bytes, started, perTable,
        problems);
  }

  private Summary fail(Result r, String problem, int calls, long bytes, long started,
      Map<String, long[]> perTable, List<String> problems) {
    problems.add("error: " + problem);
    return done(r, calls, bytes, started, perTable, problems);
  }

  private Summary done(Result r, int calls, long bytes, long started, Map<String, long[]> perTable,
      List<String> problems) {
    progress.settle();
    return new Summary(r, calls, bytes, (System.nanoTime() - started) / 1_000_000, perTable,
        problems);
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode n = STRICT.readTree(body);
      return n == null || n.isMissingNode() ? null : n;
    } catch (IOException e) {
      return null;
    }
  }

  static long countRows(JsonNode body) {
    long n = 0;
    for (String section : List.of("insert", "delete")) {
      for (Iterator<JsonNode> it = body.path(section).elements(); it.hasNext(); ) {
        n += it.next().size();
      }
    }
    return n;
  }

  /** Identifies a call by the state it was made with: a replay of it gets the same id. */
  static String batchId(JsonNode state) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(state.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
