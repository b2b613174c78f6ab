package dev.tributary.internal;

import java.util.ArrayDeque;

/**
 * The full-size chunks of response sections, kept from one call for the next: a warm function
 * answers every call with a response of about the same size, and a fresh 6 MB of chunks per call
 * is the largest allocation on the response path. Chunks come back only from a body the handler
 * has written and will not write again ({@link SyncEngine.Body#release}); a body that is never
 * released just leaves its chunks to the collector. Holds at most {@code maxChunks}; safe for
 * concurrent calls.
 */
final class ChunkPool {
  static final int CHUNK = 64 * 1024;

  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  private final int maxChunks;

  /** @param maxBytes the most the pool keeps between calls */
  ChunkPool(long maxBytes) {
    this.maxChunks = (int) Math.min(4096, Math.max(0, maxBytes / CHUNK));
  }

  /** A chunk of {@link #CHUNK} bytes: a returned one, or a new one. Its content is undefined. */
  byte[] take() {
    synchronized (free) {
      byte[] c = free.pollFirst();
      if (c != null) {
        return c;
      }
    }
    return new byte[CHUNK];
  }

  /** Takes back a chunk no one reads or writes any more. */
  void give(byte[] chunk) {
    if (chunk.length != CHUNK) {
      return;
    }
    synchronized (free) {
      if (free.size() < maxChunks) {
        free.addFirst(chunk);
      }
    }
  }

  int pooled() {
    synchronized (free) {
      return free.size();
    }
  }
}
