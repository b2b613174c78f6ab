package dev.tributary.cache.azure;

import com.azure.storage.blob.BlobContainerClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Azurite's Blob service on a free loopback port, started once for the whole test run with
 * {@code scripts/azurite.sh} (which installs azurite@3.35.0 with npm into {@code .tools/azurite}
 * if it is missing) and stopped when the run ends. Data lives in a temp folder, deleted after.
 *
 * <p>Use as {@code @ExtendWith(LoopbackAzurite.class)}; {@link #shared()} is the running server.
 */
public final class LoopbackAzurite implements BeforeAllCallback, AutoCloseable,
    ExtensionContext.Store.CloseableResource {
  static final String ACCOUNT = "devstoreaccount1";
  /** Azurite's well-known development key (public, documented by Microsoft). */
  static final String KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  static final String CONTAINER = "tributary-test";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180); // includes npm install

  private static LoopbackAzurite shared;

  private final Process process;
  private final int port;
  private final Path location;
  private final Path log;

  /** For JUnit only. */
  public LoopbackAzurite() {
    this.process = null;
    this.port = 0;
    this.location = null;
    this.log = null;
  }

  private LoopbackAzurite(Process process, int port, Path location, Path log) {
    this.process = process;
    this.port = port;
    this.location = location;
    this.log = log;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(Namespace.GLOBAL)
        .getOrComputeIfAbsent(LoopbackAzurite.class, k -> shared(), LoopbackAzurite.class);
  }

  /** The running server, started on first call. */
  static synchronized LoopbackAzurite shared() {
    if (shared == null) {
      try {
        shared = start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return shared;
  }

  private static LoopbackAzurite start() throws IOException, InterruptedException {
    Path script = script();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path location = Files.createTempDirectory("azurite-blob");
    Path log = Files.createTempFile("azurite", ".log");
    Process p = new ProcessBuilder("bash", script.toString(), "blob", Integer.toString(port),
        location.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LoopbackAzurite server = new LoopbackAzurite(p, port, location, log);
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!listening(port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        server.stop();
        throw new IOException("Azurite did not start on 127.0.0.1:" + port + " (exit "
            + (p.isAlive() ? "none" : p.exitValue()) + "): " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    BlobContainerClient container = server.containerClient(CONTAINER);
    container.createIfNotExists();
    return server;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code scripts/azurite.sh}, looked for from the working folder upwards. */
  private static Path script() throws IOException {
    for (File d = new File(System.getProperty("user.dir")).getAbsoluteFile(); d != null;
        d = d.getParentFile()) {
      File f = new File(d, "scripts/azurite.sh");
      if (f.isFile()) {
        return f.toPath();
      }
    }
    throw new IOException("scripts/azurite.sh not found above " + System.getProperty("user.dir"));
  }

  int port() {
    return port;
  }

  String blobEndpoint() {
    return "http://127.0.0.1:" + port + "/" + ACCOUNT;
  }

  String connectionString() {
    return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
        + ";BlobEndpoint=" + blobEndpoint() + ";";
  }

  /** A mutable environment pointing at this server through the connection string. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AZURE_STORAGE_CONNECTION_STRING", connectionString());
    return env;
  }

  /** A client for {@code container} on this server, made the way the provider makes them. */
  BlobContainerClient containerClient(String container) {
    return AzureBlobCacheBackendProvider.clientBuilder(container, env()).buildClient();
  }

  BlobContainerClient containerClient() {
    return containerClient(CONTAINER);
  }

  synchronized void stop() {
    if (process != null && process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deleteQuietly(location);
    deleteQuietly(log);
  }

  private static void deleteQuietly(Path p) {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  @Override
  public void close() {
    stop();
  }
}
