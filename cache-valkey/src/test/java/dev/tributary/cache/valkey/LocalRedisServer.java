package dev.tributary.cache.valkey;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway {@code redis-server} on a free loopback port, for what the shared server on 6379
 * cannot show (a password, TLS, a server that dies). Stopped by {@link #close()}; keeps nothing
 * on disk.
 */
final class LocalRedisServer implements AutoCloseable {
  final int port;
  private final Process process;

  private LocalRedisServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /** A plain server without a password. */
  static LocalRedisServer plain() throws Exception {
    int port = freePort();
    return start(port, List.of("--port", Integer.toString(port)));
  }

  /** Kills the server at once (SIGKILL), as a crash would: no goodbye to its clients. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** A plain server that requires {@code password}. */
  static LocalRedisServer withPassword(String password) throws Exception {
    int port = freePort();
    return start(port, List.of("--port", Integer.toString(port), "--requirepass", password));
  }

  /** A TLS-only server (no client certificates) that requires {@code password}. */
  static LocalRedisServer withTls(String password, Path cert, Path key, Path ca) throws Exception {
    int port = freePort();
    return start(port, List.of("--port", "0", "--tls-port", Integer.toString(port),
        "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no",
        "--requirepass", password));
  }

  private static LocalRedisServer start(int port, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/redis-server"));
    command.addAll(args);
    command.addAll(List.of("--save", "", "--appendonly", "no", "--bind", "127.0.0.1",
        "--dir", System.getProperty("java.io.tmpdir")));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return new LocalRedisServer(port, process);
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited: " + process.exitValue());
        }
        Thread.sleep(20);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("redis-server did not listen on " + port);
  }

  /** A loopback port nothing listens on (just closed). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
