package dev.tributary.scheduled;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.EngineConfig;
import dev.tributary.destination.DestinationOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a scheduled sync: where the rows go, under which connection name, the connector's
 * secrets, and how the time of a tick is spent. Immutable; build with {@link #builder()} or read
 * the {@code TRIBUTARY_*} environment with {@link #fromEnvironment()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>environment variable</th></tr>
 *   <tr><td>{@link Builder#destinationUrl}</td><td>required</td><td>{@code TRIBUTARY_DESTINATION_URL}</td></tr>
 *   <tr><td>{@link Builder#destinationPassword}</td><td>none (the URL's)</td><td>{@code TRIBUTARY_DESTINATION_PASSWORD} or {@code TRIBUTARY_DESTINATION_PASSWORD_FILE}</td></tr>
 *   <tr><td>{@link Builder#connection}</td><td>{@code default}</td><td>{@code TRIBUTARY_CONNECTION}</td></tr>
 *   <tr><td>{@link Builder#secrets}</td><td>{@code {}}</td><td>{@code TRIBUTARY_SECRETS} (a JSON object) or {@code TRIBUTARY_SECRETS_FILE} (a mounted JSON file)</td></tr>
 *   <tr><td>{@link Builder#applyMargin}</td><td>10 s</td><td>{@code TRIBUTARY_APPLY_MARGIN_MS}</td></tr>
 *   <tr><td>{@link Builder#engine}</td><td>{@link EngineConfig#fromEnvironment()}</td><td>{@code TRIBUTARY_*}; {@code TRIBUTARY_TIMEOUT_SECONDS} is the tick's time budget</td></tr>
 * </table>
 *
 * <p>Secrets and the password are never printed: {@link #toString()} shows their names only.
 */
public final class ScheduledConfig {
  static final String DESTINATION_URL = "TRIBUTARY_DESTINATION_URL";
  static final String DESTINATION_PASSWORD = "TRIBUTARY_DESTINATION_PASSWORD";
  static final String DESTINATION_PASSWORD_FILE = "TRIBUTARY_DESTINATION_PASSWORD_FILE";
  static final String CONNECTION = "TRIBUTARY_CONNECTION";
  static final String SECRETS = "TRIBUTARY_SECRETS";
  static final String SECRETS_FILE = "TRIBUTARY_SECRETS_FILE";
  static final String APPLY_MARGIN = "TRIBUTARY_APPLY_MARGIN_MS";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String destinationUrl;
  private final String destinationPassword;
  private final String connection;
  private final ObjectNode secrets;
  private final Duration applyMargin;
  private final EngineConfig engine;

  private ScheduledConfig(Builder b) {
    this.destinationUrl = b.destinationUrl;
    this.destinationPassword = b.destinationPassword;
    this.connection = b.connection;
    this.secrets = b.secrets.deepCopy();
    this.applyMargin = b.applyMargin;
    this.engine = b.engine;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    Builder b = new Builder();
    b.destinationUrl = destinationUrl;
    b.destinationPassword = destinationPassword;
    b.connection = connection;
    b.secrets = secrets.deepCopy();
    b.applyMargin = applyMargin;
    b.engine = engine;
    return b;
  }

  /** The settings of the process's environment. */
  public static ScheduledConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * The settings of {@code env} (see the table above).
   *
   * @throws IllegalArgumentException naming the variable that is missing or cannot be used; the
   *     message never holds a secret or the password
   */
  public static ScheduledConfig fromEnvironment(Map<String, String> env) {
    Builder b = builder().engine(EngineConfig.fromEnvironment(env));
    String url = blankToNull(env.get(DESTINATION_URL));
    if (url == null) {
      throw new IllegalArgumentException(DESTINATION_URL + " is not set: set it to the"
          + " destination, e.g. postgresql://user@host:5432/database?schema=name (the password in "
          + DESTINATION_PASSWORD + " or " + DESTINATION_PASSWORD_FILE + ")");
    }
    b.destinationUrl(url);
    oneOf(env, DESTINATION_PASSWORD, DESTINATION_PASSWORD_FILE)
        .ifPresent(p -> b.destinationPassword(stripNewline(p)));
    String connection = blankToNull(env.get(CONNECTION));
    if (connection != null) {
      b.connection(connection);
    }
    Optional<String> secrets = oneOf(env, SECRETS, SECRETS_FILE);
    if (secrets.isPresent()) {
      String from = blankToNull(env.get(SECRETS)) != null ? SECRETS : SECRETS_FILE + " (" + env.get(SECRETS_FILE) + ")";
      b.secrets(parseSecrets(secrets.get(), from));
    }
    String margin = blankToNull(env.get(APPLY_MARGIN));
    if (margin != null) {
      try {
        b.applyMargin(Duration.ofMillis(Long.parseLong(margin.trim())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(APPLY_MARGIN + " is not a whole number of"
            + " milliseconds: " + margin);
      }
    }
    return b.build();
  }

  /** The destination's URL as given (it may hold a password: never print it). */
  String destinationUrl() {
    return destinationUrl;
  }

  /** Options for {@code Destination.open}: the password, when given apart from the URL. */
  DestinationOptions destinationOptions() {
    DestinationOptions.Builder b = DestinationOptions.builder();
    if (destinationPassword != null) {
      b.password(destinationPassword);
    }
    return b.build();
  }

  /** The connection's name: its row in {@code _tributary_state} and its lease. */
  public String connection() {
    return connection;
  }

  /** A copy of the connector's secrets, sent as the request's {@code secrets}. */
  ObjectNode secrets() {
    return secrets.deepCopy();
  }

  /** Time kept after each call to write its response into the destination. */
  public Duration applyMargin() {
    return applyMargin;
  }

  /** The engine's configuration; its {@code callTimeout} is the tick's time budget. */
  public EngineConfig engine() {
    return engine;
  }

  @Override
  public String toString() {
    return "ScheduledConfig{connection=" + connection + ", password="
        + (destinationPassword == null ? "none" : "***") + ", secrets=" + names(secrets)
        + ", applyMargin=" + applyMargin + "}";
  }

  private static String names(ObjectNode node) {
    StringBuilder s = new StringBuilder("[");
    node.fieldNames().forEachRemaining(n -> s.append(s.length() > 1 ? ", " : "").append(n));
    return s.append(']').toString();
  }

  /** The value of {@code inline}, or the contents of the file {@code fileVariable} names. */
  private static Optional<String> oneOf(Map<String, String> env, String inline, String fileVariable) {
    // Blank counts as unset: templates pass "" for a setting they leave out.
    String value = blankToNull(env.get(inline));
    String file = blankToNull(env.get(fileVariable));
    if (value != null && file != null) {
      throw new IllegalArgumentException("both " + inline + " and " + fileVariable
          + " are set: keep one");
    }
    if (file == null) {
      return Optional.ofNullable(value);
    }
    try {
      return Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(fileVariable + " names " + file
          + ", which cannot be read (" + e.getClass().getSimpleName() + "): mount the file there"
          + " or point " + fileVariable + " at it");
    }
  }

  private static ObjectNode parseSecrets(String text, String from) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      // The parser's message quotes the text, which is secret: keep only where it broke.
      throw new IllegalArgumentException(from + " is not JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
          + "): give the connector's secrets as one JSON object");
    }
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalArgumentException(from + " is not a JSON object: give the connector's"
          + " secrets as one JSON object, e.g. {\"apiToken\": \"...\"}");
    }
    return object;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Secret files usually end with a newline that is not part of the password. */
  private static String stripNewline(String s) {
    return s.endsWith("\r\n") ? s.substring(0, s.length() - 2)
        : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  /** Builds a {@link ScheduledConfig}. */
  public static final class Builder {
    private String destinationUrl;
    private String destinationPassword;
    private String connection = "default";
    private ObjectNode secrets = JSON.createObjectNode();
    private Duration applyMargin = Duration.ofSeconds(10);
    private EngineConfig engine = EngineConfig.defaults();

    private Builder() {}

    /** Where rows and state go: {@code postgresql://user@host:port/database?schema=name}. */
    public Builder destinationUrl(String url) {
      this.destinationUrl = Objects.requireNonNull(url, "destinationUrl == null");
      return this;
    }

    /** The destination's password, kept out of the URL. Default: none, or the URL's. */
    public Builder destinationPassword(String password) {
      this.destinationPassword = Objects.requireNonNull(password, "destinationPassword == null");
      return this;
    }

    /** The connection's name in the destination. Default {@code default}. */
    public Builder connection(String name) {
      if (Objects.requireNonNull(name, "connection == null").isBlank()) {
        throw new IllegalArgumentException("connection is blank: name the connection ("
            + CONNECTION + ")");
      }
      this.connection = name;
      return this;
    }

    /** The connector's secrets, as Fivetran would send them. Default none. */
    public Builder secrets(ObjectNode secrets) {
      this.secrets = Objects.requireNonNull(secrets, "secrets == null").deepCopy();
      return this;
    }

    /**
     * Time kept after each call, before the tick's deadline, to write the call's rows and state
     * into the destination; each call's deadline is the tick's minus this. Default 10 s.
     */
    public Builder applyMargin(Duration margin) {
      if (Objects.requireNonNull(margin, "applyMargin == null").isNegative()) {
        throw new IllegalArgumentException("applyMargin < 0: " + margin + " (" + APPLY_MARGIN + ")");
      }
      this.applyMargin = margin;
      return this;
    }

    /** The engine's configuration. Default {@link EngineConfig#defaults()}. */
    public Builder engine(EngineConfig engine) {
      this.engine = Objects.requireNonNull(engine, "engine == null");
      return this;
    }

    public ScheduledConfig build() {
      if (destinationUrl == null) {
        throw new IllegalStateException("destinationUrl is not set (" + DESTINATION_URL + ")");
      }
      return new ScheduledConfig(this);
    }
  }
}
