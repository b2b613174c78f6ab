package dev.tributary.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.HttpFront;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every cloud adapter keeps, written once: for every request fixture under
 * {@code contract/}, the adapter answers with byte-for-byte the body the core's
 * {@link FunctionHandler} gives for the same bytes, and (where the platform has one) the HTTP
 * status and JSON content type that go with it. HTTP adapters also answer every case of
 * {@link #httpCases()} — other methods (405), other content types (415), the content types that
 * are served — with the status, {@code Allow} header and bytes of the core's {@link HttpFront}.
 * An adapter's test extends this class and says how to send bytes through its platform; the
 * connector is {@link FixtureConnector}, found by {@code ServiceLoader} as a user's would be.
 */
public abstract class AdapterContract {
  /** The secret value the fixtures carry; no answer may contain it. */
  public static final String FIXTURE_SECRET = "tok-9f8e7d6c5b4a";

  /**
   * What the platform delivered: status (-1 where it has none), content type (or null), the
   * {@code Allow} header (or null), body.
   */
  public record Reply(int status, String contentType, String allow, byte[] body) {
    /** A reply without an {@code Allow} header. */
    public Reply(int status, String contentType, byte[] body) {
      this(status, contentType, null, body);
    }
  }

  /** One HTTP request: a method, a content type (null: none) and a body (null: none). */
  public record HttpCase(String name, String method, String contentType, byte[] body) {}

  /** Sends one request body through the adapter, as its platform would. */
  protected abstract Reply invoke(byte[] request) throws Exception;

  /**
   * Sends one HTTP request through the adapter, as its platform would; null for a platform
   * without HTTP (Lambda), whose HTTP cases are then skipped.
   */
  protected Reply invokeHttp(HttpCase request) throws Exception {
    return null;
  }

  /** The HTTP cases every HTTP adapter answers as {@link HttpFront} does. */
  public static List<HttpCase> httpCases() {
    byte[] sync = fixture("first-sync.json");
    return List.of(
        new HttpCase("GET without a body", "GET", null, null),
        new HttpCase("PUT of the request", "PUT", "application/json", sync),
        new HttpCase("DELETE", "DELETE", null, null),
        new HttpCase("PATCH of the request", "PATCH", "application/json", sync),
        new HttpCase("POST as text/plain", "POST", "text/plain", sync),
        new HttpCase("POST as form data", "POST", "application/x-www-form-urlencoded", sync),
        new HttpCase("POST as application/jsonl", "POST", "application/jsonl", sync),
        new HttpCase("POST as JSON with a charset", "POST", "application/json; charset=utf-8", sync),
        new HttpCase("POST as JSON in upper case", "POST", "APPLICATION/JSON", sync),
        new HttpCase("POST without a content type", "POST", null, sync),
        new HttpCase("POST without a body", "POST", "application/json", null));
  }

  /** Fixture names, from {@code contract/index.txt}. */
  public static List<String> fixtures() {
    List<String> names = new ArrayList<>();
    for (String line : new String(resource("contract/index.txt"), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        names.add(line.trim());
      }
    }
    return names;
  }

  public static byte[] fixture(String name) {
    return resource("contract/" + name);
  }

  /** What the core answers for these bytes: the reference every adapter must match. */
  public static Reply coreAnswer(byte[] request) {
    FunctionHandler core = new FunctionHandler(new FixtureConnector(),
        EngineConfig.fromEnvironment().newBuilder().logSink(line -> {}).build());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      FunctionHandler.Outcome o = core.handle(new ByteArrayInputStream(request), out,
          Instant.now().plusSeconds(60));
      return new Reply(o.httpStatus(), "application/json", out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the core's HTTP front answers to this request: the reference every HTTP adapter must match. */
  public static Reply coreHttpAnswer(HttpCase request) {
    FunctionHandler core = new FunctionHandler(new FixtureConnector(),
        EngineConfig.fromEnvironment().newBuilder().logSink(line -> {}).build());
    HttpFront front = new HttpFront(core, REFERENCE_PLATFORM);
    HttpFront.Answer a = front.serve(request.method(), request.contentType(), request.body());
    return new Reply(a.status(), a.contentType(), a.allow().orElse(null), a.bytes());
  }

  private static final HttpFront.Platform REFERENCE_PLATFORM = new HttpFront.Platform(
      "the contract", Duration.ofSeconds(60), Duration.ofHours(1), "a reference");

  @TestFactory
  Stream<DynamicTest> answersEveryHttpCaseExactlyAsTheCoreFrontDoes() {
    return httpCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      Reply actual = invokeHttp(c);
      Assumptions.assumeTrue(actual != null, "this platform has no HTTP");
      Reply expected = coreHttpAnswer(c);
      assertEquals(new String(expected.body(), StandardCharsets.UTF_8),
          new String(actual.body(), StandardCharsets.UTF_8), c.name() + ": body differs from the core's");
      assertEquals(expected.status(), actual.status(), c.name() + ": HTTP status");
      assertEquals(expected.allow(), actual.allow(), c.name() + ": Allow header");
      assertTrue(actual.contentType() != null && actual.contentType().startsWith("application/json"),
          c.name() + ": content type " + actual.contentType());
    }));
  }

  @TestFactory
  Stream<DynamicTest> answersEveryFixtureExactlyAsTheCoreDoes() {
    return fixtures().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      byte[] request = fixture(name);
      Reply expected = coreAnswer(request);
      Reply actual = invoke(request);
      String body = new String(actual.body(), StandardCharsets.UTF_8);
      assertEquals(new String(expected.body(), StandardCharsets.UTF_8), body,
          name + ": body differs from the core's");
      if (actual.status() >= 0) {
        assertEquals(expected.status(), actual.status(), name + ": HTTP status");
        assertTrue(actual.contentType() != null && actual.contentType().startsWith("application/json"),
            name + ": content type " + actual.contentType());
      }
      assertFalse(body.contains(FIXTURE_SECRET), name + ": the answer leaks a secret");
    }));
  }

  private static byte[] resource(String path) {
    try (InputStream in = AdapterContract.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
