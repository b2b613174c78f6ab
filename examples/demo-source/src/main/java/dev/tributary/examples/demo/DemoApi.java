package dev.tributary.examples.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** The HTTP face of a {@link DemoSource}: auth, failure injection, parameters, pages, links. */
final class DemoApi implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DemoSource source;
  private final DemoSource.Options options;
  private final String authorization;
  /** Its own generator, so injected failures never change the generated data. */
  private final Random failures;
  private final Map<Integer, Long> responses = new TreeMap<>();
  private long requests;

  DemoApi(DemoSource source, DemoSource.Options options, String apiToken) {
    this.source = source;
    this.options = options;
    this.authorization = "Bearer " + apiToken;
    this.failures = new Random(options.seed ^ 0x5DEECE66DL);
  }

  synchronized Map<Integer, Long> responses() {
    return Map.copyOf(responses);
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      serve(ex);
    } catch (BadRequest e) {
      send(ex, 400, e.getMessage());
    } catch (RuntimeException e) {
      send(ex, 500, "internal error: " + e);
    } finally {
      ex.close();
    }
  }

  private void serve(HttpExchange ex) throws IOException {
    if (!authorization.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Bearer");
      send(ex, 401, "missing or wrong bearer token");
      return;
    }
    String resource = ex.getRequestURI().getPath().substring(1);
    if (!source.hasResource(resource) && !source.isCatalogue(resource)) {
      send(ex, 404, "no resource /" + resource
          + "; try /customers, /orders, /order_lines or /products");
      return;
    }
    if (!"GET".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().add("Allow", "GET");
      send(ex, 405, "only GET");
      return;
    }
    if (injectFailure(ex)) {
      return;
    }
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    if (source.isCatalogue(resource)) {
      serveCatalogue(ex, resource, q);
      return;
    }
    Instant since = instant(q, "updated_since");
    Long afterId = number(q, "after_id");
    Instant before = instant(q, "updated_before");
    Long limit = number(q, "limit");
    if (afterId != null && since == null) {
      throw new BadRequest("after_id needs updated_since: it breaks ties at that updated_at");
    }
    int pageSize = pageSize(limit);
    // Without after_id, updated_since is inclusive: start before every id at that instant.
    Resource.FeedKey after = since == null ? null
        : new Resource.FeedKey(since, afterId == null ? Long.MIN_VALUE : afterId);
    Resource.Page page = source.page(resource, after, before, pageSize);

    if (page.hasMore()) {
      Resource.FeedKey last = Resource.keyOf(page.entries().get(page.entries().size() - 1));
      StringBuilder next = new StringBuilder(source.baseUrl()).append('/').append(resource)
          .append("?updated_since=").append(encode(last.updatedAt().toString()))
          .append("&after_id=").append(last.id());
      if (before != null) {
        next.append("&updated_before=").append(encode(before.toString()));
      }
      next.append("&limit=").append(pageSize);
      ex.getResponseHeaders().add("Link", "<" + next + ">; rel=\"next\"");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", page.entries());
    body.put("has_more", page.hasMore());
    send(ex, 200, body);
  }

  /** A page of the catalogue: {@code after_sku} and {@code limit} only. */
  private void serveCatalogue(HttpExchange ex, String resource, Map<String, String> q)
      throws IOException {
    for (String feedOnly : new String[] {"updated_since", "after_id", "updated_before"}) {
      if (q.containsKey(feedOnly)) {
        throw new BadRequest("/" + resource + " is a catalogue listed whole in sku order, not a"
            + " change feed: it takes after_sku and limit, not " + feedOnly);
      }
    }
    String afterSku = q.get("after_sku");
    if (afterSku != null && afterSku.isEmpty()) {
      throw new BadRequest("after_sku is empty; leave it out to start at the first product");
    }
    int pageSize = pageSize(number(q, "limit"));
    Resource.Page page = source.catalogue(afterSku, pageSize);
    if (page.hasMore()) {
      Object last = page.entries().get(page.entries().size() - 1).get("sku");
      String next = source.baseUrl() + "/" + resource + "?after_sku=" + encode(String.valueOf(last))
          + "&limit=" + pageSize;
      ex.getResponseHeaders().add("Link", "<" + next + ">; rel=\"next\"");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", page.entries());
    body.put("has_more", page.hasMore());
    send(ex, 200, body);
  }

  /** The page size a {@code limit} asks for: at least 1, at most the options' cap. */
  private int pageSize(Long limit) {
    if (limit != null && limit < 1) {
      throw new BadRequest("limit < 1: " + limit);
    }
    return (int) Math.min(limit == null ? options.maxPageSize : limit, options.maxPageSize);
  }

  /** Answers with an injected 429 or 500 if the options ask for one on this request. */
  private boolean injectFailure(HttpExchange ex) throws IOException {
    long n;
    boolean rateLimited;
    boolean serverError;
    synchronized (this) {
      n = ++requests;
      rateLimited = (options.rateLimitEvery > 0 && n % options.rateLimitEvery == 0)
          || failures.nextDouble() < options.rateLimitProbability;
      serverError = (options.serverErrorEvery > 0 && n % options.serverErrorEvery == 0)
          || failures.nextDouble() < options.serverErrorProbability;
    }
    if (rateLimited) {
      ex.getResponseHeaders().add("Retry-After", "1");
      send(ex, 429, "rate limited; retry after 1 second");
      return true;
    }
    if (serverError) {
      send(ex, 500, "injected server error");
      return true;
    }
    return false;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new TreeMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          throw new BadRequest("parameter without a value: " + pair);
        }
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static Instant instant(Map<String, String> q, String name) {
    String v = q.get(name);
    try {
      return v == null ? null : Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new BadRequest(name + " is not an ISO-8601 instant (like 2024-05-01T10:00:00Z): " + v);
    }
  }

  private static Long number(Map<String, String> q, String name) {
    String v = q.get(name);
    try {
      return v == null ? null : Long.valueOf(v);
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " is not an integer: " + v);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private void send(HttpExchange ex, int status, String error) throws IOException {
    send(ex, status, Map.of("error", error));
  }

  private void send(HttpExchange ex, int status, Object body) throws IOException {
    synchronized (this) {
      responses.merge(status, 1L, Long::sum);
    }
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** A parameter the API cannot use; answered with 400 and the message. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }
}
