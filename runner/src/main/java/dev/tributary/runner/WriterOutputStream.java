package dev.tributary.runner;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Bytes to picocli's writer (so tests can capture command output), decoded as UTF-8. */
final class WriterOutputStream extends OutputStream {
  private final PrintWriter writer;
  private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

  WriterOutputStream(PrintWriter writer) {
    this.writer = writer;
  }

  @Override
  public synchronized void write(int b) {
    pending.write(b);
    if (b == '\n' || b == '\r') {
      flush();
    }
  }

  @Override
  public synchronized void flush() {
    writer.write(pending.toString(StandardCharsets.UTF_8));
    writer.flush();
    pending.reset();
  }
}
