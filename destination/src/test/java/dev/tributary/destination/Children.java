package dev.tributary.destination;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@link ApplyingChild} processes, their output collected line by line. */
final class Children {
  private Children() {}

  /** A started child and what it printed so far. */
  static final class Child {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final CountDownLatch ready = new CountDownLatch(1);
    private final Thread reader;

    Child(Process process) {
      this.process = process;
      this.reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            lines.add(line);
            if (line.startsWith("ready") || line.startsWith("skipped")) {
              ready.countDown();
            }
          }
        } catch (IOException e) {
          // The process died; what it printed is in lines.
        }
        ready.countDown();
      }, "child-output");
      reader.setDaemon(true);
      reader.start();
    }

    void awaitReady() throws InterruptedException {
      if (!ready.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("child not ready in 60 s: " + lines);
      }
    }

    /** SIGKILL: no shutdown hook, no finally, no goodbye to the database. */
    void kill9() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      // Every line the child printed before it died is in the pipe: read them all before anyone
      // counts them (on a loaded machine the reader can be lines behind).
      reader.join(10_000);
    }

    /** Ends a {@code hold}: the child starts applying. */
    void go() throws IOException {
      process.getOutputStream().write('\n');
      process.getOutputStream().flush();
    }

    int awaitExit() throws InterruptedException {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("child did not finish in 120 s: " + lines);
      }
      reader.join(10_000);
      return process.exitValue();
    }
  }

  static Child start(String url, String connection, int last, String mode) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ApplyingChild.class.getName(), url,
        connection, String.valueOf(last), mode)
        .redirectErrorStream(true)
        .start();
    return new Child(p);
  }
}
