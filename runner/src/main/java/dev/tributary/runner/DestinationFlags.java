package dev.tributary.runner;

import dev.tributary.destination.ColumnType;
import dev.tributary.destination.Destination;
import dev.tributary.destination.DestinationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where a command's connection lives: the destination (the workspace's DuckDB file unless
 * {@code --destination} names another), the connection's name in it, where its password comes
 * from and declared column types. Shared by {@code sync}, {@code state}, {@code reset},
 * {@code query} and {@code test}.
 */
final class DestinationFlags {
  /** The environment variable the destination's password is read from unless --password-env. */
  static final String PASSWORD_ENV = "TRIBUTARY_DESTINATION_PASSWORD";

  @Option(names = "--destination", paramLabel = "<url>",
      description = "Where rows and state go: duckdb:PATH or postgresql://user@host:port/database"
          + "?schema=name (default: duckdb:<dir>/warehouse.db). Keep the password out of the"
          + " URL: put it in the environment variable --password-env names.")
  String url;

  @Option(names = "--connection", defaultValue = "default", paramLabel = "<name>",
      description = "The connection in the destination: its state row, its lease, the tables it"
          + " owns (default: ${DEFAULT-VALUE}).")
  String connection;

  @Option(names = "--password-env", defaultValue = PASSWORD_ENV, paramLabel = "<NAME>",
      description = "Environment variable holding the destination's password (default:"
          + " ${DEFAULT-VALUE}); never given on the command line, never printed.")
  String passwordEnv;

  @Option(names = "--column-type", paramLabel = "<table.column=TYPE>",
      description = "Declare a column's type instead of inferring it, e.g. files.content=BYTES or"
          + " prices.amount=DECIMAL; TYPE is one of BOOLEAN, INTEGER, BIG_INTEGER, DECIMAL,"
          + " TIMESTAMP, DATE, TEXT, JSON, BYTES. Repeatable.")
  Map<String, String> columnTypes = new LinkedHashMap<>();

  /** The URL the command uses: {@code --destination}, or the workspace's warehouse.db. */
  String url(Main.Workspace ws) {
    return url != null ? url : "duckdb:" + ws.warehouse();
  }

  /** The DuckDB file the URL names, or null for another kind of destination. */
  Path duckDbFile(Main.Workspace ws) {
    String u = url(ws);
    return u.startsWith("duckdb:") ? Path.of(u.substring("duckdb:".length())) : null;
  }

  /**
   * True if the destination certainly holds nothing yet: a DuckDB file that does not exist.
   * Read-only commands answer without creating it.
   */
  boolean absent(Main.Workspace ws) {
    Path file = duckDbFile(ws);
    return file != null && !Files.exists(file);
  }

  /** Checks the flags before anything starts; a usage error names the flag to fix. */
  DestinationOptions options(CommandLine.Model.CommandSpec spec, Function<String, String> env) {
    if (url != null && !(url.startsWith("duckdb:") || url.startsWith("postgresql://")
        || url.startsWith("postgres://") || url.startsWith("jdbc:postgresql://"))) {
      int colon = url.indexOf(':');
      // Only the scheme is repeated: the rest may hold a password.
      throw new CommandLine.ParameterException(spec.commandLine(), "--destination "
          + (colon > 0 && colon < 20 ? "with scheme " + url.substring(0, colon) + ":"
          : "without a scheme") + " is not supported: use duckdb:PATH or"
          + " postgresql://user@host:port/database?schema=name");
    }
    if (url != null && url.equals("duckdb:")) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--destination duckdb: names no file: use duckdb:PATH");
    }
    DestinationOptions.Builder b = DestinationOptions.builder();
    String password = env.apply(passwordEnv);
    if (password != null && !password.isEmpty()) {
      b.password(password);
    }
    for (Map.Entry<String, String> e : columnTypes.entrySet()) {
      int dot = e.getKey().indexOf('.');
      if (dot <= 0 || dot == e.getKey().length() - 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--column-type must be"
            + " table.column=TYPE, got '" + e.getKey() + "=" + e.getValue() + "'");
      }
      ColumnType type;
      try {
        type = ColumnType.valueOf(e.getValue().trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException bad) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--column-type "
            + e.getKey() + ": '" + e.getValue() + "' is not a type; use one of "
            + Arrays.toString(ColumnType.values()));
      }
      b.columnType(e.getKey().substring(0, dot), e.getKey().substring(dot + 1), type);
    }
    return b.build();
  }

  /** Opens the destination (creating a DuckDB file's folder first). */
  Destination open(Main.Workspace ws, CommandLine.Model.CommandSpec spec,
      Function<String, String> env) throws java.io.IOException {
    DestinationOptions options = options(spec, env);
    Path file = duckDbFile(ws);
    if (file != null && file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    return Destination.open(url(ws), options);
  }
}
