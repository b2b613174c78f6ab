package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A generic connector whose tables come from the connection's secrets. */
class SchemaFromSecretsTest {
  static final class Generic implements Connector {
    @Override
    public Schema schema() {
      throw new UnsupportedOperationException("tables come from secrets.tables");
    }

    @Override
    public Schema schema(Secrets secrets) {
      String tables = secrets.require("tables");
      return Schema.of(List.of(tables.split(",")).stream()
          .map(n -> Table.fullRefresh(n.trim()).primaryKey("id")).toList());
    }

    @Override
    public Page read(TableRead read) {
      return Page.last(List.of(Row.of(Map.of("id", "1", "table", read.table().name()))));
    }
  }

  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");

  FakeFivetran fivetran(Map<String, Object> secrets) {
    return new FakeFivetran(new FunctionHandler(new Generic(), EngineConfig.builder().clock(clock)
        .logSink(l -> {}).build()), clock, Duration.ofMinutes(1), 6_000_000).secrets(secrets);
  }

  @Test
  void eachConnectionSyncsTheTablesItsSecretsName() {
    FakeFivetran a = fivetran(Map.of("tables", "orders, refunds"));
    a.sync();
    assertEquals(1, a.table("orders").size());
    assertEquals(1, a.table("refunds").size());
    assertTrue(a.lastCall().body().path("schema").has("refunds"));

    FakeFivetran b = fivetran(Map.of("tables", "customers"));
    b.sync();
    assertEquals(List.of("customers"), List.copyOf(iterable(b.lastCall().body().path("schema").fieldNames())));
  }

  @Test
  void secretsThatCannotDescribeTheTablesAreAConfigurationError() {
    FakeFivetran.Call c = fivetran(Map.of()).call();
    assertFalse(c.accepted());
    assertEquals("ConfigurationError", c.body().path("errorType").asText());
    assertTrue(c.body().path("errorMessage").asText().contains("secrets.tables"));
    FakeFivetran.Call setup = fivetran(Map.of()).call(Map.of("setup_test", true));
    assertEquals("ConfigurationError", setup.body().path("errorType").asText());
  }

  static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
