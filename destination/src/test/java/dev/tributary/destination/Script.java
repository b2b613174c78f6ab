package dev.tributary.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic stream of responses, the same in every process: response {@code i} upserts and
 * hard-deletes {@code orders}, upserts and soft-deletes {@code items}, appends to {@code events},
 * and carries state {@code {"applied": i}}. {@link Model} is what the destination must hold after
 * the first {@code k}.
 */
final class Script {
  static final int ORDER_KEYS = 2_000;
  static final int ORDERS_PER_RESPONSE = 400;
  static final int ITEM_KEYS = 300;
  static final int ITEMS_PER_RESPONSE = 60;
  static final int EVENTS_PER_RESPONSE = 150;

  private Script() {}

  static JsonNode response(int i) {
    Random r = new Random(i * 7_919L);
    ObjectNode response = Json.object("{\"hasMore\":true,\"softDelete\":[\"items\"],\"schema\":{"
        + "\"orders\":{\"primary_key\":[\"id\"]},\"items\":{\"primary_key\":[\"id\"]}}}");
    response.putObject("state").put("applied", i);
    ObjectNode insert = response.putObject("insert");
    ObjectNode delete = response.putObject("delete");
    List<Integer> orders = distinct(r, ORDER_KEYS, ORDERS_PER_RESPONSE);
    ArrayNode upserts = insert.putArray("orders");
    ArrayNode deletes = delete.putArray("orders");
    for (int n = 0; n < orders.size(); n++) {
      int id = orders.get(n);
      if (n % 5 == 4) { // one key per response: a key is upserted or deleted, never both
        deletes.addObject().put("id", id);
      } else {
        upserts.addObject().put("id", id).put("amount", amount(i, id)).put("note", "r" + i);
      }
    }
    List<Integer> items = distinct(r, ITEM_KEYS, ITEMS_PER_RESPONSE);
    ArrayNode itemUpserts = insert.putArray("items");
    ArrayNode itemDeletes = delete.putArray("items");
    for (int n = 0; n < items.size(); n++) {
      if (n % 6 == 5) {
        itemDeletes.addObject().put("id", items.get(n));
      } else {
        itemUpserts.addObject().put("id", items.get(n)).put("v", i);
      }
    }
    ArrayNode events = insert.putArray("events");
    for (int k = 0; k < EVENTS_PER_RESPONSE; k++) {
      events.addObject().put("response", i).put("k", k);
    }
    return response;
  }

  static long amount(int i, int id) {
    return i * 100_000L + id;
  }

  private static List<Integer> distinct(Random r, int keys, int count) {
    List<Integer> all = new ArrayList<>();
    for (int k = 1; k <= keys; k++) {
      all.add(k);
    }
    Collections.shuffle(all, r);
    return all.subList(0, count);
  }

  /** What the destination holds after responses 1..k, built up one response at a time. */
  static final class Model {
    int applied;
    final Map<Long, Long> orders = new HashMap<>();
    /** id → [v, deleted (0/1)] */
    final Map<Long, long[]> items = new HashMap<>();

    void advanceTo(int k) {
      while (applied < k) {
        JsonNode r = response(++applied);
        r.path("insert").path("orders").forEach(o -> orders.put(o.get("id").asLong(), o.get("amount").asLong()));
        r.path("delete").path("orders").forEach(o -> orders.remove(o.get("id").asLong()));
        r.path("insert").path("items").forEach(o -> items.put(o.get("id").asLong(), new long[] {o.get("v").asLong(), 0}));
        r.path("delete").path("items").forEach(o -> {
          long[] v = items.get(o.get("id").asLong());
          if (v != null) {
            v[1] = 1;
          }
        });
      }
    }
  }
}
