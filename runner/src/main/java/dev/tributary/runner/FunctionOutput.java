package dev.tributary.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * While open, what code in this JVM prints to {@code System.out} and {@code System.err} goes to
 * the workspace's {@code function.log}, as a platform sends a function's output to its log
 * service: a connector's own lines (the HTTP toolkit's {@code http_request}, {@code http_retry})
 * never land on the runner's progress line. The runner itself writes through the streams it was
 * given at start, which this does not touch. Closing restores the previous streams.
 */
final class FunctionOutput implements AutoCloseable {
  private final PrintStream previousOut;
  private final PrintStream previousErr;
  private final PrintStream log;

  private FunctionOutput(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    OutputStream os = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    log = new PrintStream(os, true, StandardCharsets.UTF_8);
    previousOut = System.out;
    previousErr = System.err;
    System.setOut(log);
    System.setErr(log);
  }

  static FunctionOutput to(Path file) throws IOException {
    return new FunctionOutput(file);
  }

  @Override
  public void close() {
    System.setOut(previousOut);
    System.setErr(previousErr);
    log.close();
  }
}
