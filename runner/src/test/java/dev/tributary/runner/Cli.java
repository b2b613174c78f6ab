package dev.tributary.runner;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the {@code tributary} CLI in this JVM, as a user would from a shell. */
final class Cli {
  private Cli() {}

  /** How a run ended: the exit code and what went to standard output and standard error. */
  record Run(int exit, String out, String err) {
    /** Both streams, for assertion messages. */
    String all() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  static Run run(String... args) {
    return runWith(Map.of(), args);
  }

  /** Runs with {@code env} as the environment the commands read (the destination's password). */
  static Run runWith(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env::get);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
