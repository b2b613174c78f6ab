package dev.tributary;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.internal.ProtocolFailure;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Refuses a request whose {@code state} holds a secret value. A reply always carries a state (a
 * setup test's is the request's own, tables no longer synced included), so a secret an operator or
 * an older function put there would come back out; the call fails instead, naming where it is.
 *
 * <p>A state string that is exactly a name the connection's schema publishes — a table, a key,
 * cursor or tiebreaker column, a value type — is not a finding: every response carries those
 * names anyway, and a connector whose table list sits undeclared in {@code secrets} would
 * otherwise be refused on every call. The schema is asked only once something was found.
 */
final class StateSecrets {
  private StateSecrets() {}

  /**
   * @param published the names the schema publishes; asked only when a secret was found
   * @throws ProtocolFailure naming the state key and the secret's name (never its value) if any
   *     key or value of {@code state} discloses a secret in any of the forms {@link Secrets#redact}
   *     masks
   */
  static void reject(JsonNode state, Secrets secrets, Supplier<Schema> published)
      throws ProtocolFailure {
    if (state == null || state.isEmpty() || secrets.isEmpty()) {
      return;
    }
    new Walk(secrets, published).check(state);
  }

  private static final class Walk {
    final Secrets secrets;
    final Supplier<Schema> schema;
    Set<String> names;

    Walk(Secrets secrets, Supplier<Schema> schema) {
      this.secrets = secrets;
      this.schema = schema;
    }

    /** The keys and indexes down to the node being checked; joined only for a message. */
    final ArrayList<String> path = new ArrayList<>();

    void check(JsonNode n) throws ProtocolFailure {
      if (n.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          path.add(path.isEmpty() ? e.getKey() : "." + e.getKey());
          text(e.getKey());
          check(e.getValue());
          path.remove(path.size() - 1);
        }
      } else if (n.isArray()) {
        for (int i = 0; i < n.size(); i++) {
          path.add("[" + i + "]");
          check(n.get(i));
          path.remove(path.size() - 1);
        }
      } else if (n.isTextual()) {
        text(n.textValue());
      } else if (n.isNumber()) {
        text(n.asText());
      }
    }

    private void text(String text) throws ProtocolFailure {
      Optional<String> secret = secrets.secretIn(text);
      if (secret.isEmpty() || published().contains(text)) {
        return;
      }
      // A key on the path may itself be the secret: the message names it masked.
      String where = path.isEmpty() ? "the state"
          : "state key " + secrets.redact(String.join("", path));
      throw new ProtocolFailure(where + " holds the value of " + secret.get()
          + "; a secret must never be stored in state, so nothing was synced and the state is"
          + " unchanged. Remove it from the state (Fivetran's state API), or, if "
          + secret.get() + " is plain configuration rather than a secret, declare its key in the"
          + " connector's notSecretKeys()");
    }

    private Set<String> published() {
      if (names == null) {
        names = new HashSet<>();
        for (ValueType t : ValueType.values()) {
          names.add(t.stateName());
        }
        for (Table t : schema.get().tables()) {
          names.add(t.name());
          names.addAll(t.primaryKey());
          t.cursorColumn().ifPresent(names::add);
          names.add(t.tiebreakerColumn());
          t.parent().ifPresent(names::add);
        }
      }
      return names;
    }
  }
}
