package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.EngineConfig;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowJsonTest {
  static String write(Object value) throws Exception {
    Json json = new Json(EngineConfig.defaults());
    StringWriter w = new StringWriter();
    try (JsonGenerator g = json.factory().createGenerator(w)) {
      RowJson.writeValue(g, value, "c");
    }
    return w.toString();
  }

  @Test
  void jsonTreesKeepTheirShape() throws Exception {
    Object tree = new ObjectMapper().readTree("{\"a\":[1,{\"b\":true}],\"n\":1.50}");
    assertEquals("{\"a\":[1,{\"b\":true}],\"n\":1.5}", write(tree));
  }

  @Test
  void timestampsAreUtcIsoAndDecimalsPlain() throws Exception {
    assertEquals("\"2024-05-01T08:00:00.123456Z\"",
        write(OffsetDateTime.parse("2024-05-01T10:00:00.123456+02:00")));
    assertEquals("\"2024-05-01T08:00:00Z\"", write(Instant.parse("2024-05-01T08:00:00Z")));
    assertEquals("1000", write(new BigDecimal("1E+3")));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("x", List.of(1, "two"));
    assertEquals("{\"x\":[1,\"two\"]}", write(m));
  }
}
