package dev.tributary.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One table section's serialised rows: the stream its row generator writes into. Kept in memory
 * in chunks that are never copied to grow (each new chunk is larger than the last, up to 64 KiB),
 * and, above a threshold, in a temporary file, so a 50 MB object for a sync through cloud storage
 * does not have to sit on the heap.
 *
 * <p>{@link #truncate} takes back the end of the buffer: the engine writes a row straight in,
 * then takes it back if it does not fit the response's budget — rows are never copied out of a
 * scratch buffer. Single-threaded; {@link #discard()} removes the file.
 */
final class SpillBuffer extends OutputStream {
  private static final int FIRST_CHUNK = 512;
  private static final int MAX_CHUNK = ChunkPool.CHUNK;

  private final long threshold;
  /** Where full-size chunks come from and go back to; null: always new ones. */
  private final ChunkPool pool;
  private final List<byte[]> chunks = new ArrayList<>();
  private byte[] current;
  private int fill;
  /** Bytes in the chunks before {@link #current}. */
  private long before;

  private Path file;
  private FileChannel channel;
  /** Bytes already in the file; later ones are in {@link #current}, the file's write buffer. */
  private long inFile;

  SpillBuffer(long threshold) {
    this(threshold, null);
  }

  SpillBuffer(long threshold, ChunkPool pool) {
    this.threshold = threshold;
    this.pool = pool;
  }

  @Override
  public void write(int b) {
    if (current == null || fill == current.length) {
      next();
    }
    current[fill++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    while (len > 0) {
      if (current == null || fill == current.length) {
        next();
      }
      int n = Math.min(len, current.length - fill);
      System.arraycopy(b, off, current, fill, n);
      fill += n;
      off += n;
      len -= n;
    }
  }

  /** Makes room: a new, larger chunk in memory, or the file's buffer written out. */
  private void next() {
    if (channel == null && current != null && size() >= threshold) {
      spill();
    }
    if (channel != null) {
      flushToFile();
      return;
    }
    if (current != null) {
      chunks.add(current);
      before += fill;
    }
    int length = current == null ? FIRST_CHUNK : Math.min(MAX_CHUNK, current.length * 2);
    current = length == MAX_CHUNK && pool != null ? pool.take() : new byte[length];
    fill = 0;
  }

  private void spill() {
    try {
      file = Files.createTempFile("tributary-", ".json.part");
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
      for (byte[] c : chunks) {
        writeFully(ByteBuffer.wrap(c));
      }
      chunks.clear();
      inFile = before;
      before = 0;
      // The full chunk in hand is written out by flushToFile; from now on one buffer of the
      // largest size stands in front of the file.
    } catch (IOException e) {
      throw new UncheckedIOException("could not spill response rows to a temporary file", e);
    }
  }

  private void flushToFile() {
    try {
      writeFully(ByteBuffer.wrap(current, 0, fill));
    } catch (IOException e) {
      throw new UncheckedIOException("could not spill response rows to a temporary file", e);
    }
    inFile += fill;
    fill = 0;
    if (current.length < MAX_CHUNK) {
      current = new byte[MAX_CHUNK];
    }
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /** The bytes written and not taken back. */
  long size() {
    return channel != null ? inFile + fill : before + fill;
  }

  /** Takes back everything after the first {@code size} bytes. */
  void truncate(long size) {
    if (size > size()) {
      throw new IllegalArgumentException("truncate to " + size + " > " + size());
    }
    if (channel != null) {
      if (size >= inFile) {
        fill = (int) (size - inFile);
        return;
      }
      try {
        channel.truncate(size);
        channel.position(size);
      } catch (IOException e) {
        throw new UncheckedIOException("could not spill response rows to a temporary file", e);
      }
      inFile = size;
      fill = 0;
      return;
    }
    while (size < before) {
      current = chunks.remove(chunks.size() - 1);
      before -= current.length;
      fill = current.length;
    }
    fill = (int) (size - before);
  }

  /** Writes the whole content to {@code out}. */
  void writeTo(OutputStream out) throws IOException {
    if (channel == null) {
      for (byte[] c : chunks) {
        out.write(c);
      }
      if (current != null) {
        out.write(current, 0, fill);
      }
      return;
    }
    channel.position(0);
    InputStream in = Channels.newInputStream(channel);
    byte[] buf = new byte[MAX_CHUNK];
    long left = inFile;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("temporary file of response rows ended early");
      }
      out.write(buf, 0, n);
      left -= n;
    }
    channel.position(inFile);
    out.write(current, 0, fill);
  }

  /**
   * Done with the content (written and never to be written again): its full-size chunks go back
   * to the pool, and the buffer is empty.
   */
  void release() {
    if (pool != null && channel == null) {
      for (byte[] c : chunks) {
        pool.give(c);
      }
      if (current != null) {
        pool.give(current);
      }
    }
    discard();
  }

  void discard() {
    if (channel != null) {
      try {
        channel.close();
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file left behind is removed with the container; nothing to do for the call
      }
      channel = null;
    }
    chunks.clear();
    current = null;
  }
}
