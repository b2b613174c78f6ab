package dev.tributary.internal;

import java.io.IOException;

/** The source failed while the connector was reading it (an {@link IOException} from the connector). */
public final class SourceFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SourceFailure(String table, IOException cause) {
    super((table == null ? "source" : "reading " + table) + " failed: " + describe(cause), cause);
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
