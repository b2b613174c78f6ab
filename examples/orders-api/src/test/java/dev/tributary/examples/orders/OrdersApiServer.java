package dev.tributary.examples.orders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The orders API the example connector reads, served on a loopback port from in-memory tables:
 * {@code GET /<table>?updated_since&after_id&updated_before&limit}, bearer-token auth.
 */
final class OrdersApiServer implements AutoCloseable {
  static final String TOKEN = "demo-token-4f3e2d1c";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  final Map<String, TreeMap<Long, Map<String, Object>>> tables = new HashMap<>();

  OrdersApiServer() throws IOException {
    tables.put("customers", new TreeMap<>());
    tables.put("orders", new TreeMap<>());
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::serve);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void put(String table, long id, Instant updatedAt, Map<String, Object> extra) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("updated_at", updatedAt.toString());
    row.putAll(extra);
    tables.get(table).put(id, row);
  }

  void delete(String table, long id, Instant at) {
    Map<String, Object> row = new LinkedHashMap<>(tables.get(table).get(id));
    row.put("updated_at", at.toString());
    row.put("deleted_at", at.toString());
    tables.get(table).put(id, row);
  }

  private void serve(HttpExchange ex) throws IOException {
    try {
      route(ex);
    } catch (RuntimeException e) {
      send(ex, 500, Map.of("error", String.valueOf(e)));
    }
  }

  private void route(HttpExchange ex) throws IOException {
    if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      send(ex, 401, Map.of("error", "unauthorized"));
      return;
    }
    String table = ex.getRequestURI().getPath().substring(1);
    if (!tables.containsKey(table)) {
      send(ex, 404, Map.of("error", "no such resource"));
      return;
    }
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    Instant since = q.containsKey("updated_since") ? Instant.parse(q.get("updated_since")) : null;
    Long afterId = q.containsKey("after_id") ? Long.valueOf(q.get("after_id")) : null;
    Instant before = q.containsKey("updated_before") ? Instant.parse(q.get("updated_before")) : null;
    int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> row : tables.get(table).values()) {
      Instant at = Instant.parse((String) row.get("updated_at"));
      long id = ((Number) row.get("id")).longValue();
      boolean after = since == null || at.isAfter(since)
          || (at.equals(since) && (afterId == null || id > afterId));
      if (after && (before == null || at.isBefore(before))) {
        rows.add(row);
      }
    }
    rows.sort(Comparator.comparing((Map<String, Object> r) -> Instant.parse((String) r.get("updated_at")))
        .thenComparingLong(r -> ((Number) r.get("id")).longValue()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", rows.subList(0, Math.min(limit, rows.size())));
    body.put("has_more", rows.size() > limit);
    send(ex, 200, body);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
