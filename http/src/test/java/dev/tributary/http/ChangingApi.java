package dev.tributary.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A REST source whose rows change while it is paged: after every data request a mutation may
 * insert, update (bump updated_at to the end of the order) or delete rows. Serves four shapes:
 * /keyset, /tokens (opaque keyset tokens), /links (page numbers in Link headers), /offset.
 */
final class ChangingApi extends Dispatcher {
  record Item(long id, Instant updatedAt, int version) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Comparator<Item> ORDER =
      Comparator.comparing(Item::updatedAt).thenComparingLong(Item::id);

  final Map<Long, Item> items = new TreeMap<>();
  private final Clock clock;
  private long nextId = 1;
  int requests;
  /** Called after every data request with its number. */
  java.util.function.IntConsumer mutation = n -> {};

  ChangingApi(Clock clock, int rows) {
    this.clock = clock;
    Instant t0 = clock.instant().minusSeconds(3600);
    for (int i = 0; i < rows; i++) {
      // Pairs of rows share a timestamp: ties on the cursor.
      insert(t0.plusSeconds(i / 2));
    }
  }

  synchronized Item insert(Instant at) {
    Item it = new Item(nextId++, at, 1);
    items.put(it.id(), it);
    return it;
  }

  /** Moves a row to the end of the order, as an update does: a later time than any row's. */
  synchronized void touch(long id) {
    Item it = items.get(id);
    if (it != null) {
      items.put(id, new Item(id, nextWriteTime(), it.version() + 1));
    }
  }

  /** Inserts a row written now (later than every existing row). */
  synchronized Item insertNew() {
    return insert(nextWriteTime());
  }

  /**
   * The source's clock for writes: strictly increasing, starting just before the test clock's
   * now, so writes land both inside the running sync's window and past its horizon.
   */
  private Instant nextWriteTime() {
    Instant latest = items.values().stream().map(Item::updatedAt).max(Instant::compareTo)
        .orElse(clock.instant());
    Instant floor = clock.instant().minusMillis(50);
    return (latest.isBefore(floor) ? floor : latest).plusMillis(7);
  }

  synchronized void delete(long id) {
    items.remove(id);
  }

  @Override
  public synchronized MockResponse dispatch(RecordedRequest r) {
    HttpUrl url = r.getRequestUrl();
    MockResponse response;
    switch (url.encodedPath()) {
      case "/keyset" -> response = keyset(url);
      case "/tokens" -> response = tokens(url);
      case "/links" -> response = links(url);
      case "/offset" -> response = offset(url);
      default -> response = new MockResponse().setResponseCode(404);
    }
    mutation.accept(++requests);
    return response;
  }

  private List<Item> sorted(Predicate<Item> filter) {
    return items.values().stream().filter(filter).sorted(ORDER).toList();
  }

  private static Predicate<Item> after(Instant since, Long afterId) {
    return it -> afterId == null ? !it.updatedAt().isBefore(since)
        : it.updatedAt().isAfter(since) || (it.updatedAt().equals(since) && it.id() > afterId);
  }

  private MockResponse keyset(HttpUrl url) {
    String since = url.queryParameter("updated_since");
    String afterId = url.queryParameter("after_id");
    int limit = Integer.parseInt(url.queryParameter("limit"));
    List<Item> all = sorted(since == null ? it -> true
        : after(Instant.parse(since), afterId == null ? null : Long.valueOf(afterId)));
    List<Item> page = all.subList(0, Math.min(limit, all.size()));
    return json(Map.of("data", rows(page), "has_more", all.size() > limit));
  }

  private MockResponse tokens(HttpUrl url) {
    String token = url.queryParameter("page_token");
    Predicate<Item> filter;
    if (token != null) {
      String[] last = new String(Base64.getUrlDecoder().decode(token)).split("\\|");
      filter = after(Instant.parse(last[0]), Long.valueOf(last[1]));
    } else {
      String since = url.queryParameter("updated_since");
      filter = since == null ? it -> true : after(Instant.parse(since), null);
    }
    int limit = 5;
    List<Item> all = sorted(filter);
    List<Item> page = all.subList(0, Math.min(limit, all.size()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", rows(page));
    if (all.size() > limit) {
      Item last = page.get(page.size() - 1);
      body.put("next", Base64.getUrlEncoder().encodeToString(
          (last.updatedAt() + "|" + last.id()).getBytes()));
    }
    return json(body);
  }

  private MockResponse links(HttpUrl url) {
    String since = url.queryParameter("since");
    int page = Integer.parseInt(url.queryParameter("page") == null ? "1" : url.queryParameter("page"));
    int perPage = 4;
    List<Item> all = sorted(since == null ? it -> true : after(Instant.parse(since), null));
    int from = Math.min((page - 1) * perPage, all.size());
    List<Item> slice = all.subList(from, Math.min(from + perPage, all.size()));
    MockResponse response = json(Map.of("data", rows(slice)));
    if (from + perPage < all.size()) {
      HttpUrl next = url.newBuilder().setQueryParameter("page", String.valueOf(page + 1)).build();
      response.addHeader("Link", "<" + url.newBuilder().setQueryParameter("page", "1").build()
          + ">; rel=\"first\", <" + next + ">; rel=\"next\"");
    }
    return response;
  }

  private MockResponse offset(HttpUrl url) {
    long offset = Long.parseLong(url.queryParameter("offset"));
    int limit = Integer.parseInt(url.queryParameter("limit"));
    List<Item> all = new ArrayList<>(items.values()); // by id
    int from = (int) Math.min(offset, all.size());
    List<Item> page = all.subList(from, Math.min(from + limit, all.size()));
    return json(Map.of("data", rows(page), "has_more", from + limit < all.size()));
  }

  private static List<Map<String, Object>> rows(List<Item> items) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Item it : items) {
      out.add(Map.of("id", it.id(), "updated_at", it.updatedAt().toString(),
          "version", it.version()));
    }
    return out;
  }

  private static MockResponse json(Object body) {
    try {
      return new MockResponse().setHeader("Content-Type", "application/json")
          .setBody(JSON.writeValueAsString(body));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
