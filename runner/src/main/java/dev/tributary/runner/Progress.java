package dev.tributary.runner;

import dev.tributary.driver.Driver;
import java.io.PrintStream;

/**
 * Shows a sync as it goes: one line rewritten in place on a terminal (calls, rows, bytes,
 * rows/s), plain lines otherwise (logs, CI).
 */
final class Progress implements Driver.Listener {
  private final PrintStream out;
  private final boolean terminal;
  private final boolean quiet;
  private final long started = System.nanoTime();
  private boolean dirty;

  Progress(PrintStream out, boolean terminal, boolean quiet) {
    this.out = out;
    this.terminal = terminal;
    this.quiet = quiet;
  }

  @Override
  public void applied(Driver.Call c) {
    call(c.number(), c.rows(), c.bytes(), c.totalRows(), c.totalBytes(), c.hasMore());
  }

  @Override
  public void finished(Driver.Summary summary) {
    settle();
  }

  void call(int call, long rows, long bytes, long totalRows, long totalBytes, boolean hasMore) {
    if (quiet) {
      return;
    }
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    String line = String.format("call %d: %,d rows, %s%s | total %,d rows, %s, %,.0f rows/s",
        call, rows, bytes(bytes), hasMore ? ", hasMore" : "", totalRows, bytes(totalBytes),
        totalRows / seconds);
    if (terminal) {
      out.print("\r\033[K" + line);
      out.flush();
      dirty = true;
    } else {
      out.println(line);
    }
  }

  /** Ends the in-place line before other output. */
  void settle() {
    if (dirty) {
      out.println();
      dirty = false;
    }
  }

  static String bytes(long n) {
    if (n < 10_000) {
      return n + " B";
    }
    if (n < 10_000_000) {
      return String.format("%,.1f KB", n / 1000.0);
    }
    return String.format("%,.1f MB", n / 1_000_000.0);
  }
}
