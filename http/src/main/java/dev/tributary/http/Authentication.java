package dev.tributary.http;

import java.util.List;
import okhttp3.Interceptor;

/**
 * An interceptor that authenticates requests with credentials from the request's
 * {@link dev.tributary.Secrets} tag (see {@link Http#request(dev.tributary.TableRead)}). Made by
 * {@link Auth}; {@link ApiClient} uses {@link #secretNames()} to say which secrets a 401 or 403
 * rejected.
 *
 * <p>Implementations never put a secret value in {@code toString()}, a log line or an exception
 * message. A request without a {@code Secrets} tag fails with {@link IllegalStateException}; a
 * missing secret with {@link dev.tributary.MissingSecretException} (a configuration error).
 */
public interface Authentication extends Interceptor {
  /** The secrets this reads, qualified for messages: {@code ["secrets.apiToken"]}. */
  List<String> secretNames();
}
