package dev.tributary;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.internal.ProtocolException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses a request whose {@code state} holds a secret value. A reply always carries a state (a
 * setup test's is the request's own, tables no longer synced included), so a secret an operator or
 * an older function put there would come back out; the call fails instead, naming where it is.
 */
final class StateSecrets {
  private StateSecrets() {}

  /**
   * @throws ProtocolException naming the state key and the secret's name (never its value) if any
   *     key or value of {@code state} discloses a secret in any of the forms {@link Secrets#redact}
   *     masks
   */
  static void reject(JsonNode state, Secrets secrets) throws ProtocolException {
    if (state == null || state.isEmpty() || secrets.isEmpty()) {
      return;
    }
    check(state, "", secrets);
  }

  private static void check(JsonNode n, String path, Secrets secrets) throws ProtocolException {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = (path.isEmpty() ? "" : path + ".") + e.getKey();
        found(secrets.secretIn(e.getKey()), key, secrets);
        check(e.getValue(), key, secrets);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        check(n.get(i), path + "[" + i + "]", secrets);
      }
    } else if (n.isValueNode() && !n.isNull() && !n.isBoolean()) {
      found(secrets.secretIn(n.asText()), path, secrets);
    }
  }

  private static void found(Optional<String> secret, String path, Secrets secrets)
      throws ProtocolException {
    if (secret.isEmpty()) {
      return;
    }
    // A key on the path may itself be the secret: the message names it masked.
    String where = path.isEmpty() ? "the state" : "state key " + secrets.redact(path);
    throw new ProtocolException(where + " holds the value of " + secret.get()
        + "; a secret must never be stored in state, so nothing was synced and the state is"
        + " unchanged. Remove it from the state (Fivetran's state API), or, if "
        + secret.get() + " is plain configuration rather than a secret, declare its key in the"
        + " connector's notSecretKeys()");
  }
}
