package dev.tributary.http;

/**
 * A request tag declaring a non-idempotent request (POST, PATCH) safe to send again, e.g. a search
 * endpoint that only reads, or a call with an idempotency key:
 *
 * <pre>{@code
 * new Request.Builder().post(body).tag(RetrySafe.class, RetrySafe.YES)
 * }</pre>
 *
 * Without it the {@link RetryInterceptor} retries only GET, HEAD, OPTIONS, PUT, DELETE and TRACE.
 */
public enum RetrySafe {
  YES
}
