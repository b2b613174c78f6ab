package dev.tributary;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP side of a Fivetran Function, the same on every HTTP cloud: which method and content
 * type are served, how long a call may take, and which status goes with each outcome. A cloud
 * adapter (Cloud Functions, Azure Functions) hands over the request's method, content type and
 * body and sends back the {@link Answer}; it translates its platform's types and nothing more, so
 * every cloud answers the same request with the same status, headers and bytes.
 *
 * <ul>
 *   <li>Only {@code POST} is served: any other method gets {@code 405} with {@code Allow: POST}
 *       and a {@code MethodNotAllowed} error body; the request body is not read.
 *   <li>A {@code Content-Type} that is present and not {@code application/json} (parameters such
 *       as {@code charset} are fine, case is ignored) gets {@code 415} with an
 *       {@code UnsupportedMediaType} error body. A missing one is accepted: Fivetran sends JSON.
 *   <li>Everything else goes to the {@link FunctionHandler} with a deadline of the call timeout
 *       after arrival ({@link EngineConfig#callTimeout()}, {@code TRIBUTARY_TIMEOUT_SECONDS}, else
 *       the platform's default), and the {@link FunctionHandler.Outcome}'s status: 200, 400, 500
 *       or 502.
 * </ul>
 *
 * <p>Every answer is {@code application/json}, shaped like the core's error bodies where it is an
 * error. Thread-safe: create one per container and share it.
 */
public final class HttpFront {
  /** The environment variable of {@link EngineConfig.Builder#callTimeout}. */
  public static final String TIMEOUT_VARIABLE = "TRIBUTARY_TIMEOUT_SECONDS";

  private static final String JSON = "application/json";

  /**
   * What an HTTP platform allows a call: the timeout when none is configured, the longest one that
   * can help, and why it is the longest (said when a configured timeout is longer).
   */
  public record Platform(String name, Duration defaultTimeout, Duration maxTimeout,
      String whyMax) {
    public Platform {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(whyMax, "whyMax");
      if (defaultTimeout.compareTo(maxTimeout) > 0) {
        throw new IllegalArgumentException("defaultTimeout > maxTimeout: " + defaultTimeout);
      }
    }
  }

  /** What to send back: a status, {@code application/json}, maybe {@code Allow}, and the body. */
  public static final class Answer {
    private final int status;
    private final String allow;
    private final FunctionHandler.Body body;

    private Answer(int status, String allow, FunctionHandler.Body body) {
      this.status = status;
      this.allow = allow;
      this.body = body;
    }

    /** The HTTP status. */
    public int status() {
      return status;
    }

    /** The {@code Content-Type} header: always {@code application/json}. */
    public String contentType() {
      return JSON;
    }

    /** The {@code Allow} header, on a 405 only. */
    public Optional<String> allow() {
      return Optional.ofNullable(allow);
    }

    /** Writes the body to {@code out} (from where it was built, without a copy). */
    public void writeTo(OutputStream out) throws IOException {
      body.writeTo(out);
    }

    /** The body as an array, for platforms that take one. */
    public byte[] bytes() {
      return body.bytes();
    }

    @Override
    public String toString() {
      return "HttpFront.Answer(" + status + ", " + body.size() + " bytes)";
    }
  }

  private final FunctionHandler handler;
  private final Platform platform;
  private final Duration timeout;

  /**
   * A front for {@code handler} on {@code platform}.
   *
   * @throws IllegalArgumentException naming {@value #TIMEOUT_VARIABLE} when the configured call
   *     timeout is longer than the platform allows
   */
  public HttpFront(FunctionHandler handler, Platform platform) {
    this.handler = Objects.requireNonNull(handler, "handler");
    this.platform = Objects.requireNonNull(platform, "platform");
    this.timeout = handler.config().callTimeout().orElse(platform.defaultTimeout());
    if (timeout.compareTo(platform.maxTimeout()) > 0) {
      throw new IllegalArgumentException(TIMEOUT_VARIABLE + " (callTimeout) is "
          + timeout.toSeconds() + " s, over the " + platform.maxTimeout().toSeconds() + " s "
          + platform.name() + " allows (" + platform.whyMax() + "); set it a little below the"
          + " function's timeout");
    }
  }

  /** How long each call may take from its arrival. */
  public Duration timeout() {
    return timeout;
  }

  /** The platform this front serves. */
  public Platform platform() {
    return platform;
  }

  /**
   * Serves one request whose body is a stream; the stream is read only for a {@code POST} of JSON.
   *
   * @param method the request's method, e.g. {@code POST}
   * @param contentType the {@code Content-Type} header, or null if there is none
   * @throws IOException only if reading {@code body} fails
   */
  public Answer serve(String method, String contentType, InputStream body) throws IOException {
    Instant arrived = handler.config().clock().instant();
    Answer refused = refuse(method, contentType);
    if (refused != null) {
      return refused;
    }
    FunctionHandler.Reply reply = handler.answer(body, arrived.plus(timeout));
    return new Answer(reply.outcome().httpStatus(), null, reply.body());
  }

  /**
   * Serves one request whose body the platform has already read into memory (none: null); the
   * bytes are parsed where they are, not copied.
   */
  public Answer serve(String method, String contentType, byte[] body) {
    Instant arrived = handler.config().clock().instant();
    Answer refused = refuse(method, contentType);
    if (refused != null) {
      return refused;
    }
    byte[] bytes = body == null ? new byte[0] : body;
    try {
      FunctionHandler.Reply reply = handler.answer(bytes, arrived.plus(timeout));
      return new Answer(reply.outcome().httpStatus(), null, reply.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // nothing is read: bytes in memory do not fail
    }
  }

  /** The 405 or 415 this request gets, or null if it is served. */
  private Answer refuse(String method, String contentType) {
    if (!"POST".equals(method)) {
      return new Answer(405, "POST", FunctionHandler.Body.of(handler.errorBody("MethodNotAllowed", "method "
          + token(method) + " is not served; Fivetran calls with POST, the request JSON as the body")));
    }
    if (contentType != null && !contentType.isBlank() && !isJson(contentType)) {
      return new Answer(415, null, FunctionHandler.Body.of(handler.errorBody("UnsupportedMediaType", "content type "
          + token(mediaType(contentType)) + " is not served; send the request JSON with"
          + " Content-Type: application/json")));
    }
    return null;
  }

  private static boolean isJson(String contentType) {
    return mediaType(contentType).toLowerCase(Locale.ROOT).equals(JSON);
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
  }

  /** A header value as it may be quoted back: printable ASCII, at most 64 characters. */
  private static String token(String value) {
    if (value == null || value.isEmpty()) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && sb.length() < 64; i++) {
      char c = value.charAt(i);
      sb.append(c > ' ' && c < 0x7f ? c : '?');
    }
    return value.length() > 64 ? sb + "..." : sb.toString();
  }

  @Override
  public String toString() {
    return "HttpFront(" + platform.name() + ", timeout=" + timeout.toSeconds() + "s)";
  }
}
