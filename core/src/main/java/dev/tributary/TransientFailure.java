package dev.tributary;

/**
 * Marks an exception from {@link Connector#read} that says the source cannot answer for now —
 * rate limited, unavailable, or retries would run past the call's deadline — as opposed to a
 * request it will never accept.
 *
 * <p>If the call has already collected rows, the engine answers with them and
 * {@code hasMore: true} (their positions make a consistent checkpoint) instead of failing the
 * call and discarding the work; otherwise the call fails and Fivetran retries it from the last
 * state. Implement it on your {@link java.io.IOException} subclass; the HTTP toolkit's
 * {@code SourceUnavailableException} does.
 */
public interface TransientFailure {}
