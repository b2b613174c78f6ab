package dev.tributary.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.Secrets;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;

/**
 * A cache for a connector's expensive discovery calls (accounts, projects, custom fields, an
 * OAuth token), shared by every process that uses the same backend, so the first cold start pays
 * the API cost and the others within the TTL read the result.
 *
 * <pre>{@code
 * static final SourceCache CACHE = SourceCache.fromEnvironment();          // once per container
 * AccountList accounts = CACHE.forAccount(secrets, "api_key")
 *     .getOrFetch("accounts", Duration.ofMinutes(10), api::listAccounts, AccountList.class);
 * }</pre>
 *
 * <p><b>Entries</b> are JSON envelopes {@code {"version":1,"fetched_at":…,"key":…,"payload":…}}
 * (values serialised with Jackson) stored under {@code <account_hash>/<key>}; see
 * {@link #forAccount(String)}. An entry is fresh while {@code fetched_at + ttl} is in the future,
 * on every backend. The content hash passed to {@link CacheBackend#write} is the SHA-256 of the
 * envelope without {@code fetched_at}, so a backend can skip rewriting an unchanged value.
 * Envelopes over {@link Builder#maxEntryBytes} are not written.
 *
 * <p><b>Fail-open.</b> The cache never fails a call: a backend that throws, a corrupt or
 * undecodable entry, a value Jackson cannot write — each becomes a {@code cache_*_failed} event
 * and the fetch runs (or its value is returned unwritten). Only the fetch's own exceptions reach
 * the caller.
 *
 * <p><b>Events</b> go to the {@link CacheListener} and, as one JSON line each, to the log sink
 * (standard output by default): {@code cache_hit{backend,key,age_seconds}},
 * {@code cache_miss{backend,key,reason}} (exactly one per call that fetches, also after a failed
 * read), {@code cache_write{backend,key,bytes}}, {@code cache_write_skipped{backend,key,reason}},
 * {@code cache_write_failed{backend,key,error}}, {@code cache_read_failed{backend,key,error}}.
 * Keys are logged without the account namespace; errors pass through the account's secrets
 * redaction and that of the configured Valkey password.
 *
 * <p><b>Herds.</b> With a {@link LeasingBackend}, a miss takes a lease on the key first: the
 * holder fetches, writes and releases, renewing the lease every third of
 * {@link Builder#leaseTtl} while the fetch runs, so a fetch slower than the lease keeps it. The
 * others poll the cache with jittered sleeps; each time a lease's worth of time has passed they
 * try the lease again — a leader that died stopped renewing, so its lease has lapsed and one of
 * them takes over. They fetch themselves, after a random pause, only after
 * {@link Builder#maxLeaseWait} (or the deadline of {@link Account#until}), or at once when the
 * backend fails. A call that waited and then found the entry emits {@code cache_miss} then
 * {@code cache_hit}.
 *
 * <p><b>Newer wins.</b> An entry's {@code fetched_at} is when its fetch began, and a write never
 * replaces a stored entry with a later {@code fetched_at} ({@link CacheBackend#writeIfNewer};
 * atomic on Valkey), so a slow fetch that began earlier cannot overwrite a newer value; it is a
 * {@code cache_write_skipped} event with reason {@code newer-stored}.
 *
 * <p>{@link #none()} (the default when {@code TRIBUTARY_CACHE_BACKEND} is unset) behaves exactly
 * as if there were no cache: every call fetches, nothing is serialised, no event is emitted.
 *
 * <p>Immutable and thread-safe; build one per container and share it.
 */
public final class SourceCache implements AutoCloseable {
  /** Version written in every envelope. */
  public static final int ENVELOPE_VERSION = 1;
  /** Default {@link Builder#maxEntryBytes}: 5 MB. */
  public static final int DEFAULT_MAX_ENTRY_BYTES = 5 * 1024 * 1024;
  /** Default TTL when {@code TRIBUTARY_CACHE_TTL_SECONDS} is unset: 600 s. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(600);

  static final String ENV_BACKEND = "TRIBUTARY_CACHE_BACKEND";
  static final String ENV_FILE_ROOT = "TRIBUTARY_CACHE_FILE_ROOT";
  static final String ENV_OBJECT_STORE_URL = "TRIBUTARY_CACHE_OBJECT_STORE_URL";
  static final String ENV_VALKEY_URL = "TRIBUTARY_CACHE_VALKEY_URL";
  static final String ENV_TTL = "TRIBUTARY_CACHE_TTL_SECONDS";

  private static final SourceCache NONE = new Builder().build();
  private static final JsonFactory LOG_JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** Produces the value on a miss: the source call the cache saves. */
  @FunctionalInterface
  public interface Fetcher<T> {
    T fetch() throws IOException;
  }

  /** Waits between polls of a leased key; replaceable in tests. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    /** {@link Thread#sleep}. */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());
  }

  private final CacheBackend backend;
  private final Duration ttl;
  private final CacheListener listener;
  private final Consumer<String> logSink;
  private final Clock clock;
  private final int maxEntryBytes;
  private final Duration leaseTtl;
  private final Duration maxLeaseWait;
  private final Duration leasePollInterval;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final List<String> redactions;

  private SourceCache(Builder b) {
    this.ttl = b.ttl;
    this.listener = b.listener;
    this.logSink = b.logSink;
    this.clock = b.clock;
    this.maxEntryBytes = b.maxEntryBytes;
    this.leaseTtl = b.leaseTtl;
    this.maxLeaseWait = b.maxLeaseWait;
    this.leasePollInterval = b.leasePollInterval;
    this.sleeper = b.sleeper;
    this.random = b.random;
    this.redactions = List.copyOf(b.redactions);
    this.backend = b.backend;
  }

  /** The cache that is not there: every call fetches. */
  public static SourceCache none() {
    return NONE;
  }

  /** A cache configured by the process environment; see {@link #fromEnvironment(Map)}. */
  public static SourceCache fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * A cache configured by {@code env}:
   *
   * <ul>
   *   <li>{@code TRIBUTARY_CACHE_BACKEND}: {@code none} (default), {@code file}, {@code
   *       object_store}, {@code valkey} or {@code tiered} (Valkey in front of an object store).
   *   <li>{@code TRIBUTARY_CACHE_FILE_ROOT}: the folder for {@code file}.
   *   <li>{@code TRIBUTARY_CACHE_OBJECT_STORE_URL}: {@code s3://bucket/prefix/}, {@code gs://…},
   *       {@code az://container/prefix/} or {@code file:///abs/path/}.
   *   <li>{@code TRIBUTARY_CACHE_VALKEY_URL}: {@code redis://} or {@code rediss://} (TLS); its
   *       password is never logged.
   *   <li>{@code TRIBUTARY_CACHE_TTL_SECONDS}: how long entries are fresh; default 600.
   * </ul>
   *
   * <p>Backends other than {@code file} come from a {@link CacheBackendProvider} found with
   * {@link ServiceLoader} by URL scheme, so the module for it must be on the classpath.
   *
   * @throws IllegalArgumentException naming the variable, for any misconfiguration — at start-up,
   *     not at the first call
   */
  public static SourceCache fromEnvironment(Map<String, String> env) {
    String kind = env.getOrDefault(ENV_BACKEND, "").trim().toLowerCase(Locale.ROOT);
    Builder b = builder().ttl(ttlFrom(env));
    switch (kind) {
      case "", "none":
        return b.build();
      case "file": {
        String root = env.getOrDefault(ENV_FILE_ROOT, "").trim();
        if (root.isEmpty()) {
          throw new IllegalArgumentException(ENV_BACKEND + "=file needs " + ENV_FILE_ROOT
              + " (the folder for cache entries)");
        }
        return b.backend(FileCacheBackend.at(Path.of(root))).build();
      }
      case "object_store":
        return b.backend(objectStore(env, ENV_BACKEND + "=object_store", b)).build();
      case "valkey":
        return b.backend(valkey(env, ENV_BACKEND + "=valkey", b)).build();
      case "tiered": {
        String need = ENV_BACKEND + "=tiered";
        CacheBackend primary = valkey(env, need, b);
        CacheBackend secondary = objectStore(env, need, b);
        return b.tiered(primary, secondary).build();
      }
      default:
        throw new IllegalArgumentException(ENV_BACKEND + " is '" + kind
            + "'; use none, file, object_store, valkey or tiered");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Whether there is a backend at all ({@code false} for {@link #none()}). */
  public boolean enabled() {
    return backend != null;
  }

  /** The default TTL of {@link Account#getOrFetch(String, Fetcher, Class)}. */
  public Duration ttl() {
    return ttl;
  }

  /** The backend's name in events, or {@code none}. */
  public String backendName() {
    return backend == null ? "none" : backend.name();
  }

  /**
   * The entries of one source account, identified by something that differs between accounts
   * and is stable for one (an API key, a client id, a tenant URL). Keys are stored under a
   * 16-hex-digit token derived by SHA-256 from it ({@link #accountHash}), so two accounts sharing
   * a cache never see each other's entries and the identity is never stored. Log lines mask it.
   */
  public Account forAccount(String credentialIdentity) {
    requireIdentity(credentialIdentity);
    String id = credentialIdentity;
    return new Account(accountHash(id),
        s -> id.length() >= Secrets.MIN_REDACTED_LENGTH ? s.replace(id, "***") : s);
  }

  /**
   * {@link #forAccount(String)} with the identity in the connection's secret {@code secretName};
   * every log line and listener message is redacted with {@code secrets}.
   */
  public Account forAccount(Secrets secrets, String secretName) {
    String id = secrets.require(secretName);
    return new Account(accountHash(id), secrets::redact);
  }

  /** The account token keys are stored under: the first 16 hex digits of SHA-256. */
  public static String accountHash(String credentialIdentity) {
    requireIdentity(credentialIdentity);
    return sha256("tributary-account\u0000" + credentialIdentity).substring(0, 16);
  }

  @Override
  public void close() {
    if (backend != null) {
      backend.close();
    }
  }

  @Override
  public String toString() {
    return "SourceCache(" + backendName() + ", ttl=" + ttl.toSeconds() + "s)";
  }

  /**
   * One account's view of the cache: keys here are namespaced by its account hash. Immutable and
   * thread-safe.
   */
  public final class Account {
    private final String hash;
    private final UnaryOperator<String> redactor;
    private final Instant deadline;

    private Account(String hash, UnaryOperator<String> redactor) {
      this(hash, redactor, null);
    }

    private Account(String hash, UnaryOperator<String> redactor, Instant deadline) {
      this.hash = hash;
      this.redactor = redactor;
      this.deadline = deadline;
    }

    /**
     * This account's view for one call that must end by {@code deadline} (such as
     * {@code TableRead.deadline()}): waiting on another process's lease stops by then, and the
     * call fetches itself instead.
     */
    public Account until(Instant deadline) {
      return new Account(hash, redactor, Objects.requireNonNull(deadline, "deadline"));
    }

    /** The account token keys are namespaced by. */
    public String hash() {
      return hash;
    }

    /** {@link #getOrFetch(String, Duration, Fetcher, Class)} with the cache's TTL. */
    public <T> T getOrFetch(String key, Fetcher<T> fetch, Class<T> type) throws IOException {
      return getOrFetch(key, ttl, fetch, type);
    }

    /**
     * The fresh cached value of {@code key}, or else {@code fetch}'s value, written back for the
     * others. A hit returns a copy decoded from the entry; a miss returns the fetched object
     * itself.
     *
     * @param key what is cached (not a secret; logged): letters, digits, {@code . _ - /}, others
     *     are encoded by the backend
     * @param ttl how long an entry is fresh after its {@code fetched_at}
     * @throws IOException only from {@code fetch}; cache failures never reach the caller
     */
    public <T> T getOrFetch(String key, Duration ttl, Fetcher<T> fetch, Class<T> type)
        throws IOException {
      return run(this, key, ttl, fetch, type, false);
    }

    /**
     * Fetches without reading the cache and writes the value back — for when an operator
     * suspects a stale entry (after rotating a credential, say).
     */
    public <T> T refresh(String key, Duration ttl, Fetcher<T> fetch, Class<T> type)
        throws IOException {
      return run(this, key, ttl, fetch, type, true);
    }

    @Override
    public String toString() {
      return "SourceCache.Account(" + hash + ")";
    }
  }

  // ---- the read-through path ----

  private <T> T run(Account account, String key, Duration entryTtl, Fetcher<T> fetch,
      Class<T> type, boolean refresh) throws IOException {
    Objects.requireNonNull(fetch, "fetch");
    Objects.requireNonNull(type, "type");
    requireKey(key);
    if (entryTtl.isNegative() || entryTtl.isZero()) {
      throw new IllegalArgumentException("ttl <= 0: " + entryTtl);
    }
    if (backend == null) {
      return fetch.fetch();
    }
    Call<T> call = new Call<>(account, key, account.hash + "/" + key, entryTtl, type);
    if (refresh) {
      call.event(Event.MISS, CacheListener.MissReason.REFRESH_FORCED.logName(), 0);
      return call.fetchAndWrite(fetch);
    }
    Found<T> found = call.read(true);
    if (found.value.isPresent()) {
      return found.value.get().value;
    }
    call.event(Event.MISS, found.miss.logName(), 0);
    if (!(backend instanceof LeasingBackend)) {
      return call.fetchAndWrite(fetch);
    }
    return call.singleFlight((LeasingBackend) backend, fetch);
  }

  private enum Event {
    HIT("cache_hit", "INFO"),
    MISS("cache_miss", "INFO"),
    WRITE("cache_write", "INFO"),
    WRITE_SKIPPED("cache_write_skipped", "INFO"),
    WRITE_FAILED("cache_write_failed", "WARN"),
    READ_FAILED("cache_read_failed", "WARN");

    final String logName;
    final String level;

    Event(String logName, String level) {
      this.logName = logName;
      this.level = level;
    }
  }

  private record Decoded<T>(T value, long ageSeconds) {}

  /** A read's outcome; {@code failed} when the backend itself failed (not a corrupt entry). */
  private record Found<T>(Optional<Decoded<T>> value, CacheListener.MissReason miss,
      boolean failed) {
    Found(Optional<Decoded<T>> value, CacheListener.MissReason miss) {
      this(value, miss, false);
    }
  }

  /** One getOrFetch/refresh. */
  private final class Call<T> {
    final Account account;
    final String key;
    final String nsKey;
    final Duration ttl;
    final Class<T> type;
    final Instant deadline;

    Call(Account account, String key, String nsKey, Duration ttl, Class<T> type) {
      this.account = account;
      this.deadline = account.deadline;
      this.key = key;
      this.nsKey = nsKey;
      this.ttl = ttl;
      this.type = type;
    }

    /** Reads and decodes; emits hit (if fresh) and read_failed, never miss. */
    Found<T> read(boolean emitHit) {
      Optional<CacheBackend.Stored> stored;
      try {
        stored = backend.read(nsKey);
      } catch (IOException | RuntimeException e) {
        event(Event.READ_FAILED, describe(e), 0);
        return new Found<>(Optional.empty(), CacheListener.MissReason.NO_ENTRY, true);
      }
      if (stored.isEmpty()) {
        return new Found<>(Optional.empty(), CacheListener.MissReason.NO_ENTRY);
      }
      Instant fetchedAt;
      T value;
      try {
        JsonNode env = MAPPER.readTree(stored.get().envelope());
        if (env == null || !env.isObject()) {
          throw new IOException("entry is not a JSON object");
        }
        int version = env.path("version").asInt(-1);
        if (version != ENVELOPE_VERSION) {
          throw new IOException("entry has envelope version " + env.path("version")
              + ", expected " + ENVELOPE_VERSION);
        }
        if (!key.equals(env.path("key").asText(null))) {
          throw new IOException("entry is for another key");
        }
        fetchedAt = Instant.parse(env.path("fetched_at").asText(""));
        if (!env.has("payload")) {
          throw new IOException("entry has no payload");
        }
        value = MAPPER.treeToValue(env.get("payload"), type);
      } catch (IOException | RuntimeException e) {
        event(Event.READ_FAILED, "corrupt entry: " + describe(e), 0);
        return new Found<>(Optional.empty(), CacheListener.MissReason.NO_ENTRY);
      }
      Duration age = Duration.between(fetchedAt, clock.instant());
      if (age.isNegative()) {
        age = Duration.ZERO; // another machine's clock ahead of ours
      }
      if (age.compareTo(ttl) >= 0) {
        return new Found<>(Optional.empty(), CacheListener.MissReason.EXPIRED);
      }
      if (emitHit) {
        event(Event.HIT, null, age.toSeconds());
      }
      return new Found<>(Optional.of(new Decoded<>(value, age.toSeconds())), null);
    }

    T fetchAndWrite(Fetcher<T> fetch) throws IOException {
      // fetched_at is when the fetch began: the value is at least that old, and a slow fetch that
      // began earlier than another's never passes for the newer one.
      Instant started = clock.instant();
      T value = fetch.fetch();
      write(value, started);
      return value;
    }

    void write(T value, Instant fetchedAt) {
      byte[] envelope;
      String hash;
      try {
        ObjectNode env = MAPPER.createObjectNode();
        env.put("version", ENVELOPE_VERSION);
        env.put("key", key);
        env.set("payload", MAPPER.valueToTree(value));
        hash = sha256(MAPPER.writeValueAsBytes(env));
        ObjectNode full = MAPPER.createObjectNode();
        full.put("version", ENVELOPE_VERSION);
        full.put("fetched_at", fetchedAt.toString());
        full.put("key", key);
        full.set("payload", env.get("payload"));
        envelope = MAPPER.writeValueAsBytes(full);
      } catch (IOException | RuntimeException e) {
        event(Event.WRITE_FAILED, "value cannot be serialised: " + describe(e), 0);
        return;
      }
      if (envelope.length > maxEntryBytes) {
        event(Event.WRITE_FAILED, "entry of " + envelope.length + " bytes exceeds maxEntryBytes ("
            + maxEntryBytes + "); cache a smaller value or raise SourceCache.Builder.maxEntryBytes", 0);
        return;
      }
      try {
        CacheBackend.WriteResult r = backend.writeIfNewer(nsKey, envelope, hash, ttl.toSeconds(),
            fetchedAt);
        if (r == CacheBackend.WriteResult.SKIPPED_SAME_HASH) {
          event(Event.WRITE_SKIPPED, "hash-match", 0);
        } else if (r == CacheBackend.WriteResult.KEPT_NEWER) {
          event(Event.WRITE_SKIPPED, "newer-stored", 0);
        } else {
          event(Event.WRITE, null, envelope.length);
        }
      } catch (IOException | RuntimeException e) {
        event(Event.WRITE_FAILED, describe(e), 0);
      }
    }

    T singleFlight(LeasingBackend leasing, Fetcher<T> fetch) throws IOException {
      Optional<String> token = tryLease(leasing);
      if (token == null) {
        return fetchAndWrite(fetch); // leases unavailable: fail open
      }
      if (token.isPresent()) {
        return lead(leasing, token.get(), fetch);
      }
      Instant now = clock.instant();
      Instant limit = now.plus(maxLeaseWait);
      if (deadline != null && deadline.isBefore(limit)) {
        limit = deadline;
      }
      Instant retryLease = now.plus(leaseTtl);
      while (now.isBefore(limit)) {
        Duration pause = jittered(leasePollInterval);
        Duration left = Duration.between(now, limit);
        pause(pause.compareTo(left) < 0 ? pause : left);
        Found<T> found = read(false);
        if (found.value.isPresent()) {
          event(Event.HIT, null, found.value.get().ageSeconds);
          return found.value.get().value;
        }
        if (found.failed) {
          return fetchAndWrite(fetch); // the backend went away: waiting on it would only stall
        }
        now = clock.instant();
        if (!now.isBefore(retryLease)) {
          // A lease still held now was renewed by a live leader (or taken by the next one after
          // a leader died): keep waiting. One that lapsed is ours to take.
          token = tryLease(leasing);
          if (token == null) {
            return fetchAndWrite(fetch);
          }
          if (token.isPresent()) {
            return lead(leasing, token.get(), fetch);
          }
          retryLease = now.plus(leaseTtl);
        }
      }
      // Waited as long as allowed (maxLeaseWait or the call's deadline): fetch ourselves, after a
      // random pause so the followers do not all fire at once.
      pause(Duration.ofNanos((long) (leasePollInterval.toNanos() * random.getAsDouble())));
      return fetchAndWrite(fetch);
    }

    private T lead(LeasingBackend leasing, String token, Fetcher<T> fetch) throws IOException {
      LeaseRenewal renewal = new LeaseRenewal(this, leasing, token);
      try {
        // The previous leader may have written between our read and our lease.
        Found<T> found = read(false);
        if (found.value.isPresent()) {
          event(Event.HIT, null, found.value.get().ageSeconds);
          return found.value.get().value;
        }
        renewal.start();
        return fetchAndWrite(fetch);
      } finally {
        renewal.stop();
        try {
          leasing.release(nsKey, token);
        } catch (IOException | RuntimeException e) {
          // The lease expires by itself; nothing else to do.
        }
      }
    }

    /** The lease result, or null if leasing failed. */
    private Optional<String> tryLease(LeasingBackend leasing) {
      try {
        return leasing.tryLease(nsKey, leaseTtl);
      } catch (IOException | RuntimeException e) {
        event(Event.READ_FAILED, "lease failed: " + describe(e), 0);
        return null;
      }
    }

    private void pause(Duration d) throws InterruptedIOException {
      try {
        sleeper.sleep(d);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException ie = new InterruptedIOException("interrupted waiting on the cache");
        ie.initCause(e);
        throw ie;
      }
    }

    private Duration jittered(Duration d) {
      return Duration.ofNanos((long) (d.toNanos() * (0.5 + random.getAsDouble())));
    }

    void event(Event event, String detail, long number) {
      String name = backend.name();
      String safe = detail == null ? null : redact(account, detail);
      try {
        switch (event) {
          case HIT -> listener.hit(name, key, number);
          // The reason is one of our fixed words: parsed unredacted, in case a secret equals it.
          case MISS -> listener.miss(name, key, CacheListener.MissReason.valueOf(
              detail.toUpperCase(Locale.ROOT).replace('-', '_')));
          case WRITE -> listener.write(name, key, number);
          case WRITE_SKIPPED -> listener.writeSkipped(name, key);
          case WRITE_FAILED -> listener.writeFailed(name, key, safe);
          case READ_FAILED -> listener.readFailed(name, key, safe);
        }
      } catch (RuntimeException ignored) {
        // A listener's bug must not fail the call either.
      }
      logSink.accept(redact(account, line(event, name, key, safe, number)));
    }
  }

  /**
   * Keeps a leader's lease while its fetch runs: renews it every third of {@link #leaseTtl}, so a
   * live leader slower than the lease keeps it, while a dead one's lapses within the lease.
   * Renewal failures are {@code cache_read_failed} events; a lease found lost is not renewed
   * again.
   */
  private final class LeaseRenewal {
    private final Call<?> call;
    private final LeasingBackend leasing;
    private final String token;
    private volatile ScheduledFuture<?> task;

    LeaseRenewal(Call<?> call, LeasingBackend leasing, String token) {
      this.call = call;
      this.leasing = leasing;
      this.token = token;
    }

    synchronized void start() {
      long every = Math.max(10, leaseTtl.toMillis() / 3);
      task = Renewals.EXECUTOR.scheduleWithFixedDelay(this::renew, every, every,
          TimeUnit.MILLISECONDS);
    }

    private void renew() {
      try {
        if (!leasing.renew(call.nsKey, token, leaseTtl)) {
          call.event(Event.READ_FAILED, "lease not renewed: it lapsed or another process holds"
              + " it, so others may fetch too", 0);
          stop();
        }
      } catch (IOException | RuntimeException e) {
        call.event(Event.READ_FAILED, "lease renewal failed: " + describe(e), 0);
      }
    }

    synchronized void stop() {
      if (task != null) {
        task.cancel(false);
      }
    }
  }

  /** The one daemon thread that renews leases, made on the first lease a process leads. */
  private static final class Renewals {
    static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tributary-cache-lease-renewal");
      t.setDaemon(true);
      return t;
    });
  }

  private void layerFailed(String layer, String nsKey, boolean writing, Exception e) {
    String key = nsKey.substring(nsKey.indexOf('/') + 1);
    String error = redact(null, describe(e));
    try {
      if (writing) {
        listener.writeFailed(layer, key, error);
      } else {
        listener.readFailed(layer, key, error);
      }
    } catch (RuntimeException ignored) {
      // as above
    }
    logSink.accept(redact(null, line(writing ? Event.WRITE_FAILED : Event.READ_FAILED, layer, key,
        error, 0)));
  }

  private String line(Event event, String backendName, String key, String detail, long number) {
    StringWriter w = new StringWriter(160);
    try (JsonGenerator g = LOG_JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("ts", clock.instant().toString());
      g.writeStringField("level", event.level);
      g.writeStringField("logger", "tributary.cache");
      g.writeStringField("event", event.logName);
      // The call's sync_id, when the event happens on the thread serving it.
      dev.tributary.CallContext.syncId().ifPresent(id -> writeSyncId(g, id));
      g.writeStringField("backend", backendName);
      g.writeStringField("key", key);
      switch (event) {
        case HIT -> g.writeNumberField("age_seconds", number);
        case MISS, WRITE_SKIPPED -> g.writeStringField("reason", detail);
        case WRITE -> g.writeNumberField("bytes", number);
        case WRITE_FAILED, READ_FAILED -> g.writeStringField("error", detail);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void writeSyncId(JsonGenerator g, String syncId) {
    try {
      g.writeStringField("sync_id", syncId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String redact(Account account, String s) {
    String out = account == null ? s : account.redactor.apply(s);
    for (String r : redactions) {
      out = out.replace(r, "***");
    }
    return out;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  static String sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static void requireIdentity(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("credentialIdentity is empty");
    }
  }

  private static void requireKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("key is empty");
    }
    if (key.length() > 200) {
      throw new IllegalArgumentException("key longer than 200 characters: " + key.length());
    }
    if (key.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("key has a control character: " + key);
    }
  }

  // ---- configuration from the environment ----

  private static Duration ttlFrom(Map<String, String> env) {
    String v = env.getOrDefault(ENV_TTL, "").trim();
    if (v.isEmpty()) {
      return DEFAULT_TTL;
    }
    try {
      long s = Long.parseLong(v);
      if (s > 0) {
        return Duration.ofSeconds(s);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(ENV_TTL + " is '" + v + "'; use a whole number of seconds > 0");
  }

  private static CacheBackend objectStore(Map<String, String> env, String neededBy, Builder b) {
    URI url = url(env, ENV_OBJECT_STORE_URL, neededBy, "s3://bucket/prefix/");
    if (url.getScheme().equalsIgnoreCase("file")) {
      if (url.getPath() == null || !url.getPath().startsWith("/")) {
        throw new IllegalArgumentException(ENV_OBJECT_STORE_URL
            + " must be an absolute file URL, e.g. file:///var/cache/tributary/");
      }
      return FileCacheBackend.at(Path.of(url));
    }
    return provided(url, env, ENV_OBJECT_STORE_URL, CacheBackendProvider.Store.OBJECT_STORE, b);
  }

  private static CacheBackend valkey(Map<String, String> env, String neededBy, Builder b) {
    URI url = url(env, ENV_VALKEY_URL, neededBy, "rediss://host:6379");
    return provided(url, env, ENV_VALKEY_URL, CacheBackendProvider.Store.VALKEY, b);
  }

  private static URI url(Map<String, String> env, String var, String neededBy, String example) {
    String v = env.getOrDefault(var, "").trim();
    if (v.isEmpty()) {
      throw new IllegalArgumentException(neededBy + " needs " + var + ", e.g. " + example);
    }
    try {
      URI u = new URI(v);
      if (u.getScheme() == null) {
        throw new URISyntaxException(v, "no scheme");
      }
      return u;
    } catch (URISyntaxException e) {
      // The value may carry a password: do not echo it.
      throw new IllegalArgumentException(var + " is not a URL, e.g. " + example);
    }
  }

  /** The backend of the provider that owns {@code url}'s scheme; its secrets join the redactions. */
  private static CacheBackend provided(URI url, Map<String, String> env, String var,
      CacheBackendProvider.Store store, Builder b) {
    CacheBackendProvider p = Providers.forUrl(url, var, store);
    for (String secret : p.secretsIn(url)) {
      if (secret != null && !secret.isEmpty()) {
        b.redactions.add(secret);
      }
    }
    return p.create(url, env);
  }

  /**
   * Configures a {@link SourceCache}; every default is stated on its setter. Without a
   * {@link #backend} the result is {@link SourceCache#none()}'s behaviour.
   */
  public static final class Builder {
    private CacheBackend backend;
    private CacheBackend tieredPrimary;
    private CacheBackend tieredSecondary;
    private Duration ttl = DEFAULT_TTL;
    private CacheListener listener = CacheListener.NONE;
    private Consumer<String> logSink = stdout();
    private Clock clock = Clock.systemUTC();
    private int maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES;
    private Duration leaseTtl = Duration.ofSeconds(30);
    private Duration maxLeaseWait = Duration.ofSeconds(120);
    private Duration leasePollInterval = Duration.ofMillis(200);
    private Sleeper sleeper = Sleeper.SYSTEM;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private final List<String> redactions = new ArrayList<>();

    private Builder() {}

    private Builder(SourceCache c) {
      backend = c.backend;
      ttl = c.ttl;
      listener = c.listener;
      logSink = c.logSink;
      clock = c.clock;
      maxEntryBytes = c.maxEntryBytes;
      leaseTtl = c.leaseTtl;
      maxLeaseWait = c.maxLeaseWait;
      leasePollInterval = c.leasePollInterval;
      sleeper = c.sleeper;
      random = c.random;
      redactions.addAll(c.redactions);
      if (c.backend instanceof TieredCacheBackend t) {
        tiered(t.primary, t.secondary);
      }
    }

    /** Where entries live; default none (every call fetches). */
    public Builder backend(CacheBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      this.tieredPrimary = null;
      this.tieredSecondary = null;
      return this;
    }

    /**
     * Two backends as one: reads try {@code primary} then {@code secondary} (copying a hit back
     * to the primary), writes go to both; a failing layer is reported and the other used.
     */
    public Builder tiered(CacheBackend primary, CacheBackend secondary) {
      this.tieredPrimary = Objects.requireNonNull(primary, "primary");
      this.tieredSecondary = Objects.requireNonNull(secondary, "secondary");
      this.backend = null;
      return this;
    }

    /** Default TTL of entries ({@code TRIBUTARY_CACHE_TTL_SECONDS}); default 600 s. */
    public Builder ttl(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl <= 0: " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    /** Receives every event in process; default {@link CacheListener#NONE}. */
    public Builder listener(CacheListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Where the JSON event lines go; default standard output. */
    public Builder logSink(Consumer<String> sink) {
      this.logSink = Objects.requireNonNull(sink, "logSink");
      return this;
    }

    /** The clock for {@code fetched_at} and freshness; default UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest envelope written, in bytes; default 5 MB (5,242,880). */
    public Builder maxEntryBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxEntryBytes < 1: " + bytes);
      }
      this.maxEntryBytes = bytes;
      return this;
    }

    /**
     * How long a single-flight lease lasts without renewal; default 30 s. The holder renews it
     * every third of this while its fetch runs, so a slow fetch keeps it; a holder that died
     * stops renewing, and its lease lapses within this time for another process to take.
     */
    public Builder leaseTtl(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("leaseTtl <= 0: " + ttl);
      }
      this.leaseTtl = ttl;
      return this;
    }

    /**
     * The longest a process waits for another's lease and entry before fetching itself, however
     * long that lease is renewed; default 120 s. {@link Account#until} bounds it by the call's
     * deadline as well.
     */
    public Builder maxLeaseWait(Duration wait) {
      if (wait.isNegative()) {
        throw new IllegalArgumentException("maxLeaseWait < 0: " + wait);
      }
      this.maxLeaseWait = wait;
      return this;
    }

    /** Mean pause between polls while another process holds the lease (jittered ±50 %); default 200 ms. */
    public Builder leasePollInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("leasePollInterval <= 0: " + interval);
      }
      this.leasePollInterval = interval;
      return this;
    }

    /** How to wait between polls; default {@link Sleeper#SYSTEM}. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Uniform randoms in {@code [0, 1)} for the jitter; default {@link ThreadLocalRandom}. */
    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    public SourceCache build() {
      if (tieredPrimary != null) {
        SourceCache[] self = new SourceCache[1];
        backend = TieredCacheBackend.of(tieredPrimary, tieredSecondary, ttl,
            (layer, key, writing, e) -> self[0].layerFailed(layer, key, writing, e));
        self[0] = new SourceCache(this);
        return self[0];
      }
      return new SourceCache(this);
    }

    private static Consumer<String> stdout() {
      PrintStream out = System.out;
      return line -> {
        synchronized (out) {
          out.println(line);
        }
      };
    }
  }
}
