package dev.tributary.examples.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.testing.FakeClock;
import dev.tributary.testing.FakeFivetran;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The example connector against its API on loopback, driven the way Fivetran drives it. */
class OrdersApiConnectorTest {
  final OrdersApiServer api;
  final FakeClock clock = FakeClock.at("2024-05-01T12:00:00Z");

  OrdersApiConnectorTest() throws Exception {
    api = new OrdersApiServer();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  FakeFivetran fivetran(String token) {
    EngineConfig config = EngineConfig.builder().clock(clock).pageSize(4).logSink(l -> {}).build();
    return new FakeFivetran(new FunctionHandler(new OrdersApiConnector(), config), clock,
        Duration.ofMinutes(1), config.maxResponseBytes())
        .secrets(Map.of("base_url", api.baseUrl(), "api_token", token));
  }

  @Test
  void syncsTiesAcrossPagesThenPicksUpChangesAndDeletes() {
    Instant tie = Instant.parse("2024-05-01T10:00:00Z");
    for (long id = 1; id <= 10; id++) {
      api.put("orders", id, tie, Map.of("customer_id", id % 3, "total", "12.50"));
    }
    api.put("customers", 1, tie.minusSeconds(60), Map.of("name", "Ada"));
    FakeFivetran ft = fivetran(OrdersApiServer.TOKEN);
    ft.sync();
    assertEquals(10, ft.rowsById("orders").size());
    assertEquals(1, ft.rowsById("customers").size());

    clock.advance(Duration.ofHours(1));
    api.put("orders", 11, tie, Map.of("customer_id", 1, "total", "1.00")); // same cursor, later id
    api.put("orders", 3, clock.peek().minusSeconds(120), Map.of("customer_id", 0, "total", "99.00"));
    api.delete("orders", 7, clock.peek().minusSeconds(90));
    ft.sync();
    assertEquals(10, ft.rowsById("orders").size());
    assertEquals("99.00", ft.rowsById("orders").get(3L).path("total").asText());
    assertFalse(ft.rowsById("orders").containsKey(7L));
    assertTrue(ft.rowsById("orders").containsKey(11L));
  }

  @Test
  void setupTestReportsRejectedCredentials() {
    FakeFivetran.Call c = fivetran("wrong").call(Map.of("setup_test", true));
    assertFalse(c.accepted());
    assertTrue(c.body().path("errorMessage").asText().contains("secrets.api_token"), c.body().toString());
    assertFalse(c.body().toString().contains("wrong"), "the rejected token is not echoed");
  }
}
