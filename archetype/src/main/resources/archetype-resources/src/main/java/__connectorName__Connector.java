package ${package};

import dev.tributary.Connector;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Secrets;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The ${connectorName} connector: what Fivetran syncs from the ${connectorName} source. Two
 * tables show the two kinds:
 * <ul>
 *   <li>{@code contacts}, incremental on the compound cursor {@code (updated_at, id)}: each read
 *       asks the source for rows strictly after the position Tributary keeps in state;
 *   <li>{@code stages}, full refresh: read whole on every sync; only the rows that changed are
 *       sent (Tributary remembers, in state, what it delivered).
 * </ul>
 * The source is {@link ${connectorName}Source}, a stub with rows in memory, so this project runs
 * and tests without a network; replace its methods with calls to your API.
 */
public final class ${connectorName}Connector implements Connector {
  private final ${connectorName}Source source;

  /** What the cloud adapters call (through META-INF/services/dev.tributary.Connector). */
  public ${connectorName}Connector() {
    this(new ${connectorName}Source());
  }

  ${connectorName}Connector(${connectorName}Source source) {
    this.source = source;
  }

  @Override
  public Schema schema() {
    return Schema.of(
        Table.incremental("contacts").primaryKey("id")
            .cursor("updated_at").tiebreaker("id", ValueType.NUMBER),
        Table.fullRefresh("stages").primaryKey("code"));
  }

  @Override
  public Page read(TableRead read) throws IOException {
    String token = read.secrets().require("api_token");
    if (read.table().name().equals("contacts")) {
      // Rows strictly after read.after() (all rows when it is empty), with updated_at before
      // read.upToInstant(), ascending by (updated_at, id); about read.pageSize() of them.
      List<Map<String, Object>> rows = source.contactsAfter(token, read.afterCursorInstant(),
          read.afterTiebreakerNumber(), read.upToInstant(), read.pageSize());
      return new Page(rows.stream().map(${connectorName}Connector::row).toList(),
          rows.size() >= read.pageSize());
    }
    // A full-refresh table is read in primary-key order; when a response was cut inside it,
    // read.after() holds the last key sent and the read goes on after it.
    String afterCode = read.afterTiebreakerString().orElse(null);
    return new Page(source.stages(token).stream()
        .filter(s -> afterCode == null || ((String) s.get("code")).compareTo(afterCode) > 0)
        .map(Row::of).toList(), false);
  }

  @Override
  public void test(Secrets secrets) throws IOException {
    source.ping(secrets.require("api_token"));
  }

  private static Row row(Map<String, Object> values) {
    return values.get("deleted_at") != null ? Row.delete(values) : Row.of(values);
  }
}
