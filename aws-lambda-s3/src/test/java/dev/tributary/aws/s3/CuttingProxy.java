package dev.tributary.aws.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a loopback port in front of a real server that cuts every connection: for each
 * accepted connection it draws from a seeded {@link Random} in which direction (client to
 * server, server to client) and after how many bytes of that direction to cut; at the cut it
 * forwards the bytes before the offset and closes both sockets, abortively (RST) or with a FIN.
 * Every connection is cut somewhere, so a client's keep-alive connection cannot outlive the
 * faults; most offsets are small (log-uniform), so most connections carry a few requests.
 *
 * <p>The draws come from one seeded generator in accept order, so a run with the same seed and
 * the same sequence of connections cuts the same way. Connections accepted while
 * {@link #cutting(boolean)} is off pass untouched.
 */
final class CuttingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final Random random;
  private final int maxOffset;
  private volatile boolean cutting = true;
  private volatile boolean closed;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger cuts = new AtomicInteger();
  final AtomicLong bytes = new AtomicLong();

  /**
   * @param maxOffset the cut offset is log-uniform in {@code [0, maxOffset)} half the time and
   *     in {@code [0, 64 KiB)} otherwise
   */
  CuttingProxy(int targetPort, long seed, int maxOffset)
      throws IOException {
    this.server = new ServerSocket();
    this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.targetPort = targetPort;
    this.random = new Random(seed);
    this.maxOffset = maxOffset;
    Thread accept = new Thread(this::acceptLoop, "cutting-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  void cutting(boolean on) {
    cutting = on;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      // One plan per connection, drawn in accept order from the seeded generator.
      long upCut = Long.MAX_VALUE;
      long downCut = Long.MAX_VALUE;
      boolean reset;
      synchronized (random) {
        boolean cut = cutting;
        boolean up = random.nextBoolean();
        // Log-uniform, half the time below 64 KiB: request and status lines, headers and small
        // bodies are cut as often as large bodies, and no connection lives long.
        int bound = random.nextBoolean() ? Math.min(maxOffset, 1 << 16) : maxOffset;
        long offset = (long) Math.exp(random.nextDouble() * Math.log(bound)) - 1;
        reset = random.nextBoolean();
        if (cut) {
          if (up) {
            upCut = offset;
          } else {
            downCut = offset;
          }
        }
      }
      try {
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        Link link = new Link(client, upstream, reset);
        pump(link, client, upstream, upCut, "up");
        pump(link, upstream, client, downCut, "down");
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  /** The two sockets of one proxied connection, closed together once. */
  private final class Link {
    final Socket a;
    final Socket b;
    final boolean reset;
    private boolean done;
    private int ended;

    Link(Socket a, Socket b, boolean reset) {
      this.a = a;
      this.b = b;
      this.reset = reset;
    }

    synchronized void cut() {
      if (done) {
        return;
      }
      done = true;
      cuts.incrementAndGet();
      if (reset) {
        try {
          a.setSoLinger(true, 0);
          b.setSoLinger(true, 0);
        } catch (IOException ignored) {
          // closing still cuts
        }
      }
      closeQuietly(a);
      closeQuietly(b);
    }

    /** One direction ended cleanly; when both have, the connection is over. */
    synchronized void ended() {
      if (++ended == 2) {
        close();
      }
    }

    synchronized void close() {
      if (!done) {
        done = true;
        closeQuietly(a);
        closeQuietly(b);
      }
    }
  }

  private void pump(Link link, Socket from, Socket to, long cutAt, String direction) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      long sent = 0;
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n = in.read(buf);
          if (n < 0) {
            // A clean end of one side: pass it on as a half close, like a real network.
            to.shutdownOutput();
            link.ended();
            return;
          }
          if (sent + n > cutAt) {
            int keep = (int) (cutAt - sent);
            if (keep > 0) {
              out.write(buf, 0, keep);
              out.flush();
            }
            bytes.addAndGet(Math.max(keep, 0));
            link.cut();
            return;
          }
          out.write(buf, 0, n);
          out.flush();
          sent += n;
          bytes.addAndGet(n);
        }
      } catch (IOException e) {
        link.close();
      }
    }, "cutting-proxy-" + direction);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
