package dev.tributary.runner;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The real Google Functions Framework invoker — the server Cloud Functions gen2 runs — serving the
 * user's jar on a loopback port, in its own JVM, with the user's jars in the invoker's own class
 * loader as on Google's side. Its output (the function's log lines) goes to the workspace's
 * {@code function.log}.
 */
final class GcpInvoker implements AutoCloseable {
  /** The adapter's entry point, used when no {@code --gcp-function} is named. */
  static final String DEFAULT_FUNCTION = "dev.tributary.gcp.TributaryHttpFunction";
  private static final String MAIN = "com.google.cloud.functions.invoker.runner.Invoker";

  private final Process process;
  private final int port;

  private GcpInvoker(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts the invoker on {@code port} (a free one when 0) serving {@code function} from
   * {@code classpath}, with {@code env} added to its environment; returns once it listens.
   */
  static GcpInvoker start(String classpath, String function, int port, Map<String, String> env,
      Path log) throws IOException {
    int p = port == 0 ? Runtimes.freePort() : port;
    Process process = Runtimes.start(List.of(Runtimes.java(), "-cp",
        Runtimes.classpath(Runtimes.GCP_INVOKER), MAIN, "--port", Integer.toString(p),
        "--target", function, "--classpath", classpath), env, log);
    try {
      Runtimes.awaitPort(p, process, Duration.ofSeconds(60), "the Functions Framework invoker", log);
    } catch (IOException e) {
      Runtimes.stop(process);
      throw e;
    }
    return new GcpInvoker(process, p);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** Blocks until the invoker exits (for {@code serve}); returns its exit code. */
  int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  @Override
  public void close() {
    Runtimes.stop(process);
  }
}
