package dev.tributary.internal;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes kept in memory up to a threshold, then in a temporary file, so a 50 MB object for a sync
 * through cloud storage does not have to sit on the heap. Single-threaded; {@link #discard()}
 * removes the file.
 */
final class SpillBuffer {
  private final long threshold;
  private ByteArrayOutputStream memory = new ByteArrayOutputStream(4096);
  private Path file;
  private OutputStream fileOut;
  private long size;

  SpillBuffer(long threshold) {
    this.threshold = threshold;
  }

  void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  void write(byte[] b, int off, int len) {
    try {
      if (fileOut == null && size + len > threshold) {
        file = Files.createTempFile("tributary-", ".json.part");
        fileOut = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
        memory.writeTo(fileOut);
        memory = null;
      }
      if (fileOut != null) {
        fileOut.write(b, off, len);
      } else {
        memory.write(b, off, len);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not spill response rows to a temporary file", e);
    }
    size += len;
  }

  long size() {
    return size;
  }

  void writeTo(OutputStream out) throws IOException {
    if (fileOut == null) {
      memory.writeTo(out);
      return;
    }
    fileOut.flush();
    try (InputStream in = Files.newInputStream(file)) {
      in.transferTo(out);
    }
  }

  void discard() {
    if (fileOut != null) {
      try {
        fileOut.close();
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file left behind is removed with the container; nothing to do for the call
      }
      fileOut = null;
    }
    memory = null;
  }
}
