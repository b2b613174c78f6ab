package dev.tributary.runner;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real cloud runtimes and S3Proxy the runner starts in child JVMs. None is in the runner jar:
 * each comes from the local Maven repository, through the class path its module under
 * {@code runtimes/} wrote when it was built ({@code runtimes/<name>/target/runtime.classpath};
 * {@code ./tributary} builds them with the runner).
 */
final class Runtimes {
  /** The Google Functions Framework invoker. */
  static final String GCP_INVOKER = "gcp-invoker";
  /** The AWS Lambda Java runtime interface client. */
  static final String LAMBDA_RIC = "lambda-ric";
  /** S3Proxy. */
  static final String S3PROXY = "s3proxy";

  private Runtimes() {}

  /** The Tributary checkout: {@code -Dtributary.home}, else three folders above the runner's code. */
  static Path home() {
    String home = System.getProperty("tributary.home");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    try {
      Path code = Path.of(Runtimes.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // runner/target/tributary-runner.jar or runner/target/classes
      return code.toAbsolutePath().getParent().getParent().getParent();
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of(".").toAbsolutePath();
    }
  }

  /**
   * The class path of runtime {@code name}.
   *
   * @throws UsageException saying how to build it when its class path file is missing
   */
  static String classpath(String name) {
    Path file = home().resolve("runtimes").resolve(name).resolve("target/runtime.classpath");
    try {
      String cp = Files.readString(file, StandardCharsets.UTF_8).strip();
      for (String entry : cp.split(File.pathSeparator)) {
        if (!Files.exists(Path.of(entry))) {
          throw new UsageException("the " + name + " runtime needs " + entry + ", which is no longer"
              + " in the local Maven repository; rebuild it: mvn -B -q -pl runtimes/" + name
              + " package (or run ./tributary after `mvn clean`)");
        }
      }
      return cp;
    } catch (IOException e) {
      throw new UsageException("the " + name + " runtime is not built (no " + file + "); run"
          + " ./tributary from the Tributary checkout (it builds the runtimes), or mvn -B -q -pl"
          + " runtimes/" + name + " package");
    }
  }

  /** The {@code java} that runs this runner. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Waits until something accepts connections on the loopback {@code port}, while
   * {@code process} lives.
   *
   * @throws IOException naming {@code what} and pointing at {@code log} when it does not come up
   */
  static void awaitPort(int port, Process process, Duration timeout, String what, Path log)
      throws IOException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IOException(what + " exited with code " + process.exitValue()
            + " before it listened on port " + port + "; its output is in " + log);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IOException(what + " did not listen on port " + port + " within "
        + timeout.toSeconds() + " s; its output is in " + log);
  }

  /** Starts {@code command} with its output appended to {@code log}. */
  static Process start(List<String> command, java.util.Map<String, String> env, Path log)
      throws IOException {
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    // Ctrl-C (or a kill) of the runner must not leave the runtime running on its own.
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "tributary-stop-" + p.pid()));
    return p;
  }

  /** Stops a child: politely, then for good. */
  static void stop(Process p) {
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
