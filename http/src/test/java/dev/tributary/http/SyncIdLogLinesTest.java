package dev.tributary.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.cache.SourceCache;
import dev.tributary.cache.FileCacheBackend;
import dev.tributary.cache.FileRateBudgetStore;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every log line of a call — the engine's, each HTTP request and retry, the shared rate budget's,
 * the cache's — carries the call's {@code sync_id}, and the connector reads it from
 * {@link TableRead#syncId()}.
 */
class SyncIdLogLinesTest {
  static final String SYNC_ID = "sync-7f3a-local";

  @TempDir Path dir;
  private final MockWebServer server = NoDelayServerSockets.server();
  private final FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Set<String> seenByConnector = new HashSet<>();

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  @Test
  void everyLineOfACallCarriesItsSyncIdAndTheConnectorSeesIt() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "1"));
    server.enqueue(new MockResponse().setBody("ok"));
    OkHttpClient client = Http.client().newBuilder()
        .addInterceptor(RetryInterceptor.builder().clock(clock).sleeper(new FakeSleeper(clock))
            .random(() -> 0.5).logSink(log::add).build())
        .addInterceptor(SharedRateLimitInterceptor.builder(FileRateBudgetStore.at(dir.resolve("budget")))
            .clock(clock).sleeper(new FakeSleeper(clock)).logSink(log::add).build())
        .addInterceptor(RedactingLoggingInterceptor.to(log::add))
        .build();
    SourceCache cache = SourceCache.builder().backend(FileCacheBackend.at(dir.resolve("cache"), clock))
        .clock(clock).logSink(log::add).build();
    Table table = Table.fullRefresh("accounts").primaryKey("id");
    Connector connector = new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(table);
      }

      @Override
      public Page read(TableRead read) throws IOException {
        read.syncId().ifPresent(seenByConnector::add);
        String body = cache.forAccount(read.secrets(), "apiToken").until(read.deadline())
            .getOrFetch("accounts", Duration.ofMinutes(10), () -> {
              try (Response r = client.newCall(Http.request(read).url(server.url("/accounts"))
                  .build()).execute()) {
                return r.body().string();
              }
            }, String.class);
        return Page.last(List.of(Row.of(Map.of("id", "a1", "body", body))));
      }
    };
    EngineConfig config = EngineConfig.builder().clock(clock).logSink(log::add).build();
    FakeFivetran fivetran = new FakeFivetran(new FunctionHandler(connector, config), clock,
        Duration.ofMinutes(1), 6_000_000)
        .secrets(Map.of("apiToken", "tok-3c2b1a0f9e8d")).syncId(SYNC_ID);

    fivetran.call();

    assertEquals(Set.of(SYNC_ID), seenByConnector);
    List<String> events = new ArrayList<>();
    for (String line : log) {
      JsonNode n = FakeFivetran.MAPPER.readTree(line);
      events.add(n.path("event").asText());
      assertEquals(SYNC_ID, n.path("sync_id").asText(), "no sync_id: " + line);
    }
    for (String e : List.of("http_request", "http_retry", "rate_budget_raised", "cache_miss",
        "cache_write", "call")) {
      assertTrue(events.contains(e), e + " missing from " + log);
    }

    log.clear();
    server.enqueue(new MockResponse().setBody("ok"));
    try (Response r = client.newCall(Http.request(dev.tributary.Secrets.empty(),
        clock.instant().plusSeconds(30)).url(server.url("/outside")).build()).execute()) {
      assertEquals(200, r.code());
    }
    assertFalse(log.isEmpty());
    assertFalse(log.get(0).contains("sync_id"), "outside a call there is none: " + log);
  }
}
