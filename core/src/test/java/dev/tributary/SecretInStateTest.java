package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.FunctionHandler.Outcome;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import dev.tributary.testing.SimulatedSource;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A state holding a secret value is refused with a 400 naming the state key, for a sync and for a
 * setup test (whose reply would echo the state verbatim), and the state stays where it was.
 */
class SecretInStateTest {
  static final String TOKEN = "tok_5Gd8sK2mQ9wZ";
  static final String PASSWORD = "pw with/slash+plus";
  static final Map<String, Object> SECRETS = Map.of("token", TOKEN,
      "db", Map.of("password", PASSWORD), "repo", "tributary-core");
  static final Instant T0 = Instant.parse("2024-05-01T09:00:00Z");

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");
  final List<String> log = new ArrayList<>();
  final SimulatedSource source = new SimulatedSource(Table.incremental("orders").primaryKey("id")
      .cursor("updated_at").tiebreaker("id", ValueType.NUMBER));
  int reads;

  /** The connection's connector: {@code repo} is configuration, the rest secrets. */
  final Connector connector = new Connector() {
    @Override
    public Schema schema() {
      return source.schema();
    }

    @Override
    public Page read(TableRead read) throws IOException {
      reads++;
      return source.read(read);
    }

    @Override
    public Set<String> notSecretKeys() {
      return Set.of("repo");
    }
  };

  FakeFivetran fivetran() {
    return fivetran(SECRETS);
  }

  FakeFivetran fivetran(Map<String, Object> secrets) {
    for (long id = 1; id <= 4; id++) {
      source.upsert("orders", id, T0.plusSeconds(id * 60), Map.of("note", "row " + id));
    }
    EngineConfig cfg = EngineConfig.builder().clock(clock).maxRowsPerResponse(2)
        .logSink(log::add).build();
    return new FakeFivetran(new FunctionHandler(connector, cfg), clock, Duration.ofMinutes(1),
        6_000_000).secrets(secrets);
  }

  /** An accepted state after one call, with a table no longer in the schema holding {@code value}. */
  static ObjectNode withRetiredTable(FakeFivetran ft, String field, String value) {
    ObjectNode state = ft.state().deepCopy();
    ((ObjectNode) state.path("tables")).putObject("retired").put("cursor", "updated_at")
        .put(field, value);
    ft.setState(state);
    return state.deepCopy();
  }

  @Test
  void setupTestWithASecretInStateIsRefusedNamingTheKeyNotTheValue() {
    FakeFivetran ft = fivetran();
    assertTrue(ft.call().hasMore());
    ObjectNode state = withRetiredTable(ft, "token", TOKEN);

    FakeFivetran.Call call = ft.call(Map.of("setup_test", true));

    assertRefused(call, "state key tables.retired.token holds the value of secrets.token");
    assertEquals(state, ft.state());
  }

  @Test
  void syncWithASecretInStateIsRefusedBeforeReadingAndTheStateStays() {
    FakeFivetran ft = fivetran();
    assertTrue(ft.call().hasMore());
    ObjectNode state = withRetiredTable(ft, "api", "https://api.example.com/?password="
        + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8));
    int readsBefore = reads;

    FakeFivetran.Call call = ft.call();

    assertRefused(call, "state key tables.retired.api holds the value of secrets.db.password");
    assertEquals(readsBefore, reads, "nothing was read");
    assertEquals(state, ft.state(), "the state did not advance");
  }

  @Test
  void aSecretUsedAsAStateKeyIsNamedMasked() {
    FakeFivetran ft = fivetran();
    ObjectNode state = ft.state().deepCopy();
    state.putObject("cursors").put(TOKEN, "2024-05-01T09:00:00Z");
    ft.setState(state);

    FakeFivetran.Call call = ft.call();

    assertRefused(call, "state key cursors.*** holds the value of secrets.token");
  }

  @Test
  void plainConfigurationInStateIsAccepted() {
    FakeFivetran ft = fivetran();
    assertTrue(ft.call().hasMore());
    withRetiredTable(ft, "repo", "tributary-core");

    assertTrue(ft.call(Map.of("setup_test", true)).accepted());
    ft.sync();
    assertEquals(4, ft.rowsById("orders").size());
  }

  @Test
  void namesTheSchemaPublishesAreNotFindingsThoughUndeclaredSecretsHoldThem() {
    Map<String, Object> secrets = new java.util.HashMap<>(SECRETS);
    // Not declared configuration, so secret: yet every state names the table and its columns.
    secrets.put("tables", List.of(Map.of("name", "orders", "cursor", "updated_at",
        "cursor_type", "timestamp")));
    FakeFivetran ft = fivetran(secrets);

    ft.sync();
    assertEquals(4, ft.rowsById("orders").size());
    assertTrue(ft.call(Map.of("setup_test", true)).accepted());

    withRetiredTable(ft, "note", "moved from updated_at_old");
    assertRefused(ft.call(), "state key tables.retired.note holds the value of secrets.tables[0].cursor");
  }

  private void assertRefused(FakeFivetran.Call call, String says) {
    assertFalse(call.accepted());
    assertEquals(Outcome.BAD_REQUEST.httpStatus(), call.httpStatus(), call.body().toString());
    assertEquals("ProtocolError", call.body().path("errorType").asText());
    String message = call.body().path("errorMessage").asText();
    assertTrue(message.contains(says), message);
    assertTrue(message.contains("notSecretKeys()"), "says what to do: " + message);
    for (String leak : List.of(TOKEN, PASSWORD, URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8))) {
      assertFalse(call.body().toString().contains(leak), call.body().toString());
      assertFalse(String.join("\n", log).contains(leak), "the log leaks: " + log);
    }
  }
}
