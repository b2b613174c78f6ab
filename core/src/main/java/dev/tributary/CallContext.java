package dev.tributary;

import java.util.Optional;

/**
 * The {@code sync_id} of the call this thread is serving, so that every log line written during
 * the call — the engine's, the HTTP toolkit's, the cache's — carries it without each component
 * being handed it (a connector has it on {@link TableRead#syncId()}). Set by {@code FunctionHandler.handle} for the duration of one call and cleared
 * after it; a thread the connector starts itself does not inherit it (pass
 * {@code TableRead.syncId()} along instead).
 */
public final class CallContext {
  private static final ThreadLocal<String> SYNC_ID = new ThreadLocal<>();

  private CallContext() {}

  /** The current call's {@code sync_id} (already redacted); empty outside a call or when none was sent. */
  public static Optional<String> syncId() {
    return Optional.ofNullable(SYNC_ID.get());
  }

  /** Runs {@code work} with {@code syncId} as the current call's, restoring the previous one after. */
  static <T, E extends Exception> T with(String syncId, Work<T, E> work) throws E {
    String previous = SYNC_ID.get();
    SYNC_ID.set(syncId);
    try {
      return work.run();
    } finally {
      if (previous == null) {
        SYNC_ID.remove();
      } else {
        SYNC_ID.set(previous);
      }
    }
  }

  /** What {@link #with} runs. */
  @FunctionalInterface
  interface Work<T, E extends Exception> {
    T run() throws E;
  }
}
