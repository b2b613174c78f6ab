package dev.tributary.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.FunctionHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link FunctionHandler} the way Fivetran does — call with the last accepted state,
 * repeat while {@code hasMore}, keep the state only from successful calls — and applies each
 * accepted response to an in-memory destination with Fivetran's upsert and delete semantics.
 *
 * <p>It is also strict: every response is checked against the protocol, and a violation fails
 * the test with the call number.
 */
public final class FakeFivetran {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  /**
   * The {@code sync_id} every call carries unless {@link #syncId(String)} changes it (Fivetran's
   * own example value; not a strict UUID). The connector sees it as {@code TableRead.syncId()}.
   */
  public static final String SYNC_ID = "468b681-c376-4117-bbc0-25d8ae02ace1";

  /** One call as it happened. */
  public record Call(int number, int httpStatus, JsonNode body, int bytes, boolean accepted) {
    public boolean hasMore() {
      return body.path("hasMore").asBoolean(false);
    }

    public int rows() {
      int n = 0;
      for (String section : List.of("insert", "delete")) {
        for (JsonNode rows : body.path(section)) {
          n += rows.size();
        }
      }
      return n;
    }
  }

  private final FunctionHandler handler;
  private final Clock clock;
  private final Duration callTimeout;
  private final long byteLimit;
  private ObjectNode state = JsonNodeFactory.instance.objectNode();
  private Map<String, Object> secrets = Map.of();
  private String syncId = SYNC_ID;
  private final List<Call> calls = new ArrayList<>();
  /** table → canonical key → row (as JSON). */
  private final Map<String, Map<String, JsonNode>> destination = new LinkedHashMap<>();
  /** table → canonical key → number of times an accepted response delivered it. */
  private final Map<String, Map<String, Integer>> deliveries = new HashMap<>();
  private int consecutiveEmpty;
  private int syncCalls;

  public FakeFivetran(FunctionHandler handler, Clock clock, Duration callTimeout, long byteLimit) {
    this.handler = handler;
    this.clock = clock;
    this.callTimeout = callTimeout;
    this.byteLimit = byteLimit;
  }

  public FakeFivetran secrets(Map<String, Object> secrets) {
    this.secrets = secrets;
    return this;
  }

  /** The {@code sync_id} of the following calls; null sends none (as before Fivetran added it). */
  public FakeFivetran syncId(String syncId) {
    this.syncId = syncId;
    return this;
  }

  public ObjectNode state() {
    return state;
  }

  public void setState(ObjectNode state) {
    this.state = state;
  }

  public List<Call> calls() {
    return calls;
  }

  public Call lastCall() {
    return calls.get(calls.size() - 1);
  }

  /** Makes one call with the last accepted state; applies it if it succeeded. */
  public Call call() {
    return call(Map.of());
  }

  /** One call with extra request members (e.g. {@code setup_test}). */
  public Call call(Map<String, Object> extra) {
    return call(extra, true);
  }

  /**
   * One call whose response is applied to the destination but whose state is then lost, as when
   * Fivetran writes the rows and fails before it stores the state: the next call replays.
   */
  public Call callLosingState() {
    return call(Map.of(), false);
  }

  private Call call(Map<String, Object> extra, boolean keepState) {
    ObjectNode req = JsonNodeFactory.instance.objectNode();
    req.put("agent", "Fivetran AWS Lambda Connector/test/schema");
    req.set("state", state.deepCopy());
    req.set("secrets", MAPPER.valueToTree(secrets));
    if (syncId != null) {
      req.put("sync_id", syncId);
    }
    extra.forEach((k, v) -> req.set(k, MAPPER.valueToTree(v)));
    byte[] in;
    try {
      in = MAPPER.writeValueAsBytes(req);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FunctionHandler.Outcome outcome;
    try {
      outcome = handler.handle(new ByteArrayInputStream(in), out,
          clock.instant().plus(callTimeout));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int n = calls.size() + 1;
    JsonNode body;
    try {
      body = MAPPER.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new AssertionError("call " + n + ": response is not JSON: "
          + out.toString(StandardCharsets.UTF_8), e);
    }
    boolean ok = outcome == FunctionHandler.Outcome.OK && !body.has("errorMessage");
    Call call = new Call(n, outcome.httpStatus(), body, out.size(), ok);
    calls.add(call);
    if (ok) {
      check(call);
      if (!extra.containsKey("setup_test")) {
        apply(body);
        if (keepState) {
          state = (ObjectNode) body.get("state");
        }
      }
    } else {
      if (!body.has("errorMessage") || !body.has("errorType") || body.has("state")
          || body.has("insert")) {
        throw new AssertionError("call " + n + ": error response is not a clean error body: " + body);
      }
    }
    return call;
  }

  /**
   * Runs a whole sync: calls until {@code hasMore} is false. Failed calls are retried with the
   * last accepted state up to {@code maxFailures} times in total.
   */
  public List<Call> sync(int maxCalls, int maxFailures) {
    List<Call> made = new ArrayList<>();
    int failures = 0;
    consecutiveEmpty = 0;
    for (int i = 0; i < maxCalls; i++) {
      Call c = call();
      made.add(c);
      if (!c.accepted()) {
        if (++failures > maxFailures) {
          throw new AssertionError("call " + c.number() + " failed: " + c.body());
        }
        continue;
      }
      if (!c.hasMore()) {
        return made;
      }
    }
    throw new AssertionError("sync did not finish within " + maxCalls + " calls; last: "
        + lastCall().body().path("state"));
  }

  /** A sync that must not fail. */
  public List<Call> sync() {
    return sync(10_000, 0);
  }

  private void check(Call c) {
    JsonNode b = c.body();
    int n = c.number();
    if (!b.path("state").isObject()) {
      throw new AssertionError("call " + n + ": state missing or not an object: " + b);
    }
    if (!b.path("hasMore").isBoolean()) {
      throw new AssertionError("call " + n + ": hasMore missing or not a boolean: " + b);
    }
    if (c.bytes() > byteLimit) {
      throw new AssertionError("call " + n + ": response of " + c.bytes() + " bytes exceeds " + byteLimit);
    }
    if (!b.path("schema").isObject()) {
      throw new AssertionError("call " + n + ": schema missing: " + b);
    }
    for (String section : List.of("insert", "delete")) {
      Iterator<String> tables = b.path(section).fieldNames();
      while (tables.hasNext()) {
        String t = tables.next();
        JsonNode pk = b.path("schema").path(t).path("primary_key");
        if (!pk.isArray() || pk.isEmpty()) {
          throw new AssertionError("call " + n + ": " + section + " for " + t + " without schema");
        }
        for (JsonNode row : b.path(section).path(t)) {
          for (JsonNode col : pk) {
            if (!row.has(col.asText()) || row.get(col.asText()).isNull()) {
              throw new AssertionError("call " + n + ": a row of " + t + " lacks key " + col);
            }
          }
        }
      }
    }
    if (c.hasMore() && c.rows() == 0) {
      if (++consecutiveEmpty > 10) {
        throw new AssertionError("call " + n + ": more than 10 consecutive empty responses");
      }
    } else {
      consecutiveEmpty = 0;
    }
    syncCalls++;
  }

  private void apply(JsonNode b) {
    JsonNode schema = b.path("schema");
    List<String> soft = new ArrayList<>();
    b.path("softDelete").forEach(n -> soft.add(n.asText()));
    Iterator<Map.Entry<String, JsonNode>> ins = b.path("insert").fields();
    while (ins.hasNext()) {
      Map.Entry<String, JsonNode> e = ins.next();
      Map<String, JsonNode> table = destination.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
      for (JsonNode row : e.getValue()) {
        String key = key(schema, e.getKey(), row);
        table.put(key, row);
        deliveries.computeIfAbsent(e.getKey(), k -> new HashMap<>()).merge(key, 1, Integer::sum);
      }
    }
    Iterator<Map.Entry<String, JsonNode>> del = b.path("delete").fields();
    while (del.hasNext()) {
      Map.Entry<String, JsonNode> e = del.next();
      Map<String, JsonNode> table = destination.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
      for (JsonNode row : e.getValue()) {
        String key = key(schema, e.getKey(), row);
        if (soft.contains(e.getKey())) {
          JsonNode existing = table.get(key);
          ObjectNode marked = existing == null ? (ObjectNode) row.deepCopy() : (ObjectNode) existing.deepCopy();
          marked.put("_fivetran_deleted", true);
          table.put(key, marked);
        } else {
          table.remove(key);
        }
      }
    }
  }

  private static String key(JsonNode schema, String table, JsonNode row) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode col : schema.path(table).path("primary_key")) {
      sb.append(row.get(col.asText())).append('|');
    }
    return sb.toString();
  }

  /** The destination's rows of a table, by canonical key ({@code 42|} for a single numeric id). */
  public Map<String, JsonNode> table(String name) {
    return destination.getOrDefault(name, Map.of());
  }

  /** Live rows (not soft-deleted) by numeric {@code id}. */
  public Map<Long, JsonNode> rowsById(String name) {
    Map<Long, JsonNode> out = new java.util.TreeMap<>();
    for (JsonNode row : table(name).values()) {
      if (!row.path("_fivetran_deleted").asBoolean(false)) {
        out.put(row.get("id").asLong(), row);
      }
    }
    return out;
  }

  public Map<String, Integer> deliveries(String table) {
    return deliveries.getOrDefault(table, Map.of());
  }

  /** Every response body of accepted calls, as text, and every error body. */
  public String allBodies() {
    StringBuilder sb = new StringBuilder();
    for (Call c : calls) {
      sb.append(c.body()).append('\n');
    }
    return sb.toString();
  }

  public static Instant t(String iso) {
    return Instant.parse(iso);
  }
}
