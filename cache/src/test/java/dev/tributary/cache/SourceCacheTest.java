package dev.tributary.cache;

import dev.tributary.cache.testing.RecordingListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.Secrets;
import dev.tributary.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceCacheTest {
  record Accounts(List<String> names) {}

  static final String API_KEY = "sk_live_very_secret_key_123";
  static final Duration TTL = Duration.ofMinutes(10);

  @TempDir Path root;
  final FakeClock clock = FakeClock.at("2026-03-01T12:00:00Z");
  final RecordingListener listener = new RecordingListener();
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger fetches = new AtomicInteger();
  FileCacheBackend files;
  SourceCache cache;

  @BeforeEach
  void open() {
    files = FileCacheBackend.at(root, clock);
    cache = builder().backend(files).build();
  }

  SourceCache.Builder builder() {
    return SourceCache.builder().clock(clock).listener(listener).logSink(log::add);
  }

  Accounts fetchAccounts() {
    fetches.incrementAndGet();
    return new Accounts(List.of("acme", "globex"));
  }

  SourceCache.Account account() {
    return cache.forAccount(Secrets.of(Map.of("api_key", API_KEY)), "api_key");
  }

  Path entryFile(SourceCache.Account account, String key) {
    return files.pathOf(account.hash() + "/" + key);
  }

  @Test
  void theNoneBackendAlwaysFetchesAndEmitsNothing() throws Exception {
    SourceCache none = SourceCache.fromEnvironment(Map.of());
    assertFalse(none.enabled());
    SourceCache.Account a = none.forAccount(API_KEY);
    a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(2, fetches.get());
    assertTrue(listener.events().isEmpty());
  }

  @Test
  void aMissFetchesWritesAndTheNextCallHits() throws Exception {
    Accounts first = account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    clock.advance(Duration.ofSeconds(42));
    Accounts second = account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(first, second);
    assertEquals(1, fetches.get());
    assertEquals(List.of("miss file accounts no-entry", "write file accounts",
        "hit file accounts 42"), listener.events());
    JsonNode env = new ObjectMapper().readTree(files.read(account().hash() + "/accounts")
        .orElseThrow().envelope());
    assertEquals(1, env.get("version").asInt());
    assertEquals("2026-03-01T12:00:00Z", env.get("fetched_at").asText());
    assertEquals("accounts", env.get("key").asText());
    assertEquals("acme", env.get("payload").get("names").get(0).asText());
  }

  @Test
  void aSlowFetchThatBeganEarlierDoesNotOverwriteANewerEntry() throws Exception {
    SourceCache other = builder().backend(FileCacheBackend.at(root, clock)).build();
    SourceCache.Account theirs = other.forAccount(Secrets.of(Map.of("api_key", API_KEY)), "api_key");
    String got = account().refresh("accounts", TTL, () -> {
      clock.advance(Duration.ofSeconds(10));
      // Another process fetches and writes while ours is still running.
      theirs.refresh("accounts", TTL, () -> new Accounts(List.of("newer")), Accounts.class);
      clock.advance(Duration.ofSeconds(10));
      return new Accounts(List.of("older"));
    }, Accounts.class).names().get(0);
    assertEquals("older", got, "the caller still gets what it fetched");
    JsonNode env = new ObjectMapper().readTree(files.read(account().hash() + "/accounts")
        .orElseThrow().envelope());
    assertEquals("newer", env.get("payload").get("names").get(0).asText());
    assertEquals("2026-03-01T12:00:10Z", env.get("fetched_at").asText());
    assertTrue(log.stream().anyMatch(l -> l.contains("\"cache_write_skipped\"")
        && l.contains("\"newer-stored\"")), log.toString());
  }

  @Test
  void fetchedAtIsWhenTheFetchBegan() throws Exception {
    account().getOrFetch("accounts", TTL, () -> {
      clock.advance(Duration.ofSeconds(7));
      return fetchAccounts();
    }, Accounts.class);
    JsonNode env = new ObjectMapper().readTree(files.read(account().hash() + "/accounts")
        .orElseThrow().envelope());
    assertEquals("2026-03-01T12:00:00Z", env.get("fetched_at").asText());
  }

  @Test
  void anEntryExpiresTtlAfterItsFetchedAt() throws Exception {
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    clock.advance(TTL.minusSeconds(1));
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(1, fetches.get());
    clock.advance(Duration.ofSeconds(1));
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(2, fetches.get());
    assertTrue(listener.events().contains("miss file accounts expired"));
    // The unchanged value was rewritten (its fetched_at moved on), so the next call hits.
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(2, fetches.get());
  }

  @Test
  void refreshSkipsTheReadButStillWritesBack() throws Exception {
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    Accounts fresh = account().refresh("accounts", TTL,
        () -> new Accounts(List.of("rotated")), Accounts.class);
    assertEquals(List.of("rotated"), fresh.names());
    assertTrue(listener.events().contains("miss file accounts refresh-forced"));
    assertEquals(List.of("rotated"),
        account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class).names());
    assertEquals(1, fetches.get());
  }

  @Test
  void anIdenticalValueIsNotWrittenAgainAndTheFileIsUntouched() throws Exception {
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    Path file = entryFile(account(), "accounts");
    byte[] before = Files.readAllBytes(file);
    var mtime = Files.getLastModifiedTime(file);
    clock.advance(Duration.ofSeconds(5)); // a later fetched_at does not change the hash
    account().refresh("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals("write_skipped file accounts", listener.events().get(listener.events().size() - 1));
    assertTrue(log.get(log.size() - 1).contains("\"event\":\"cache_write_skipped\""));
    assertTrue(log.get(log.size() - 1).contains("\"reason\":\"hash-match\""));
    assertEquals(mtime, Files.getLastModifiedTime(file));
    assertEquals(new String(before), new String(Files.readAllBytes(file)));
  }

  @Test
  void aCorruptEntryIsAMissWithAReadFailedEventAndTheFetchedValue() throws Exception {
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    Path file = entryFile(account(), "accounts");
    String text = Files.readString(file);
    Files.writeString(file, text.substring(0, text.indexOf('\n') + 1) + "{\"version\":1,\"key\":");
    Accounts got = account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(List.of("acme", "globex"), got.names());
    assertEquals(2, fetches.get());
    List<String> ev = listener.events();
    assertTrue(ev.get(2).startsWith("read_failed file accounts corrupt entry"), ev.toString());
    assertEquals("miss file accounts no-entry", ev.get(3));
  }

  @Test
  void anEntryOfAnotherTypeIsACorruptEntryNotAFailedCall() throws Exception {
    account().getOrFetch("n", TTL, () -> "not a list", String.class);
    Accounts got = account().getOrFetch("n", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(2, got.names().size());
    assertEquals(1, listener.count("read_failed"));
  }

  @Test
  void anEntryOverTheSizeCapIsNotWrittenButItsValueIsReturned() throws Exception {
    SourceCache small = builder().backend(files).maxEntryBytes(100).build();
    SourceCache.Account a = small.forAccount(API_KEY);
    String big = "x".repeat(200);
    assertEquals(big, a.getOrFetch("big", TTL, () -> big, String.class));
    assertFalse(Files.exists(files.pathOf(a.hash() + "/big")));
    assertTrue(listener.events().get(1).startsWith("write_failed file big entry of "),
        listener.events().toString());
    assertTrue(listener.events().get(1).contains("exceeds maxEntryBytes (100)"));
  }

  @Test
  void twoAccountsNeverSeeEachOthersEntries() throws Exception {
    SourceCache.Account a = cache.forAccount("tenant-a-key");
    SourceCache.Account b = cache.forAccount("tenant-b-key");
    assertNotEquals(a.hash(), b.hash());
    assertEquals(16, a.hash().length());
    a.getOrFetch("accounts", TTL, () -> new Accounts(List.of("a")), Accounts.class);
    Accounts got = b.getOrFetch("accounts", TTL, () -> new Accounts(List.of("b")), Accounts.class);
    assertEquals(List.of("b"), got.names());
    assertEquals(List.of("a"), a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class)
        .names());
    assertTrue(Files.isRegularFile(root.resolve(a.hash()).resolve("accounts.json")));
    assertEquals(a.hash(), cache.forAccount("tenant-a-key").hash(), "stable across calls");
  }

  @Test
  void aFailingBackendNeverFailsTheCall() throws Exception {
    SourceCache broken = builder().backend(new ThrowingBackend("connection refused")).build();
    SourceCache.Account a = broken.forAccount(API_KEY);
    assertEquals(2, a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class)
        .names().size());
    assertEquals(List.of(
        "read_failed valkey accounts IOException: connection refused",
        "miss valkey accounts no-entry",
        "write_failed valkey accounts IllegalStateException: connection refused"),
        listener.events());
  }

  @Test
  void everyEventGoesToTheListenerAndTheLogAndNeitherCarriesTheCredential() throws Exception {
    SourceCache leaky = builder().backend(new ThrowingBackend("auth failed for " + API_KEY)).build();
    SourceCache.Account broken = leaky.forAccount(Secrets.of(Map.of("api_key", API_KEY)), "api_key");
    broken.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    account().getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    account().refresh("accounts", TTL, this::fetchAccounts, Accounts.class);
    SourceCache.builder().build();
    List<String> ev = listener.events();
    assertEquals(ev.size(), log.size(), "one log line per event");
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < ev.size(); i++) {
      JsonNode line = json.readTree(log.get(i));
      String event = ev.get(i).split(" ")[0];
      assertEquals("cache_" + event, line.get("event").asText());
      assertEquals("accounts", line.get("key").asText());
      assertTrue(line.has("backend"));
      assertFalse(log.get(i).contains(API_KEY), log.get(i));
      assertFalse(ev.get(i).contains(API_KEY), ev.get(i));
    }
    assertTrue(log.get(0).contains("auth failed for ***"), log.get(0));
    assertTrue(log.stream().anyMatch(l -> l.contains("\"age_seconds\":0")));
    assertTrue(log.stream().anyMatch(l -> l.contains("\"bytes\":")));
    assertTrue(log.stream().anyMatch(l -> l.contains("\"reason\":\"refresh-forced\"")));
  }

  @Test
  void tieredReadsThePrimaryThenTheSecondaryAndCopiesBackToThePrimary() throws Exception {
    FileCacheBackend fast = FileCacheBackend.at(root.resolve("valkey"), clock);
    FileCacheBackend durable = FileCacheBackend.at(root.resolve("bucket"), clock);
    SourceCache tiered = builder().tiered(fast, durable).build();
    SourceCache.Account a = tiered.forAccount(API_KEY);
    a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    String k = a.hash() + "/accounts";
    assertTrue(fast.read(k).isPresent());
    assertTrue(durable.read(k).isPresent());
    Files.delete(fast.pathOf(k)); // Valkey restarted
    a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(1, fetches.get());
    assertTrue(fast.read(k).isPresent(), "copied back to the primary");
  }

  @Test
  void tieredSurvivesAFailingPrimaryAndReportsIt() throws Exception {
    FileCacheBackend durable = FileCacheBackend.at(root.resolve("bucket"), clock);
    SourceCache tiered = builder().tiered(new ThrowingBackend("valkey down"), durable).build();
    SourceCache.Account a = tiered.forAccount(API_KEY);
    a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    a.getOrFetch("accounts", TTL, this::fetchAccounts, Accounts.class);
    assertEquals(1, fetches.get());
    assertTrue(listener.events().contains(
        "write_failed valkey accounts IllegalStateException: valkey down"), listener.events().toString());
    assertTrue(listener.events().contains(
        "read_failed valkey accounts IOException: valkey down"), listener.events().toString());
    assertTrue(listener.events().contains("hit tiered accounts 0"), listener.events().toString());
  }
}
