package dev.tributary.destination.internal;

import dev.tributary.destination.DestinationException;
import dev.tributary.destination.DestinationOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A PostgreSQL destination URL taken apart: where to connect, as whom, which schema — with the
 * password kept apart from everything that is ever printed.
 *
 * <p>Forms: {@code postgresql://[user[:password]@]host[:port]/database[?schema=s&…]}, the same
 * with {@code postgres://} or {@code jdbc:postgresql://}. {@code user} and {@code password} may
 * also be query parameters; other parameters ({@code sslmode}, …) go to pgjdbc as they are.
 */
record PostgresUrl(String jdbcUrl, String user, List<String> secrets, String schema,
    Properties properties, String shown) {
  static final String DEFAULT_SCHEMA = "public";

  static boolean accepts(String url) {
    return url.startsWith("postgresql://") || url.startsWith("postgres://")
        || url.startsWith("jdbc:postgresql://");
  }

  static PostgresUrl parse(String url, DestinationOptions options) {
    String u = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
    URI uri;
    try {
      uri = new URI(u);
    } catch (URISyntaxException e) {
      // The exception's message repeats the URL, password and all: only its reason is kept.
      throw new DestinationException("the PostgreSQL destination URL is not a valid URL ("
          + e.getReason() + "); percent-encode special characters in the user and password, or"
          + " give the password with DestinationOptions.password");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new DestinationException("the PostgreSQL destination URL names no host: use"
          + " postgresql://user@host:port/database");
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw new DestinationException("the PostgreSQL destination URL names no database: use"
          + " postgresql://user@host:port/database");
    }
    String user = null;
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    String schema = DEFAULT_SCHEMA;
    Properties props = new Properties();
    List<String> shownParams = new ArrayList<>();
    List<String> secrets = new ArrayList<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        switch (key) {
          case "schema":
            schema = value;
            break;
          case "user":
            user = value;
            break;
          case "password":
            password = value;
            break;
          default:
            props.setProperty(key, value);
            // sslpassword and the like are as secret as the password itself.
            boolean secret = key.toLowerCase(java.util.Locale.ROOT).contains("password");
            if (secret && !value.isEmpty()) {
              secrets.add(value);
            }
            shownParams.add(key + "=" + (secret ? "***" : value));
        }
      }
    }
    if (password == null) {
      password = options.password().orElse(null);
    }
    if (schema.isEmpty() || schema.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new DestinationException("schema \"" + schema + "\" is not usable: give ?schema= 1 to"
          + " 63 bytes");
    }
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
      if (!password.isEmpty()) {
        secrets.add(password);
      }
    }
    props.putIfAbsent("ApplicationName", "tributary");
    String hostPort = host + ":" + port;
    String jdbc = "jdbc:postgresql://" + hostPort + "/" + encode(database);
    StringBuilder shown = new StringBuilder("postgresql://");
    if (user != null) {
      shown.append(encode(user)).append(password != null ? ":***" : "").append('@');
    }
    shown.append(hostPort).append('/').append(encode(database)).append("?schema=")
        .append(encode(schema));
    for (String p : shownParams) {
      shown.append('&').append(p);
    }
    return new PostgresUrl(jdbc, user, List.copyOf(secrets), schema, props, shown.toString());
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The text without the password, plain or percent-encoded. */
  String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : secrets) {
      String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
      out = out.replace(secret, "***").replace(encoded, "***")
          .replace(encoded.replace("+", "%20"), "***");
    }
    return out;
  }

  @Override
  public String toString() {
    return shown;
  }
}
