package dev.tributary.benchmarks.cold;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.benchmarks.BenchRows;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Reference (d): the hand-written Lambda function a cold start is measured against — reads the
 * request with Jackson and streams the same rows as {@link ColdStart}'s Tributary connector.
 */
public final class BareJacksonHandler implements RequestStreamHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = new JsonFactory();

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    JsonNode request = MAPPER.readTree(input);
    String cursor = request.path("state").path("cursor").asText("");
    List<Map<String, Object>> rows = ColdStart.rows(cursor);
    try (JsonGenerator g = FACTORY.createGenerator(output)) {
      g.writeStartObject();
      g.writeObjectFieldStart("insert");
      g.writeArrayFieldStart("orders");
      for (Map<String, Object> m : rows) {
        BenchRows.writeRow(g, m);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("schema");
      g.writeObjectFieldStart("orders");
      g.writeArrayFieldStart("primary_key");
      g.writeString("id");
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.writeObjectFieldStart("state");
      g.writeStringField("cursor", String.valueOf(rows.get(rows.size() - 1).get("updated_at")));
      g.writeEndObject();
      g.writeBooleanField("hasMore", false);
      g.writeEndObject();
    }
  }
}
