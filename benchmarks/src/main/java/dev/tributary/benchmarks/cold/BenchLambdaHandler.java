package dev.tributary.benchmarks.cold;

import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.Page;
import dev.tributary.Row;
import dev.tributary.Schema;
import dev.tributary.Table;
import dev.tributary.TableRead;
import dev.tributary.ValueType;
import dev.tributary.aws.TributaryLambdaHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tributary's Lambda handler over a connector serving {@link ColdStart}'s rows. */
public final class BenchLambdaHandler extends TributaryLambdaHandler {
  static final Table ORDERS = Table.incremental("orders").primaryKey("id").cursor("updated_at")
      .tiebreaker("id", ValueType.NUMBER);

  public BenchLambdaHandler() {
    super(new Connector() {
      @Override
      public Schema schema() {
        return Schema.of(ORDERS);
      }

      @Override
      public Page read(TableRead read) {
        if (read.after().isPresent()) {
          return Page.empty();
        }
        List<Row> out = new ArrayList<>();
        for (Map<String, Object> m : ColdStart.rows("")) {
          out.add(Row.of(m));
        }
        return new Page(out, false);
      }
    }, EngineConfig.builder().settleLag(Duration.ZERO).pageSize(ColdStart.ROWS)
        .logSink(l -> {}).build());
  }
}
