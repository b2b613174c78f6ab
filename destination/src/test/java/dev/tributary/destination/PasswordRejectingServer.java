package dev.tributary.destination;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A loopback server that speaks the first messages of PostgreSQL's wire protocol (v3) and
 * refuses every password as a server with password authentication does ({@code FATAL 28P01}).
 * The machine's PostgreSQL trusts local connections, so a wrong password is never wrong there.
 */
final class PasswordRejectingServer implements AutoCloseable {
  private final ServerSocket socket;

  PasswordRejectingServer() throws IOException {
    socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "password-rejecting-postgres");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        String user = "?";
        while (true) {
          byte[] body = new byte[in.readInt() - 4];
          in.readFully(body);
          int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8)
              | (body[3] & 0xff);
          if (code == 80877103 || code == 80877104) { // SSLRequest, GSSENCRequest: not here
            out.write('N');
            out.flush();
            continue;
          }
          String[] params = new String(body, 4, body.length - 4, StandardCharsets.UTF_8).split("\0");
          for (int i = 0; i + 1 < params.length; i += 2) {
            if (params[i].equals("user")) {
              user = params[i + 1];
            }
          }
          break;
        }
        out.write('R'); // AuthenticationCleartextPassword
        out.writeInt(8);
        out.writeInt(3);
        out.flush();
        if (in.read() == 'p') {
          in.readFully(new byte[in.readInt() - 4]);
        }
        byte[] fields = ("SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user \""
            + user + "\"\0\0").getBytes(StandardCharsets.UTF_8);
        out.write('E');
        out.writeInt(fields.length + 4);
        out.write(fields);
        out.flush();
      } catch (IOException e) {
        // The client hung up, or the server is closing.
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
