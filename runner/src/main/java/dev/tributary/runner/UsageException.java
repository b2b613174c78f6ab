package dev.tributary.runner;

/**
 * Input the user must fix — a file that is not JSON, a path that does not exist, a runtime not
 * built — reported as one line and exit code 64, never a stack trace.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
