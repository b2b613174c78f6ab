package dev.tributary.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.tributary.Connector;
import dev.tributary.EngineConfig;
import dev.tributary.FunctionHandler;
import dev.tributary.StagingStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.crac.Core;
import org.crac.Resource;

/**
 * The AWS Lambda entry point of a Tributary connector. Fivetran invokes the function directly
 * through the AWS SDK, so the event is the raw request JSON and the bytes written are the
 * response; the deadline is the invocation's remaining time.
 *
 * <p>Two ways to give it your connector:
 * <ul>
 *   <li>use this class as the handler ({@code dev.tributary.aws.TributaryLambdaHandler::handleRequest})
 *       and register the connector in {@code META-INF/services/dev.tributary.Connector}; or
 *   <li>subclass it with a public no-argument constructor that calls
 *       {@code super(new MyConnector())}, and use the subclass as the handler.
 * </ul>
 *
 * <p>Sync through S3 ({@code CLOUD_STORAGE}): with {@code tributary-aws-lambda-s3} on the
 * classpath, requests carrying {@code bucket} and {@code file} write their rows to that object and
 * answer with only the state; without it they fail with a message naming the module to add.
 *
 * <p>SnapStart: before the snapshot the handler primes the engine's JSON and paging code on a
 * built-in connector (never yours) and closes the S3 client; secrets only ever live inside a call,
 * so nothing secret or connection-bound is in the snapshot.
 *
 * <p>Configuration comes from {@code TRIBUTARY_*} environment variables (see {@link EngineConfig});
 * a bad value fails the function's initialisation with a message naming the variable. Lambda runs
 * one invocation at a time per instance.
 */
public class TributaryLambdaHandler implements RequestStreamHandler, Resource {
  private final FunctionHandler handler;
  private final Staging staging = new Staging();

  /** Finds the connector with {@link ServiceLoader}. */
  public TributaryLambdaHandler() {
    this(Connector.load());
  }

  /** For a subclass that passes its connector; configuration from the environment. */
  protected TributaryLambdaHandler(Connector connector) {
    this(connector, EngineConfig.fromEnvironment());
  }

  /** For a subclass that passes its connector and configuration. */
  protected TributaryLambdaHandler(Connector connector, EngineConfig config) {
    this.handler = new FunctionHandler(connector, config, staging);
    Core.getGlobalContext().register(this);
  }

  @Override
  public final void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    Instant deadline = Instant.now().plusMillis(Math.max(0, context.getRemainingTimeInMillis()));
    handler.handle(input, output, deadline);
  }

  /** SnapStart: warm the engine, and let the S3 store drop its client before the snapshot. */
  @Override
  public void beforeCheckpoint(org.crac.Context<? extends Resource> context) throws Exception {
    handler.prime();
    StagingStore store = staging.get(); // found now, so a restored snapshot does not look again
    if (store instanceof Resource) {
      ((Resource) store).beforeCheckpoint(context);
    }
  }

  @Override
  public void afterRestore(org.crac.Context<? extends Resource> context) throws Exception {
    StagingStore store = staging.found();
    if (store instanceof Resource) {
      ((Resource) store).afterRestore(context);
    }
  }

  /** True if requests may sync through S3 (the S3 module is on the classpath). */
  public final boolean canSyncThroughS3() {
    return staging.get() != null;
  }

  /**
   * The {@link StagingStore} on the classpath, looked for on the first sync through S3 (or
   * {@link #canSyncThroughS3}, or a SnapStart checkpoint), not at start-up: {@link ServiceLoader}
   * reads every jar of the function to find it, tens of milliseconds of a cold start that a
   * direct sync does not need. Lambda runs one invocation at a time per instance.
   */
  private static final class Staging implements Supplier<StagingStore> {
    private boolean looked;
    private StagingStore store;

    @Override
    public synchronized StagingStore get() {
      if (!looked) {
        List<StagingStore> found = new ArrayList<>();
        for (StagingStore s : ServiceLoader.load(StagingStore.class)) {
          found.add(s);
        }
        if (found.size() > 1) {
          throw new IllegalStateException("several StagingStore implementations on the classpath: "
              + found + "; keep one (tributary-aws-lambda-s3)");
        }
        store = found.isEmpty() ? null : found.get(0);
        looked = true;
      }
      return store;
    }

    /** The store if it was already looked for, without looking. */
    synchronized StagingStore found() {
      return store;
    }
  }
}
