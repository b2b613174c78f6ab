package dev.tributary.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link RateBudgetStore} in a folder, for the processes of one machine (or of one shared
 * volume that supports locks): each host's not-before time is a file
 * {@code <root>/<host>.notbefore} holding epoch milliseconds as text.
 *
 * <p>{@link #raise} reads, takes the maximum and writes under an exclusive
 * {@link FileChannel#lock() file lock}, so concurrent processes never lower each other's value;
 * {@link #notBefore} reads under a shared lock. Host names are lower-cased and every character
 * outside {@code [a-z0-9.-]} becomes {@code _} ({@code api.example.com:8443} →
 * {@code api.example.com_8443}). An unreadable file counts as no wait and is overwritten by the
 * next {@link #raise}.
 *
 * <p>Thread-safe: file locks are per process, so threads of this process also queue on an
 * in-process lock per file.
 */
public final class FileRateBudgetStore implements RateBudgetStore {
  private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Path root;

  private FileRateBudgetStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  /** A store under {@code root} (created on the first {@link #raise}). */
  public static FileRateBudgetStore at(Path root) {
    return new FileRateBudgetStore(root);
  }

  /** The file holding {@code host}'s not-before time. */
  public Path pathOf(String host) {
    String h = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "_");
    if (h.isEmpty() || h.chars().allMatch(c -> c == '.')) {
      h = h.replace('.', '_') + "_";
    }
    return root.resolve(h + ".notbefore");
  }

  @Override
  public Instant raise(String host, Instant notBefore) throws IOException {
    Path file = pathOf(host);
    Files.createDirectories(root);
    ReentrantLock lock = LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    lock.lock();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      long stored = readMillis(ch);
      long wanted = notBefore.toEpochMilli();
      if (wanted > stored) {
        byte[] text = Long.toString(wanted).getBytes(StandardCharsets.US_ASCII);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(text), 0);
        ch.force(false);
        return Instant.ofEpochMilli(wanted);
      }
      return Instant.ofEpochMilli(stored);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Instant notBefore(String host) throws IOException {
    Path file = pathOf(host);
    ReentrantLock lock = LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    lock.lock();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        FileLock ignored = ch.lock(0, Long.MAX_VALUE, true)) {
      return Instant.ofEpochMilli(readMillis(ch));
    } catch (NoSuchFileException e) {
      return Instant.EPOCH;
    } finally {
      lock.unlock();
    }
  }

  private static long readMillis(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(32);
    int n = ch.read(buf, 0);
    if (n <= 0) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(
          new String(buf.array(), 0, n, StandardCharsets.US_ASCII).trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return "FileRateBudgetStore(" + root + ")";
  }
}
