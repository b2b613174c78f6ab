package dev.tributary.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads request and response fixtures from {@code src/test/resources/fixtures/}. */
public final class Fixtures {
  private Fixtures() {}

  /** The fixture's bytes exactly as stored. */
  public static byte[] bytes(String name) {
    String path = "/fixtures/" + name;
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fixture parsed as JSON. */
  public static JsonNode json(String name) {
    try {
      return FakeFivetran.MAPPER.readTree(bytes(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
