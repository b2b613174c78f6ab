package dev.tributary.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tributary.FunctionHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * One raw call to a {@link FunctionHandler}: exactly these request bytes in, the outcome and the
 * response bytes out. For requests FakeFivetran would never build (broken JSON, odd shapes).
 */
public record Exchange(FunctionHandler.Outcome outcome, byte[] bytes, JsonNode body) {

  /** Sends {@code request} with a deadline one minute after {@code clock}'s now. */
  public static Exchange send(FunctionHandler handler, byte[] request, Clock clock) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FunctionHandler.Outcome outcome;
    try {
      outcome = handler.handle(new ByteArrayInputStream(request), out,
          clock.instant().plus(Duration.ofMinutes(1)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode body;
    try {
      body = FakeFivetran.MAPPER.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new AssertionError("response is not JSON: " + out.toString(StandardCharsets.UTF_8), e);
    }
    return new Exchange(outcome, out.toByteArray(), body == null ? MissingNode.getInstance() : body);
  }

  public static Exchange send(FunctionHandler handler, String request, Clock clock) {
    return send(handler, request.getBytes(StandardCharsets.UTF_8), clock);
  }

  /** The response as text. */
  public String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  public String errorMessage() {
    return body.path("errorMessage").asText(null);
  }

  public String errorType() {
    return body.path("errorType").asText(null);
  }

  /** Rows in {@code insert} and {@code delete} together. */
  public int rows() {
    int n = 0;
    for (String section : new String[] {"insert", "delete"}) {
      for (JsonNode rows : body.path(section)) {
        n += rows.size();
      }
    }
    return n;
  }
}
