package dev.tributary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.driver.Driver;
import dev.tributary.driver.Target;
import dev.tributary.driver.internal.ProtocolChecker;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Fivetran's setup test: one call with {@code setup_test: true}, the connection's secrets and its
 * state, answered by the connector's {@code test(secrets)}. The reply is checked as Fivetran
 * checks it — under 64 KiB, the state handed back, no secret in it.
 */
final class SetupTest {
  /** Fivetran's limit on a setup test's reply ("exceeds maximum size [65536]"). */
  static final int MAX_REPLY_BYTES = 65_536;

  private SetupTest() {}

  /** The outcome: passed, failed with the connector's message, or a broken reply. */
  record Verdict(boolean passed, boolean violation, String message, String errorType) {
    int exitCode() {
      return passed ? 0 : violation ? Driver.Result.PROTOCOL_VIOLATION.exitCode()
          : Driver.Result.CONNECTOR_ERROR.exitCode();
    }

    void print(PrintStream out, String target, boolean json) {
      if (json) {
        ObjectNode n = Main.JSON.createObjectNode();
        n.put("result", passed ? "passed" : violation ? "protocol_violation" : "failed");
        n.put("exit_code", exitCode());
        n.put("target", target);
        if (errorType != null) {
          n.put("error_type", errorType);
        }
        n.put("message", message);
        out.println(n.toString());
        return;
      }
      out.println((passed ? "setup test passed" : violation
          ? "setup test: protocol violation" : "setup test failed") + " (" + target + ")");
      if (message != null && !message.isEmpty()) {
        out.println("  " + message);
      }
    }
  }

  static Verdict run(Target target, ObjectNode state, Map<String, Object> secrets,
      Duration timeout, List<String> secretValues) {
    ObjectNode request = Main.JSON.createObjectNode();
    request.put("agent", "Tributary runner/local");
    request.set("state", state);
    request.set("secrets", Main.JSON.valueToTree(secrets));
    request.put("sync_id", UUID.randomUUID().toString());
    request.put("setup_test", true);
    Target.Reply reply;
    try {
      reply = target.call(Main.JSON.writeValueAsBytes(request), timeout);
    } catch (IOException e) {
      return new Verdict(false, false, "calling the function failed: " + Main.describeBriefly(e),
          null);
    }
    JsonNode body;
    try {
      body = Main.JSON.readTree(reply.body());
    } catch (IOException e) {
      body = null;
    }
    List<ProtocolChecker.Finding> findings = new ProtocolChecker(MAX_REPLY_BYTES, Long.MAX_VALUE,
        secretValues).check(1, reply.status(), reply.body(), reply.wireBytes(), body);
    for (ProtocolChecker.Finding f : findings) {
      if (f.error()) {
        return new Verdict(false, true, f.message().replace("call 1: ", "")
            .replace("(--limit-bytes; AWS Lambda's is 6 MB): page with hasMore instead",
                "(Fivetran's limit for a setup test's reply)"), null);
      }
    }
    if (body.has("errorMessage")) {
      return new Verdict(false, false, body.path("errorMessage").asText(),
          body.path("errorType").asText(null));
    }
    if (reply.status() >= 300) {
      return new Verdict(false, true, "HTTP " + reply.status()
          + " with a body that is not an error response", null);
    }
    if (!state.equals(body.get("state"))) {
      return new Verdict(false, true, "the reply's state differs from the request's: a setup"
          + " test must hand the state back unchanged", null);
    }
    if (ProtocolChecker.rows(body) > 0) {
      return new Verdict(false, true, "the reply carries rows: a setup test answers with none",
          null);
    }
    return new Verdict(true, false, "the connector reached its source with these secrets", null);
  }
}
