package dev.tributary.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.destination.Applied;
import dev.tributary.driver.Driver;
import java.io.PrintStream;
import java.util.Map;

/** Prints a sync's summary for people, or as JSON for scripts. */
final class Report {
  private Report() {}

  static void print(Driver.Summary s, String target, String destination, boolean json,
      PrintStream out) {
    if (json) {
      out.println(toJson(s, target, destination).toString());
      return;
    }
    for (String p : s.problems()) {
      out.println(p);
    }
    out.printf("%s: %d call%s, %,d rows, %s in %.1f s (%s) into %s%n",
        switch (s.result()) {
          case SUCCESS -> "sync finished";
          case SKIPPED -> "sync skipped";
          case PROTOCOL_VIOLATION -> "sync stopped: protocol violation";
          case CONNECTOR_ERROR -> "sync stopped: connector error";
          case DESTINATION_ERROR -> "sync stopped: destination error";
        },
        s.calls(), s.calls() == 1 ? "" : "s", s.rows(), Progress.bytes(s.bytes()),
        s.millis() / 1000.0, target, destination);
    for (Map.Entry<String, Applied.Counts> e : s.tables().entrySet()) {
      out.printf("  %-24s %,10d upserted %,8d deleted%n", e.getKey(), e.getValue().upserted(),
          e.getValue().deleted());
    }
  }

  static ObjectNode toJson(Driver.Summary s, String target, String destination) {
    ObjectNode n = Main.JSON.createObjectNode();
    n.put("result", s.result().name().toLowerCase(java.util.Locale.ROOT));
    n.put("exit_code", s.result().exitCode());
    n.put("target", target);
    n.put("destination", destination);
    n.put("calls", s.calls());
    n.put("rows", s.rows());
    n.put("bytes", s.bytes());
    n.put("millis", s.millis());
    ObjectNode tables = n.putObject("tables");
    s.tables().forEach((t, c) -> {
      ObjectNode o = tables.putObject(t);
      o.put("upserted", c.upserted());
      o.put("deleted", c.deleted());
    });
    s.problems().forEach(n.putArray("problems")::add);
    return n;
  }
}
