package dev.tributary.cache.azure;

import dev.tributary.cache.CacheListener;
import java.util.ArrayList;
import java.util.List;

/** Records every event as {@code name backend key [detail]}, in order. Thread-safe. */
final class RecordingListener implements CacheListener {
  private final List<String> events = new ArrayList<>();

  private synchronized void add(String e) {
    events.add(e);
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  synchronized boolean has(String prefix) {
    return events.stream().anyMatch(e -> e.startsWith(prefix));
  }

  @Override
  public void hit(String backend, String key, long ageSeconds) {
    add("hit " + backend + " " + key);
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
