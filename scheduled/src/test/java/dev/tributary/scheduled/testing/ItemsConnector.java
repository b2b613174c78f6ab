package dev.tributary.scheduled.testing;

import dev.tributary.Connector;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A real connector over one PostgreSQL table ({@link SourceItems}): incremental {@code items} by
 * {@code (updated_at, id)}, deletes from its tombstone column, the database's clock as the source
 * clock. Secrets: {@code jdbc_url}, {@code schema}, {@code user}, {@code password} (trust
 * authentication ignores it; tests check it never shows) and {@code slow_ms}, a pause per page so
 * that a tick runs into its deadline.
 */
public final class ItemsConnector implements Connector {
  @Override
  public Schema schema() {
    return Schema.of(Table.incremental("items").primaryKey("id")
        .cursor("updated_at", ValueType.TIMESTAMP).tiebreaker("id", ValueType.NUMBER));
  }

  @Override
  public Set<String> notSecretKeys() {
    return Set.of("jdbc_url", "schema", "user", "slow_ms");
  }

  @Override
  public Optional<Instant> sourceClock(Secrets secrets) throws IOException {
    try (Connection c = connect(secrets); ResultSet rs = c.createStatement().executeQuery("SELECT now()")) {
      rs.next();
      return Optional.of(rs.getObject(1, OffsetDateTime.class).toInstant());
    } catch (SQLException e) {
      throw new IOException("source clock: " + e.getMessage(), e);
    }
  }

  @Override
  public Page read(TableRead read) throws IOException {
    Secrets s = read.secrets();
    String table = quoted(s.require("schema")) + ".items";
    Optional<Instant> after = read.afterCursorInstant();
    Optional<Instant> upTo = read.upToInstant();
    StringBuilder sql = new StringBuilder("SELECT id, name, updated_at, deleted FROM " + table
        + " WHERE true");
    upTo.ifPresent(u -> sql.append(" AND updated_at < ?"));
    after.ifPresent(a -> sql.append(" AND (updated_at, id) > (?, ?)"));
    sql.append(" ORDER BY updated_at, id LIMIT ?");
    List<Row> rows = new ArrayList<>();
    try (Connection c = connect(s); PreparedStatement st = c.prepareStatement(sql.toString())) {
      int i = 1;
      if (upTo.isPresent()) {
        st.setObject(i++, OffsetDateTime.ofInstant(upTo.get(), ZoneOffset.UTC));
      }
      if (after.isPresent()) {
        st.setObject(i++, OffsetDateTime.ofInstant(after.get(), ZoneOffset.UTC));
        st.setLong(i++, read.afterTiebreakerNumber().map(BigDecimal::longValueExact).orElse(0L));
      }
      st.setInt(i, read.pageSize());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("id", rs.getLong("id"));
          row.put("updated_at", rs.getObject("updated_at", OffsetDateTime.class).toInstant());
          if (rs.getBoolean("deleted")) {
            rows.add(Row.delete(row));
          } else {
            row.put("name", rs.getString("name"));
            rows.add(Row.of(row));
          }
        }
      }
    } catch (SQLException e) {
      throw new IOException("reading " + table + ": " + e.getMessage(), e);
    }
    long slow = Long.parseLong(s.get("slow_ms").orElse("0"));
    if (slow > 0) {
      try {
        Thread.sleep(slow);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    return rows.size() >= read.pageSize() ? Page.more(rows) : Page.last(rows);
  }

  private static Connection connect(Secrets s) throws SQLException {
    return DriverManager.getConnection(s.require("jdbc_url"), s.require("user"),
        s.get("password").orElse(""));
  }

  private static String quoted(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
