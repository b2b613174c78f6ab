package ${package};

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stub of the ${connectorName} API with its rows in memory: 25 contacts, many sharing an
 * {@code updated_at} (the case compound cursors exist for), one of them deleted, and three
 * stages. Replace each method's body with a call to the real API; tributary-http's
 * {@code ApiClient}, {@code Auth} and {@code Pager} do the retries, authentication and paging.
 */
class ${connectorName}Source {
  private final List<Map<String, Object>> contacts = new ArrayList<>();

  ${connectorName}Source() {
    Instant base = Instant.parse("2024-05-01T10:00:00Z");
    for (long id = 1; id <= 25; id++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("id", id);
      c.put("name", "Contact " + id);
      c.put("email", "contact" + id + "@example.com");
      c.put("updated_at", base.plusSeconds(60 * (id / 10))); // ties of ten rows
      if (id == 7) {
        c.put("deleted_at", base.plusSeconds(60 * (id / 10)));
      }
      contacts.add(c);
    }
  }

  /**
   * Contacts after {@code (afterUpdatedAt, afterId)} — at or after {@code afterUpdatedAt} when
   * there is no {@code afterId} — and before {@code upTo}, in (updated_at, id) order, at most
   * {@code limit}.
   */
  List<Map<String, Object>> contactsAfter(String token, Optional<Instant> afterUpdatedAt,
      Optional<BigDecimal> afterId, Optional<Instant> upTo, int limit) throws IOException {
    check(token);
    List<Map<String, Object>> out = new ArrayList<>();
    contacts.stream()
        .sorted(Comparator.comparing((Map<String, Object> c) -> (Instant) c.get("updated_at"))
            .thenComparing(c -> (Long) c.get("id")))
        .filter(c -> afterUpdatedAt.map(at -> isAfter(c, at, afterId)).orElse(true))
        .filter(c -> upTo.map(t -> ((Instant) c.get("updated_at")).isBefore(t)).orElse(true))
        .limit(limit)
        .forEach(out::add);
    return out;
  }

  /** The stages, in code order. */
  List<Map<String, Object>> stages(String token) throws IOException {
    check(token);
    List<Map<String, Object>> out = new ArrayList<>();
    String[][] all = {{"churned", "Churned"}, {"customer", "Customer"}, {"lead", "Lead"}};
    for (String[] s : all) {
      Map<String, Object> stage = new LinkedHashMap<>();
      stage.put("code", s[0]);
      stage.put("name", s[1]);
      out.add(stage);
    }
    return out;
  }

  void ping(String token) throws IOException {
    check(token);
  }

  private static void check(String token) throws IOException {
    if (token.isBlank()) {
      throw new IOException("the source rejected an empty secrets.api_token");
    }
  }

  private static boolean isAfter(Map<String, Object> c, Instant updatedAt,
      Optional<BigDecimal> afterId) {
    int byCursor = ((Instant) c.get("updated_at")).compareTo(updatedAt);
    if (byCursor != 0) {
      return byCursor > 0;
    }
    return afterId.map(id -> BigDecimal.valueOf((Long) c.get("id")).compareTo(id) > 0).orElse(true);
  }
}
