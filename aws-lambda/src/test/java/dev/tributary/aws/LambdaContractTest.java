package dev.tributary.aws;

import dev.tributary.testing.AdapterContract;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

/** The adapter contract through {@link TributaryLambdaHandler}, as Lambda calls a stream handler. */
class LambdaContractTest extends AdapterContract {
  private final TributaryLambdaHandler handler = new TributaryLambdaHandler();

  @Override
  protected Reply invoke(byte[] request) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(request), out, new LocalContext(Duration.ofSeconds(60)));
    return new Reply(-1, null, out.toByteArray());
  }
}
