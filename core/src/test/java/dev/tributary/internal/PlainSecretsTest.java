package dev.tributary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.EngineConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decoder's own tree-to-map conversion of secrets gives what the mapper's convertValue gives. */
class PlainSecretsTest {
  @Test
  void secretsConvertAsTheMapperConvertsThem() throws Exception {
    Json json = new Json(EngineConfig.builder().build());
    JsonNode n = json.mapper().readTree("{\"token\":\"t\",\"port\":5432,\"big\":123456789012345678901234,"
        + "\"ratio\":0.10,\"on\":true,\"none\":null,\"nested\":{\"a\":[1,\"x\",{\"b\":2.5e3}],\"c\":false},"
        + "\"list\":[]}");
    assertEquals(json.mapper().convertValue(n, Map.class), RequestDecoder.plain(n));
  }
}
