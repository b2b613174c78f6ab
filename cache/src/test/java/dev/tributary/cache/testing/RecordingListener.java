package dev.tributary.cache.testing;

import dev.tributary.cache.CacheListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every cache event as {@code name backend key [detail]}, in order, for tests of the cache
 * and its backends. Thread-safe.
 */
public final class RecordingListener implements CacheListener {
  private final List<String> events = new ArrayList<>();

  private synchronized void add(String e) {
    events.add(e);
  }

  public synchronized List<String> events() {
    return List.copyOf(events);
  }

  public synchronized long count(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).count();
  }

  public synchronized boolean has(String prefix) {
    return count(prefix) > 0;
  }

  @Override
  public void hit(String backend, String key, long ageSeconds) {
    add("hit " + backend + " " + key + " " + ageSeconds);
  }

  @Override
  public void miss(String backend, String key, MissReason reason) {
    add("miss " + backend + " " + key + " " + reason.logName());
  }

  @Override
  public void write(String backend, String key, long bytes) {
    add("write " + backend + " " + key);
  }

  @Override
  public void writeSkipped(String backend, String key) {
    add("write_skipped " + backend + " " + key);
  }

  @Override
  public void writeFailed(String backend, String key, String error) {
    add("write_failed " + backend + " " + key + " " + error);
  }

  @Override
  public void readFailed(String backend, String key, String error) {
    add("read_failed " + backend + " " + key + " " + error);
  }
}
