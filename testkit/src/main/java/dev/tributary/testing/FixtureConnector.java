package dev.tributary.testing;

import dev.tributary.Connector;
import dev.tributary.Page;
import dev.tributary.Position;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deterministic connector for the adapter contract: fixed rows (a tie, deletes, a full-refresh
 * table) and a fixed source clock, so the same request yields the same bytes on every cloud.
 * Registered with {@code ServiceLoader} in this test jar, so adapters find it as they would a
 * user's connector.
 *
 * <p>Secrets drive failures: {@code mode = "source-down"} fails reads with an
 * {@link IOException} that quotes the token (the engine must redact it); {@code mode = "bug"}
 * throws a runtime exception; the setup test requires {@code api_token}.
 */
public final class FixtureConnector implements Connector {
  public static final Instant SOURCE_NOW = Instant.parse("2024-05-01T12:00:00Z");

  @Override
  public Schema schema() {
    return Schema.of(
        Table.incremental("orders").primaryKey("id").cursor("updated_at")
            .tiebreaker("id", ValueType.NUMBER).softDelete(),
        Table.fullRefresh("currencies").primaryKey("code"));
  }

  @Override
  public Optional<Instant> sourceClock(Secrets secrets) {
    return Optional.of(SOURCE_NOW);
  }

  @Override
  public void test(Secrets secrets) throws IOException {
    String token = secrets.require("api_token");
    if (secrets.get("mode").filter("source-down"::equals).isPresent()) {
      throw new IOException("GET https://api.example.com/ping?api_token=" + token + " refused");
    }
  }

  @Override
  public Page read(TableRead read) throws IOException {
    String mode = read.secrets().get("mode").orElse("");
    if (mode.equals("source-down")) {
      throw new IOException("GET https://api.example.com/" + read.table().name() + "?api_token="
          + read.secrets().get("api_token").orElse("") + " failed: connection reset");
    }
    if (mode.equals("bug")) {
      throw new IllegalStateException("connector bug while reading " + read.table().name());
    }
    List<Row> all = read.table().name().equals("orders") ? orders() : currencies();
    List<Row> after = new ArrayList<>();
    for (Row r : all) {
      if (read.after().isEmpty() || isAfter(read.table(), r, read)) {
        after.add(r);
      }
    }
    int n = Math.min(read.pageSize(), after.size());
    return new Page(after.subList(0, n), after.size() > n);
  }

  private static boolean isAfter(Table t, Row r, TableRead read) {
    if (!t.isIncremental()) {
      return Position.compareValues(r.get("code"), read.afterTiebreakerString().orElseThrow()) > 0;
    }
    int c = ((Instant) r.get("updated_at")).compareTo(read.afterCursorInstant().orElseThrow());
    if (c != 0) {
      return c > 0;
    }
    return read.afterTiebreakerNumber()
        .map(id -> BigDecimal.valueOf((Long) r.get("id")).compareTo(id) > 0)
        .orElse(true);
  }

  /** 30 orders; ids 11-20 share one timestamp; ids 5 and 25 are deletes. */
  static List<Row> orders() {
    List<Row> rows = new ArrayList<>();
    for (long id = 1; id <= 30; id++) {
      Instant at = id <= 10 ? Instant.parse("2024-05-01T10:00:00Z").plusSeconds(id)
          : id <= 20 ? Instant.parse("2024-05-01T10:30:00Z")
          : Instant.parse("2024-05-01T11:00:00.123456Z").plusSeconds(id);
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("id", id);
      v.put("updated_at", at);
      v.put("customer", "customer-" + (id % 7));
      v.put("amount", new BigDecimal(id + ".25"));
      v.put("note", id == 3 ? "naïve \"quoted\" ✓" : null);
      rows.add(id == 5 || id == 25 ? Row.delete(v) : Row.of(v));
    }
    return rows;
  }

  static List<Row> currencies() {
    List<Row> rows = new ArrayList<>();
    String[][] all = {{"EUR", "Euro"}, {"GBP", "Pound sterling"}, {"USD", "US dollar"}};
    for (String[] c : all) {
      Map<String, Object> v = new LinkedHashMap<>(); // a fixed column order on every JVM
      v.put("code", c[0]);
      v.put("name", c[1]);
      rows.add(Row.of(v));
    }
    return rows;
  }
}
