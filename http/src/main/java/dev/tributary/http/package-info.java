/**
 * The HTTP source toolkit: small OkHttp parts for connectors that call REST APIs.
 *
 * <pre>{@code
 * public final class IssuesConnector implements Connector {
 *   private final ApiClient api = ApiClient.builder(Http.client())
 *       .auth(Auth.bearer("apiToken")).build();           // retries + redacted log by default
 *   private final Pager pager = Pager.defaults();
 *
 *   public Page read(TableRead read) throws IOException {
 *     return pager.keyset(read, (from, limit) -> {
 *       HttpUrl.Builder url = HttpUrl.get("https://api.example.com/v1/issues").newBuilder()
 *           .addQueryParameter("limit", String.valueOf(limit));
 *       from.afterCursorInstant().ifPresent(c -> url.addQueryParameter("updated_since", c.toString()));
 *       from.afterTiebreakerNumber()
 *           .ifPresent(id -> url.addQueryParameter("after_id", id.toPlainString()));
 *       JsonNode body = api.execute(Http.request(read).url(url.build()).build(),
 *           r -> MAPPER.readTree(r.body().string()));
 *       return new Page(toRows(body.path("data")), body.path("has_more").asBoolean());
 *     });
 *   }
 * }
 * }</pre>
 *
 * <p>Failures reach the engine as {@link dev.tributary.http.SourceHttpException}s (IOExceptions):
 * the call fails with a {@code SourceError} and Fivetran retries from the last accepted state.
 */
package dev.tributary.http;
