package dev.tributary.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tributary.JsonRows;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Table;
import dev.tributary.TableRead;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Turns a source's pagination into the engine's model: one {@link dev.tributary.Connector#read}
 * returns rows in ascending {@code (cursor, tiebreaker)} order, and the engine checkpoints the
 * <em>position of the last row it delivered</em> — never a page token, link or offset, which a
 * source does not keep valid across a failed call, a new sync or a cold start. Within one read a
 * pager may send several requests to fill {@code read.pageSize()} rows; every read starts again
 * from {@code read.after()}.
 *
 * <h2>Shapes and what each guarantees</h2>
 * <ul>
 *   <li>{@link #keyset}: the source filters {@code updated_since} (+ {@code after_id}) — every
 *       request is built from the last row's position. Exact on a changing source: a row present
 *       throughout the sync is delivered, however rows are inserted or updated while paging.
 *   <li>{@link #tokens} (a next-page token in the body) and {@link #links} ({@code Link: <…>;
 *       rel="next"}): the first request of each read filters on {@code read.after()}; tokens or
 *       links are then followed only within the read. Exact if the source's tokens are keyset
 *       tokens (an encoding of the last row, like {@code starting_after}); if they are page
 *       numbers or offsets in disguise, a row updated while a chain is followed can shift out of
 *       the pages not yet read — set {@link Builder#maxRequestsPerRead}(1) so each read is one
 *       fresh, filtered request, which is exact again.
 *   <li>{@link #offset} (offset/limit, no filter): for full-refresh tables whose source orders by
 *       the table's tiebreaker. Each request overlaps the previous by one row to detect rows
 *       inserted or deleted before it: repeats are dropped (deduplicated by key within a read),
 *       and a shift that could skip rows makes the pager find its place again by the last key
 *       (a binary search over offsets). Resuming after {@code read.after()} uses an in-memory hint
 *       when this container served the previous read, else the same search. Rows present
 *       throughout the sync are delivered once per sync; rows inserted behind the current key
 *       wait for the next sync, as with any full refresh.
 * </ul>
 *
 * <p>Rows at or before {@code read.after()} (a source that can only filter {@code cursor >= x})
 * are passed on for the engine to drop, but do not count towards the page, and while a read has
 * found only such rows it keeps following tokens or links (past {@link
 * Builder#maxRequestsPerRead}) until it finds a later row or the deadline nears. A request that fails
 * with {@link SourceUnavailableException} after rows were gathered ends the read early with those
 * rows and {@code hasMore: true}: the engine checkpoints them and asks again. Pagers stop
 * following {@link Builder#followMargin} before {@code read.deadline()}.
 *
 * <p>Immutable and thread-safe (the offset hints are a concurrent cache).
 */
public final class Pager {
  /** One response of a token- or link-paged source: its rows and the next token or link, if any. */
  public record Batch(List<Row> rows, Optional<String> next) {
    public Batch {
      rows = List.copyOf(rows);
      Objects.requireNonNull(next, "next");
    }

    /** @param next the next page's token or URL; null or empty on the last page */
    public static Batch of(List<Row> rows, String next) {
      return new Batch(rows, Optional.ofNullable(next).filter(s -> !s.isEmpty()));
    }
  }

  /** Fetches the page for {@code token}; the first request (token null) filters on {@code read.after()}. */
  @FunctionalInterface
  public interface TokenFetch {
    Batch fetch(String token) throws IOException;
  }

  /** Reads a successful response's rows, in ascending (cursor, tiebreaker) order. */
  @FunctionalInterface
  public interface RowsReader {
    List<Row> rows(Response response) throws IOException;
  }

  /**
   * Fetches up to {@code limit} rows strictly after {@code from.after()} (all from the start when
   * empty; {@code cursor >= } its cursor when the position has no tiebreaker) below the window's
   * upper bound, in ascending order, and says whether more follow. Keyset APIs map this to
   * {@code updated_since=<cursor>&after_id=<tiebreaker>&limit=<limit>}. {@code from} is the
   * engine's read resumed where the pager stands, so its typed accessors
   * ({@link TableRead#afterCursorInstant()}, {@link TableRead#afterTiebreakerNumber()}, …) give
   * the values as the table declares them.
   */
  @FunctionalInterface
  public interface KeysetFetch {
    Page fetch(TableRead from, int limit) throws IOException;
  }

  /** Fetches up to {@code limit} rows from {@code offset}, ordered by the table's tiebreaker. */
  @FunctionalInterface
  public interface OffsetFetch {
    Page fetch(long offset, int limit) throws IOException;
  }

  private static final Pager DEFAULTS = builder().build();

  private final int maxRequestsPerRead;
  private final Duration followMargin;
  private final Clock clock;
  /** table → where the last offset read ended: a cache of this container, never state. */
  private final Map<String, OffsetHint> offsetHints = new ConcurrentHashMap<>();

  private record OffsetHint(Position last, long next) {}

  private Pager(Builder b) {
    maxRequestsPerRead = b.maxRequestsPerRead;
    followMargin = b.followMargin;
    clock = b.clock;
  }

  /**
   * Reads a JSON body's records as pass-through rows ({@link JsonRows}): the array under the
   * top-level member {@code field} (such as {@code "data"} of {@code {"data": […], …}}), or the
   * body itself when {@code field} is null and the body is an array. The records go into the
   * response as the source sent them; only the table's cursor, tiebreaker and key are read.
   */
  public static RowsReader jsonRecords(JsonRows rows, String field) {
    Objects.requireNonNull(rows, "rows");
    return response -> {
      byte[] body = response.body() == null ? new byte[0] : response.body().bytes();
      if (field == null) {
        return rows.array(body);
      }
      try (JsonParser p = JSON.createParser(body)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          throw new IOException("the response body is not a JSON object with a member " + field);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (p.nextToken() == JsonToken.START_ARRAY && name.equals(field)) {
            return rows.array(p, body);
          }
          p.skipChildren();
        }
      }
      throw new IOException("the response body has no array member " + field);
    };
  }

  private static final JsonFactory JSON = new JsonFactory();

  /** A pager with the defaults of {@link Builder}. */
  public static Pager defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Follows next-page tokens from the body within one read; see the class documentation. */
  public Page tokens(TableRead read, TokenFetch fetch) throws IOException {
    Table t = read.table();
    List<Row> rows = new ArrayList<>();
    int counted = 0;
    int requests = 0;
    String token = null;
    while (true) {
      Batch b;
      try {
        b = fetch.fetch(token);
      } catch (SourceUnavailableException e) {
        if (counted > 0) {
          return Page.more(rows);
        }
        throw e;
      }
      requests++;
      boolean beyond = false;
      for (Row r : b.rows()) {
        rows.add(r);
        if (!Positions.atOrBefore(t, r, read.after())) {
          counted++;
        }
        beyond |= Positions.beyond(t, r, read.upTo());
      }
      if (b.next().isEmpty() || beyond) {
        return Page.last(rows);
      }
      boolean late = nearDeadline(read);
      if (counted > 0 && (counted >= read.pageSize() || requests >= maxRequestsPerRead || late)) {
        return Page.more(rows);
      }
      if (late) {
        throw new SourceUnavailableException("reading " + t.name() + ": no rows after "
            + requests + " requests before the call's deadline; Fivetran retries the call", 0, null);
      }
      // Only rows at or before the position so far (an inclusive filter inside a tie larger than
      // the source's page): keep following whatever maxRequestsPerRead says, as a larger page
      // cannot get past a tie when the source caps its page size.
      token = b.next().get();
    }
  }

  /**
   * Follows {@code Link: <…>; rel="next"} headers from {@code first} within one read. Follow-up
   * requests keep {@code first}'s headers and tags and must stay on its scheme, host and port
   * (credentials are never sent elsewhere).
   */
  public Page links(TableRead read, ApiClient api, Request first, RowsReader reader)
      throws IOException {
    return tokens(read, next -> {
      Request r = next == null ? first : first.newBuilder().url(sameOrigin(first, next)).build();
      try (Response response = api.execute(r)) {
        List<Row> rows = reader.rows(response);
        return Batch.of(rows, nextLink(response).map(HttpUrl::toString).orElse(null));
      }
    });
  }

  /** Reads by keyset from {@code read.after()}; see the class documentation. Exact. */
  public Page keyset(TableRead read, KeysetFetch fetch) throws IOException {
    Table t = read.table();
    Optional<Position> after = read.after();
    List<Row> rows = new ArrayList<>();
    int counted = 0;
    int requests = 0;
    while (true) {
      Page p;
      try {
        p = fetch.fetch(after.map(read::resumedAfter).orElse(read), read.pageSize());
      } catch (SourceUnavailableException e) {
        if (counted > 0) {
          return Page.more(rows);
        }
        throw e;
      }
      requests++;
      rows.addAll(p.rows());
      boolean beyond = false;
      Position last = null;
      for (Row r : p.rows()) {
        Position rp = Positions.of(t, r);
        if (after.isEmpty() || Positions.compare(rp, after.get()) > 0) {
          counted++;
          last = rp;
        }
        beyond |= Positions.beyond(t, r, read.upTo());
      }
      if (!p.hasMore() || beyond) {
        return Page.last(rows);
      }
      if (last == null) {
        // Only rows at the position (an inclusive filter inside a tie larger than the limit):
        // the engine drops them and asks again with a larger page.
        return Page.more(rows);
      }
      if (counted >= read.pageSize() || requests >= maxRequestsPerRead || nearDeadline(read)) {
        return Page.more(rows);
      }
      after = Optional.of(last);
    }
  }

  /** Reads a full-refresh table by offset/limit; see the class documentation. */
  public Page offset(TableRead read, OffsetFetch fetch) throws IOException {
    Table t = read.table();
    Optional<Position> lastKey = read.after();
    OffsetHint hint = offsetHints.get(t.name());
    long next;
    if (lastKey.isEmpty()) {
      next = 0;
    } else if (hint != null && hint.last().equals(lastKey.get())) {
      next = hint.next();
    } else {
      next = locate(t, lastKey.get(), fetch);
    }
    List<Row> rows = new ArrayList<>();
    int requests = 0;
    while (true) {
      // Ask from one row early: that row should be the last key, or something moved.
      boolean overlap = lastKey.isPresent() && next > 0;
      long from = overlap ? next - 1 : next;
      int limit = read.pageSize() + (overlap ? 1 : 0);
      Page p;
      try {
        p = fetch.fetch(from, limit);
      } catch (SourceUnavailableException e) {
        if (!rows.isEmpty()) {
          return Page.more(rows);
        }
        throw e;
      }
      requests++;
      if (overlap && !p.rows().isEmpty()
          && Positions.compare(Positions.of(t, p.rows().get(0)), lastKey.get()) > 0) {
        // Rows before us were deleted and the rows shifted down: the ones in between could be
        // skipped. Find the last key's place again and re-ask.
        next = locate(t, lastKey.get(), fetch);
        if (requests >= maxRequestsPerRead + 2 && !rows.isEmpty()) {
          return Page.more(rows);
        }
        continue;
      }
      for (Row r : p.rows()) {
        Position rp = Positions.of(t, r);
        // Rows inserted before us shift older rows into this page again: dropped by key.
        if (lastKey.isEmpty() || Positions.compare(rp, lastKey.get()) > 0) {
          rows.add(r);
          lastKey = Optional.of(rp);
        }
      }
      next = from + p.rows().size();
      if (!p.hasMore() || p.rows().isEmpty()) {
        offsetHints.remove(t.name());
        return Page.last(rows);
      }
      if (rows.size() >= read.pageSize() || requests >= maxRequestsPerRead || nearDeadline(read)) {
        if (rows.isEmpty()) {
          continue;
        }
        offsetHints.put(t.name(), new OffsetHint(lastKey.get(), next));
        return Page.more(rows);
      }
    }
  }

  /** The offset of the first row after {@code key}: an exponential, then a binary search. */
  private static long locate(Table t, Position key, OffsetFetch fetch) throws IOException {
    long lo = 0; // every row before lo is at or before key
    long hi = 1;
    while (afterKey(t, key, fetch, hi - 1) == Boolean.FALSE) {
      lo = hi;
      hi *= 2;
    }
    // Row at hi - 1 is after key or absent; rows before lo are at or before it.
    long a = lo;
    long b = hi - 1;
    while (a < b) {
      long m = (a + b) >>> 1;
      if (afterKey(t, key, fetch, m) == Boolean.FALSE) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    return a;
  }

  /** Whether the row at {@code offset} is after {@code key}; null if there is no such row. */
  private static Boolean afterKey(Table t, Position key, OffsetFetch fetch, long offset)
      throws IOException {
    Page p = fetch.fetch(offset, 1);
    if (p.rows().isEmpty()) {
      return null;
    }
    return Positions.compare(Positions.of(t, p.rows().get(0)), key) > 0;
  }

  private boolean nearDeadline(TableRead read) {
    return !clock.instant().plus(followMargin).isBefore(read.deadline());
  }

  /** The {@code rel="next"} target of a response's {@code Link} headers, resolved against its URL. */
  public static Optional<HttpUrl> nextLink(Response response) {
    for (String header : response.headers("Link")) {
      for (String part : splitLinks(header)) {
        int lt = part.indexOf('<');
        int gt = part.indexOf('>', lt + 1);
        if (lt < 0 || gt < 0) {
          continue;
        }
        for (String param : part.substring(gt + 1).split(";")) {
          String p = param.trim();
          int eq = p.indexOf('=');
          if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase("rel")) {
            continue;
          }
          String rels = p.substring(eq + 1).trim().replace("\"", "");
          for (String rel : rels.split("\\s+")) {
            if (rel.equalsIgnoreCase("next")) {
              return Optional.ofNullable(
                  response.request().url().resolve(part.substring(lt + 1, gt).trim()));
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Splits a Link header at the commas between links (not those inside {@code <…>} or quotes). */
  private static List<String> splitLinks(String header) {
    List<String> parts = new ArrayList<>();
    boolean inUrl = false;
    boolean inQuote = false;
    int start = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '<' && !inQuote) {
        inUrl = true;
      } else if (c == '>' && !inQuote) {
        inUrl = false;
      } else if (c == '"' && !inUrl) {
        inQuote = !inQuote;
      } else if (c == ',' && !inUrl && !inQuote) {
        parts.add(header.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(header.substring(start));
    return parts;
  }

  private static HttpUrl sameOrigin(Request first, String next) throws IOException {
    HttpUrl url = HttpUrl.parse(next);
    HttpUrl base = first.url();
    if (url == null || !url.scheme().equals(base.scheme()) || !url.host().equals(base.host())
        || url.port() != base.port()) {
      throw new SourceRejectedException("next link of " + Describe.request(first)
          + " points to another origin" + (url == null ? "" : " (" + url.host() + ")")
          + "; credentials are only sent to " + base.host(), 0);
    }
    return url;
  }

  @Override
  public String toString() {
    return "Pager(maxRequestsPerRead=" + maxRequestsPerRead + ")";
  }

  /** Configures a {@link Pager}. */
  public static final class Builder {
    private int maxRequestsPerRead = 10;
    private Duration followMargin = Duration.ofSeconds(2);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The most requests one read sends to fill its page (a hint: locating an offset takes a few
     * more); default 10. 1 makes each read a single request filtered on {@code read.after()}.
     */
    public Builder maxRequestsPerRead(int requests) {
      if (requests < 1) {
        throw new IllegalArgumentException("maxRequestsPerRead < 1: " + requests);
      }
      this.maxRequestsPerRead = requests;
      return this;
    }

    /** How long before {@code read.deadline()} a pager stops sending more requests; default 2 s. */
    public Builder followMargin(Duration margin) {
      if (margin.isNegative()) {
        throw new IllegalArgumentException("followMargin < 0: " + margin);
      }
      this.followMargin = margin;
      return this;
    }

    /** The clock compared with {@code read.deadline()}; default UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Pager build() {
      return new Pager(this);
    }
  }
}
