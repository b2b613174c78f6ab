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
      BenchRows.writeResponse(g, rows);
    }
  }
}
