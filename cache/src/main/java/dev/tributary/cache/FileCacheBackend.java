package dev.tributary.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A cache in a folder ({@code TRIBUTARY_CACHE_BACKEND=file} or an object-store URL
 * {@code file:///abs/path/}): processes on one machine, or on a shared volume, share entries.
 *
 * <p><b>Layout.</b> The key {@code <account_hash>/<key>} is stored at
 * {@code <root>/<account_hash>/<key>.json}. Each {@code /}-separated segment keeps
 * {@code [A-Za-z0-9._-]} and percent-encodes every other byte of its UTF-8 form ({@code %2F},
 * {@code %20}…); the segments {@code .} and {@code ..} are encoded as {@code %2E} and
 * {@code %2E%2E}, so no key can leave the root.
 *
 * <p><b>File format.</b> One header line, then the envelope bytes unchanged:
 * <pre>tributary-cache 1 &lt;content_hash&gt; &lt;written_at_epoch_millis&gt;\n&lt;envelope&gt;</pre>
 * The hash lives in the same file as the envelope so one atomic rename replaces both: a reader
 * never sees an envelope with another writer's hash. A file without this header is reported as
 * an {@link IOException} (the cache treats it as a corrupt entry: a miss and an event).
 *
 * <p><b>Writes</b> go to a temporary file in the same folder, then {@code ATOMIC_MOVE} over the
 * entry. A write whose hash equals the stored one is skipped — no temporary file, no rename, the
 * last-modified time unchanged — while the stored entry was written less than half its TTL ago.
 * Past that it is rewritten: freshness is judged by the envelope's {@code fetched_at}, so an
 * unchanged value that is never rewritten would stay expired and be fetched on every call.
 *
 * <p>Thread-safe and safe across processes (the rename is the only mutation).
 */
public final class FileCacheBackend implements CacheBackend {
  private static final String MAGIC = "tributary-cache 1 ";
  private static final int MAX_HEADER = 256;

  private final Path root;
  private final Clock clock;
  private final String name;

  private FileCacheBackend(Path root, Clock clock, String name) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.name = name;
  }

  /** A backend under {@code root} (created on the first write), named {@code file} in events. */
  public static FileCacheBackend at(Path root) {
    return new FileCacheBackend(root, Clock.systemUTC(), "file");
  }

  /** The same, judging "half the TTL" for rewrites of unchanged entries by {@code clock}. */
  public static FileCacheBackend at(Path root, Clock clock) {
    return new FileCacheBackend(root, clock, "file");
  }

  /** The folder entries live under. */
  public Path root() {
    return root;
  }

  @Override
  public String name() {
    return name;
  }

  /** Where the entry for {@code key} is stored. */
  public Path pathOf(String key) {
    Objects.requireNonNull(key, "key");
    String[] segments = key.split("/", -1);
    Path p = root;
    for (int i = 0; i < segments.length; i++) {
      String s = ObjectLayout.segment(segments[i]);
      p = p.resolve(i == segments.length - 1 ? s + ".json" : s);
    }
    return p;
  }

  @Override
  public Optional<Stored> read(String key) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(pathOf(key));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Header h = parseHeader(all, key);
    return Optional.of(new Stored(Arrays.copyOfRange(all, h.bodyStart, all.length), h.hash));
  }

  @Override
  public WriteResult write(String key, byte[] envelope, String contentHash, long ttlSeconds)
      throws IOException {
    if (contentHash.isEmpty() || contentHash.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("contentHash must be printable ASCII: " + contentHash);
    }
    Path target = pathOf(key);
    long now = clock.millis();
    Header stored = storedHeader(target, key);
    if (stored != null
        && ObjectLayout.skipRewrite(stored.hash, stored.writtenAt, contentHash, now, ttlSeconds)) {
      return WriteResult.SKIPPED_SAME_HASH;
    }
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
    try {
      byte[] header = (MAGIC + contentHash + " " + now + "\n").getBytes(StandardCharsets.US_ASCII);
      try (var out = Files.newOutputStream(tmp)) {
        out.write(header);
        out.write(envelope);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system under " + root
            + " cannot rename atomically; choose another TRIBUTARY_CACHE_FILE_ROOT", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return WriteResult.WRITTEN;
  }

  private record Header(String hash, long writtenAt, int bodyStart) {}

  /** The stored header, or null if there is no entry or it cannot be read (then it is replaced). */
  private static Header storedHeader(Path target, String key) {
    try (InputStream in = Files.newInputStream(target)) {
      return parseHeader(in.readNBytes(MAX_HEADER), key);
    } catch (IOException e) {
      return null;
    }
  }

  private static Header parseHeader(byte[] bytes, String key) throws IOException {
    int nl = -1;
    for (int i = 0; i < Math.min(bytes.length, MAX_HEADER); i++) {
      if (bytes[i] == '\n') {
        nl = i;
        break;
      }
    }
    String line = nl < 0 ? "" : new String(bytes, 0, nl, StandardCharsets.US_ASCII);
    String[] parts = line.startsWith(MAGIC) ? line.substring(MAGIC.length()).split(" ") : null;
    if (parts == null || parts.length != 2) {
      throw new IOException("cache file for " + key + " has no tributary-cache header");
    }
    try {
      return new Header(parts[0], Long.parseLong(parts[1]), nl + 1);
    } catch (NumberFormatException e) {
      throw new IOException("cache file for " + key + " has a malformed header", e);
    }
  }
}
