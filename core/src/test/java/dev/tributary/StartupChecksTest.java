package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A wrongly declared connector fails when the function starts, with a message saying what to add. */
class StartupChecksTest {
  static Connector declaring(java.util.function.Supplier<Schema> schema) {
    return new Connector() {
      @Override
      public Schema schema() {
        return schema.get();
      }

      @Override
      public Page read(TableRead read) {
        return Page.empty();
      }
    };
  }

  @Test
  void aTableWithoutAPrimaryKeyFailsAtStartUp() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FunctionHandler(declaring(() -> Schema.of(Table.fullRefresh("orders"))),
            EngineConfig.defaults()));
    assertTrue(e.getMessage().contains("orders") && e.getMessage().contains("primaryKey"), e.getMessage());
  }

  @Test
  void aConnectorWhoseTablesComeFromSecretsStartsWithoutThem() {
    assertDoesNotThrow(() -> new FunctionHandler(declaring(() -> {
      throw new MissingSecretException("secrets.tables is missing");
    }), EngineConfig.defaults()));
  }
}
