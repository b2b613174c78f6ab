package dev.tributary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code state.json}: the state Fivetran would keep for the connection. Missing means {@code {}}
 * (a first, historical sync). Written atomically — a temporary file moved over the old one — so
 * a crash leaves either the old state or the new, never half of one.
 */
final class StateFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path path;

  StateFile(Path path) {
    this.path = path;
  }

  Path path() {
    return path;
  }

  ObjectNode read() throws IOException {
    if (!Files.exists(path)) {
      return JSON.createObjectNode();
    }
    JsonNode n;
    try {
      n = JSON.readTree(path.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
      throw new UsageException(path + " is not valid JSON"
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + ": " + e.getOriginalMessage().lines().findFirst().orElse("")
          + "; fix it (tributary state --set <file> replaces it), or run `tributary reset` to"
          + " start over");
    }
    if (n == null || !n.isObject()) {
      throw new IOException(path + " does not hold a JSON object; fix it, or run"
          + " `tributary reset` to start over");
    }
    return (ObjectNode) n;
  }

  void write(JsonNode state) throws IOException {
    Files.createDirectories(path.toAbsolutePath().getParent());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
    try {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  void delete() throws IOException {
    Files.deleteIfExists(path);
  }
}
