package dev.tributary.http;

import dev.tributary.Secrets;
import dev.tributary.TableRead;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * The front door: the container's shared {@link OkHttpClient}, and requests tagged with what the
 * interceptors need from the current call (its deadline and its secrets).
 *
 * <pre>{@code
 * // once per container (a field of the connector):
 * ApiClient api = ApiClient.builder(Http.client()).auth(Auth.bearer("apiToken")).build();
 * // per read:
 * Request r = Http.request(read).url(url).build();
 * }</pre>
 */
public final class Http {
  /** Connect timeout of {@link #client()}. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Read and write timeout of {@link #client()}: the longest silence within one response. */
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private Http() {}

  private static final class Holder {
    static final OkHttpClient CLIENT = new OkHttpClient.Builder()
        .connectTimeout(CONNECT_TIMEOUT)
        .readTimeout(READ_TIMEOUT)
        .writeTimeout(READ_TIMEOUT)
        // Retries are the RetryInterceptor's, under the call's deadline; OkHttp's own silent
        // retry of a failed connection stays on (it only re-sends requests that never left).
        .retryOnConnectionFailure(true)
        .build();
  }

  /**
   * The one {@link OkHttpClient} of this container: its connection pool and threads are shared by
   * every client derived from it with {@link OkHttpClient#newBuilder()}. Timeouts: connect
   * {@link #CONNECT_TIMEOUT}, read and write {@link #READ_TIMEOUT}; no interceptors (add them on a
   * derived client, or use {@link ApiClient}).
   */
  public static OkHttpClient client() {
    return Holder.CLIENT;
  }

  /**
   * A request builder tagged with the read's deadline (so retries never wait past it) and secrets
   * (so authentication interceptors can read them and log lines and errors can be redacted), and
   * with its {@code sync_id}, which every log line about the request carries.
   */
  public static Request.Builder request(TableRead read) {
    Request.Builder b = request(read.secrets(), read.deadline());
    // Log lines carry the call's sync_id even when the request runs on another thread.
    read.syncId().ifPresent(id -> b.tag(Describe.SyncId.class, new Describe.SyncId(id)));
    return b;
  }

  /** As {@link #request(TableRead)}, for {@code Connector.test} or other calls outside a read. */
  public static Request.Builder request(Secrets secrets, Instant deadline) {
    return tag(new Request.Builder(), secrets, deadline);
  }

  /** Tags an existing builder with the secrets and deadline; returns it. */
  public static Request.Builder tag(Request.Builder builder, Secrets secrets, Instant deadline) {
    return builder
        .tag(Secrets.class, Objects.requireNonNull(secrets, "secrets"))
        .tag(Deadline.class, Deadline.at(deadline));
  }
}
