package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded, repeatable fuzz of the request and state decoders: real requests — with states a
 * real sync wrote — mutated structurally (values swapped for hostile ones, members removed,
 * types changed) and byte by byte. No case may throw out of {@link FunctionHandler}, answer a
 * 5xx (every fault here is the client's) or answer anything but a JSON body of the protocol's
 * shape. Work per case is bounded by input limits, not timed; the timeout only catches a hang.
 */
class DecoderFuzzTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long SEED = 20261201L;
  static final int CASES = 100_000;

  /** Values that have broken decoders before, or sit at the edges of a type. */
  static final String[] HOSTILE_RAW = {
      "1e9999999", "1e99999999", "1e999999999", "1e9999999999", "-1e9999999", "1e-20000",
      "1e-3848", "1e-99", "0.1e-100", "123456789012345678901234567890", "-0", "0e99999999",
      "1.5", "9007199254740993", "-9223372036854775809", "null", "true", "[]", "{}", "[[[[[]]]]]",
      "\"\"", "\"-999999999-01-01\"", "\"+999999999-12-31\"", "\"infinity\"", "\"-infinity\"",
      "\"+1000000000-12-31T23:59:59.999999999Z\"", "\"-1000000000-01-01T00:00:00Z\"",
      "\"0000-01-01T00:00:00Z\"", "\"2024-13-45T99:99:99Z\"", "\"2024-05-01T10:00:00\"",
      "\"2024-05-01 10:00:00+0530\"", "\"1e9999999\"", "\"NaN\"", "\"\\u0000\"", "\"\\ud800\"",
      "\"" + "9".repeat(5000) + "\"", "\"" + "x".repeat(20_000) + "\"",
      "[\"2024-05-01T10:00:00Z\"]", "[\"2024-05-01T10:00:00Z\", 1, 2]", "[null, null]",
      "[\"-infinity\", \"1e9999999\"]", "[\"infinity\", 1]", "{\"version\": 99}",
      "{\"version\": -1}", "{\"version\": 1.5}", "{\"version\": \"1\"}",
  };

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void noMutatedRequestEscapesOrAnswersAServerError() throws Exception {
    FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
    FunctionHandler handler = new FunctionHandler(source(), EngineConfig.builder().clock(clock)
        .logSink(l -> {}).pageSize(2).maxRowsPerResponse(3).build());
    List<byte[]> corpus = corpus(handler, clock);
    Random random = new Random(SEED);
    int ok = 0;
    int rejected = 0;
    for (int n = 0; n < CASES; n++) {
      byte[] base = corpus.get(random.nextInt(corpus.size()));
      byte[] input = random.nextInt(3) == 0 ? bytes(base, random) : structural(base, random);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      FunctionHandler.Outcome outcome;
      long started = System.nanoTime();
      try {
        outcome = handler.handle(new ByteArrayInputStream(input), out,
            clock.instant().plus(Duration.ofMinutes(5)));
      } catch (Throwable t) {
        throw new AssertionError("case " + n + " (seed " + SEED + ") threw: " + show(input), t);
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(millis < 5_000, "case " + n + " took " + millis + " ms: " + show(input));
      if (outcome.httpStatus() >= 500) {
        fail("case " + n + " answered " + outcome.httpStatus() + " " + out.toString(StandardCharsets.UTF_8)
            + " to " + show(input));
      }
      JsonNode body;
      try {
        body = JSON.readTree(out.toByteArray());
      } catch (IOException e) {
        throw new AssertionError("case " + n + ": the reply is not JSON a default reader takes: "
            + show(out.toByteArray()), e);
      }
      if (outcome == FunctionHandler.Outcome.OK) {
        assertTrue(body.path("state").isObject() && body.path("hasMore").isBoolean(),
            "case " + n + ": " + body);
        ok++;
      } else {
        assertTrue(body.path("errorMessage").isTextual() && !body.has("state"), "case " + n + ": " + body);
        rejected++;
      }
    }
    // The mutations reach past the parser: many cases are valid requests that sync.
    assertTrue(ok > CASES / 20 && rejected > CASES / 20, ok + " synced, " + rejected + " rejected");
  }

  /**
   * A small in-memory source that filters with the engine's own comparisons, so any position a
   * mutated state can carry is a position it can read after (a source's own range checks are
   * not what this test is about).
   */
  static Connector source() {
    Table orders = Table.incremental("orders").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER).lookback(Duration.ofDays(2));
    Table customers = Table.fullRefresh("customers").primaryKey("id").tiebreaker("id", ValueType.NUMBER);
    Table days = Table.incremental("days").primaryKey("id").cursor("day", ValueType.DATE)
        .tiebreaker("id", ValueType.NUMBER).lookback(Duration.ofDays(3));
    Table lines = Table.incremental("lines").primaryKey("id").cursor("updated_at")
        .tiebreaker("id", ValueType.NUMBER).partitionedBy("customers");
    Instant base = Instant.parse("2024-05-01T10:00:00Z");
    Map<String, List<Row>> rows = new java.util.HashMap<>();
    for (long id = 1; id <= 4; id++) {
      rows.computeIfAbsent("orders", k -> new ArrayList<>())
          .add(Row.of(Map.of("id", id, "updated_at", base.plusSeconds(id * 60))));
      rows.computeIfAbsent("customers", k -> new ArrayList<>()).add(Row.of(Map.of("id", id)));
      rows.computeIfAbsent("days", k -> new ArrayList<>())
          .add(Row.of(Map.of("id", id, "day", java.time.LocalDate.of(2024, 4, (int) id))));
      rows.computeIfAbsent("lines", k -> new ArrayList<>())
          .add(Row.of(Map.of("id", id, "updated_at", base.plusSeconds(id), "parent_id", (id % 2) + 1)));
    }
    return new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(orders, customers, days, lines);
      }

      @Override
      public Page read(TableRead read) {
        Table t = read.table();
        List<Row> out = new ArrayList<>();
        boolean more = false;
        for (Row r : rows.get(t.name())) {
          Position p = t.positionOf(r);
          if (read.after().isPresent() && p.compareTo(read.after().get()) <= 0) {
            continue;
          }
          if (read.upTo().isPresent()
              && Position.compareValues(p.cursor(), read.upTo().get()) >= 0) {
            continue;
          }
          if (read.parent().isPresent() && !String.valueOf(r.get("parent_id"))
              .equals(String.valueOf(read.parent().get().get("id")))) {
            continue;
          }
          if (out.size() == read.pageSize()) {
            more = true;
            break;
          }
          out.add(r);
        }
        return new Page(out, more);
      }
    };
  }

  /** Requests as Fivetran sends them, with every state a small-paged sync wrote, and fixtures. */
  static List<byte[]> corpus(FunctionHandler handler, FakeClock clock) throws IOException {
    FakeFivetran ft = new FakeFivetran(handler, clock, Duration.ofMinutes(1), 6_000_000);
    List<JsonNode> states = new ArrayList<>();
    states.add(JsonNodeFactory.instance.objectNode());
    for (FakeFivetran.Call c : ft.sync()) {
      states.add(c.body().path("state"));
    }
    states.add(JSON.readTree("{\"orders\": \"2024-05-01T10:00:00Z\"}")); // a version-0 map
    List<byte[]> out = new ArrayList<>();
    for (JsonNode state : states) {
      for (int variant = 0; variant < 3; variant++) {
        ObjectNode req = JsonNodeFactory.instance.objectNode();
        req.put("agent", "Fivetran AWS Lambda Connector/test/schema");
        req.set("state", state.deepCopy());
        req.putObject("secrets").put("apiToken", "s3cr3t-token").put("region", "eu");
        req.put("sync_id", "468b681-c376-4117-bbc0-25d8ae02ace1");
        if (variant == 1) {
          req.put("setup_test", true);
        } else if (variant == 2) {
          req.put("bucket", "b").put("file", "f.json");
        }
        out.add(JSON.writeValueAsBytes(req));
      }
    }
    return out;
  }

  /** Swaps, removes or retypes a few nodes of the request, hostile raw values included. */
  static byte[] structural(byte[] base, Random random) throws IOException {
    JsonNode root = JSON.readTree(base);
    List<String> raw = new ArrayList<>();
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      List<JsonNode[]> slots = new ArrayList<>(); // {container, key-or-index as text node}
      collect(root, slots);
      if (slots.isEmpty()) {
        break;
      }
      JsonNode[] slot = slots.get(random.nextInt(slots.size()));
      JsonNode replacement;
      switch (random.nextInt(5)) {
        case 0: // a hostile value, spliced in as raw text after serialising
          raw.add(HOSTILE_RAW[random.nextInt(HOSTILE_RAW.length)]);
          replacement = JsonNodeFactory.instance.textNode("\u0001RAW" + (raw.size() - 1) + "\u0001");
          break;
        case 1:
          replacement = null; // remove
          break;
        case 2:
          replacement = JsonNodeFactory.instance.numberNode(random.nextLong());
          break;
        case 3:
          replacement = JsonNodeFactory.instance.textNode(Instant.ofEpochSecond(
              random.nextLong() % 400_000_000_000L).toString());
          break;
        default: // another node of the same request, moved here
          replacement = slots.get(random.nextInt(slots.size()))[2].deepCopy();
      }
      set(slot, replacement);
    }
    String text = JSON.writeValueAsString(root);
    for (int i = 0; i < raw.size(); i++) {
      text = text.replace("\"\\u0001RAW" + i + "\\u0001\"", raw.get(i));
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void collect(JsonNode n, List<JsonNode[]> out) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.add(new JsonNode[] {n, JsonNodeFactory.instance.textNode(e.getKey()), e.getValue()});
        collect(e.getValue(), out);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        out.add(new JsonNode[] {n, JsonNodeFactory.instance.numberNode(i), n.get(i)});
        collect(n.get(i), out);
      }
    }
  }

  private static void set(JsonNode[] slot, JsonNode value) {
    if (slot[0].isObject()) {
      if (value == null) {
        ((ObjectNode) slot[0]).remove(slot[1].asText());
      } else {
        ((ObjectNode) slot[0]).set(slot[1].asText(), value);
      }
    } else {
      ArrayNode a = (ArrayNode) slot[0];
      int i = slot[1].asInt();
      if (value == null) {
        a.remove(i);
      } else {
        a.set(i, value);
      }
    }
  }

  /** Flips, inserts, deletes or truncates bytes. */
  static byte[] bytes(byte[] base, Random random) {
    byte[] b = Arrays.copyOf(base, base.length);
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(4)) {
        case 0:
          b[at] = (byte) random.nextInt(256);
          break;
        case 1: {
          byte[] token = HOSTILE_RAW[random.nextInt(HOSTILE_RAW.length)].getBytes(StandardCharsets.UTF_8);
          byte[] c = new byte[b.length + token.length];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(token, 0, c, at, token.length);
          System.arraycopy(b, at, c, at + token.length, b.length - at);
          b = c;
          break;
        }
        case 2: {
          int len = Math.min(b.length - at, 1 + random.nextInt(8));
          byte[] c = new byte[b.length - len];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(b, at + len, c, at, b.length - at - len);
          b = c;
          break;
        }
        default:
          b = Arrays.copyOf(b, at);
      }
    }
    return b;
  }

  static String show(byte[] b) {
    String s = new String(b, StandardCharsets.UTF_8);
    return s.length() > 600 ? s.substring(0, 600) + "…" : s;
  }
}
