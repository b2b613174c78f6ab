package dev.tributary.destination;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A run in a process of its own: takes the connection's lease, then applies {@link Script}'s
 * responses from the stored state on, until response {@code last}. {@link KillNineTest} kills it
 * at random points; {@link OverlappingRunsTest} starts two at once.
 *
 * <p>Arguments: destination URL, connection, last response, and {@code wait} (take the lease as
 * soon as it is free), {@code skip} (exit at once if another run holds it) or {@code hold} (as
 * {@code wait}, then hold the lease until a line arrives on standard input).
 */
public final class ApplyingChild {
  private ApplyingChild() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String connection = args[1];
    int last = Integer.parseInt(args[2]);
    boolean wait = !args[3].equals("skip");
    try (Destination d = Destination.open(url)) {
      Lease lease;
      long until = System.nanoTime() + 20_000_000_000L;
      while (true) {
        try {
          lease = d.lease(connection);
          break;
        } catch (LeaseHeldException e) {
          if (!wait || System.nanoTime() > until) {
            System.out.println("skipped: " + e.getMessage());
            return;
          }
          Thread.sleep(20); // the killed run's session is still being torn down
        }
      }
      JsonNode state = lease.state();
      System.out.println("ready from " + state.path("applied").asInt(0));
      if (args[3].equals("hold")) {
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
            java.nio.charset.StandardCharsets.UTF_8)).readLine();
      }
      for (int i = state.path("applied").asInt(0) + 1; i <= last; i++) {
        JsonNode response = Script.response(i);
        lease.apply(state, response);
        state = response.get("state");
        System.out.println("applied " + i);
      }
      System.out.println("done");
      lease.close();
    }
  }
}
