/**
 * The engine behind {@link dev.tributary.FunctionHandler}: request decoding, the sync loop, state
 * and its codec, the response. Not an API: nothing outside tributary-core may use these types
 * (a build check in {@code connector-it} fails when one does), and they change without notice.
 *
 * <p>Failures are named after the outcome the caller answers with: {@link ProtocolFailure} and
 * {@link ConfigurationFailure} are bad requests (fix the request or the function's setup),
 * {@link ConnectorFailure} is a bug in the connector, {@link SourceFailure} and
 * {@link StagingFailure} are failures of the source or the staging bucket, which Fivetran
 * retries from the last accepted state.
 */
package dev.tributary.internal;
