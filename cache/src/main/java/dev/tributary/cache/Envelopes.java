package dev.tributary.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads what backends need from a stored envelope without decoding its payload. */
final class Envelopes {
  private static final JsonFactory JSON = new JsonFactory();

  private Envelopes() {}

  /**
   * The envelope's top-level {@code fetched_at}, or empty if it has none or is not an envelope.
   * Streams only until the field, so a large payload after it is not parsed.
   */
  static Optional<Instant> fetchedAt(byte[] envelope) {
    try (JsonParser p = JSON.createParser(envelope)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("fetched_at".equals(name)) {
          return value == JsonToken.VALUE_STRING
              ? Optional.of(Instant.parse(p.getText())) : Optional.empty();
        }
        p.skipChildren();
      }
      return Optional.empty();
    } catch (IOException | DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
