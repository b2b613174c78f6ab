package dev.tributary.cache;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Two backends as one ({@code TRIBUTARY_CACHE_BACKEND=tiered}): a fast primary (Valkey) in front
 * of a durable secondary (an object store). Reads try the primary, and on a miss or a failure the
 * secondary, copying what it finds back to the primary; writes go to both, each deduping itself.
 * A failing layer does not hide the other: its error goes to {@code onLayerFailure} (the cache
 * turns it into a {@code cache_*_failed} event naming the layer) and the other layer's answer is
 * used. Only when both fail does a call throw.
 *
 * <p>Leases come from the primary when it is a {@link LeasingBackend} ({@link #of} then returns a
 * {@code LeasingBackend}). Thread-safe if both layers are.
 */
class TieredCacheBackend implements CacheBackend {
  /** Told of one layer's failure the other layer covered. */
  interface LayerFailure {
    void failed(String layer, String key, boolean whileWriting, Exception error);
  }

  final CacheBackend primary;
  final CacheBackend secondary;
  private final Duration writeBackTtl;
  private final LayerFailure onLayerFailure;

  TieredCacheBackend(CacheBackend primary, CacheBackend secondary, Duration writeBackTtl,
      LayerFailure onLayerFailure) {
    this.primary = Objects.requireNonNull(primary, "primary");
    this.secondary = Objects.requireNonNull(secondary, "secondary");
    this.writeBackTtl = writeBackTtl;
    this.onLayerFailure = onLayerFailure;
  }

  static CacheBackend of(CacheBackend primary, CacheBackend secondary, Duration writeBackTtl,
      LayerFailure onLayerFailure) {
    if (primary instanceof LeasingBackend) {
      return new Leasing((LeasingBackend) primary, secondary, writeBackTtl, onLayerFailure);
    }
    return new TieredCacheBackend(primary, secondary, writeBackTtl, onLayerFailure);
  }

  @Override
  public String name() {
    return "tiered";
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    Exception primaryFailure = null;
    try {
      Optional<Stored> p = primary.read(key);
      if (p.isPresent()) {
        return p;
      }
    } catch (IOException | RuntimeException e) {
      primaryFailure = e;
    }
    Optional<Stored> s;
    try {
      s = secondary.read(key);
    } catch (IOException | RuntimeException e) {
      if (primaryFailure != null) {
        IOException both = new IOException("both tiers failed: " + primary.name() + ": "
            + describe(primaryFailure) + "; " + secondary.name() + ": " + describe(e), e);
        throw both;
      }
      throw e instanceof IOException ? (IOException) e : new IOException(describe(e), e);
    }
    if (primaryFailure != null) {
      onLayerFailure.failed(primary.name(), key, false, primaryFailure);
    } else if (s.isPresent()) {
      try {
        // Newer wins here too: a value another process just wrote to the primary stays.
        Optional<java.time.Instant> at = Envelopes.fetchedAt(s.get().envelope());
        if (at.isPresent()) {
          primary.writeIfNewer(key, s.get().envelope(), s.get().contentHash(),
              writeBackTtl.toSeconds(), at.get());
        } else {
          primary.write(key, s.get().envelope(), s.get().contentHash(), writeBackTtl.toSeconds());
        }
      } catch (IOException | RuntimeException e) {
        onLayerFailure.failed(primary.name(), key, true, e);
      }
    }
    return s;
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    return both(key, layer -> layer.write(key, envelope, contentHash, ttlSeconds));
  }

  /** Each layer keeps its own newer entry; the result is WRITTEN if either layer wrote. */
  @Override
  public WriteResult writeIfNewer(String key, byte[] envelope, String contentHash,
      long ttlSeconds, java.time.Instant fetchedAt) throws IOException {
    return both(key, layer -> layer.writeIfNewer(key, envelope, contentHash, ttlSeconds,
        fetchedAt));
  }

  private interface LayerWrite {
    WriteResult to(CacheBackend layer) throws IOException;
  }

  private WriteResult both(String key, LayerWrite w) throws IOException {
    WriteResult p = null;
    WriteResult s = null;
    Exception pf = null;
    Exception sf = null;
    try {
      p = w.to(primary);
    } catch (IOException | RuntimeException e) {
      pf = e;
    }
    try {
      s = w.to(secondary);
    } catch (IOException | RuntimeException e) {
      sf = e;
    }
    if (pf != null && sf != null) {
      throw new IOException("both tiers failed: " + primary.name() + ": " + describe(pf) + "; "
          + secondary.name() + ": " + describe(sf), sf);
    }
    if (pf != null) {
      onLayerFailure.failed(primary.name(), key, true, pf);
    }
    if (sf != null) {
      onLayerFailure.failed(secondary.name(), key, true, sf);
    }
    if (p == WriteResult.WRITTEN || s == WriteResult.WRITTEN) {
      return WriteResult.WRITTEN;
    }
    return p == WriteResult.KEPT_NEWER || s == WriteResult.KEPT_NEWER
        ? WriteResult.KEPT_NEWER : WriteResult.SKIPPED_SAME_HASH;
  }

  @Override
  public void close() {
    try {
      primary.close();
    } finally {
      secondary.close();
    }
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** Tiered with the primary's leases. */
  static final class Leasing extends TieredCacheBackend implements LeasingBackend {
    private final LeasingBackend leases;

    Leasing(LeasingBackend primary, CacheBackend secondary, Duration writeBackTtl,
        LayerFailure onLayerFailure) {
      super(primary, secondary, writeBackTtl, onLayerFailure);
      this.leases = primary;
    }

    @Override
    public Optional<String> tryLease(String key, Duration ttl) throws IOException {
      return leases.tryLease(key, ttl);
    }

    @Override
    public void release(String key, String token) throws IOException {
      leases.release(key, token);
    }

    @Override
    public boolean renew(String key, String token, Duration ttl) throws IOException {
      return leases.renew(key, token, ttl);
    }
  }
}
