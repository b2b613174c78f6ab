package dev.tributary.azure;

import dev.tributary.testing.AdapterContract;

/**
 * The Azure function answers every contract fixture as the core does, with the connector found by
 * {@code ServiceLoader} exactly as a deployed app finds a user's.
 */
class AzureContractTest extends AdapterContract {
  private final FivetranFunction function = new FivetranFunction();

  @Override
  protected Reply invoke(byte[] request) {
    FakeHttpRequest.Response response = (FakeHttpRequest.Response)
        function.run(FakeHttpRequest.post(request), new FakeExecutionContext());
    return new Reply(response.getStatusCode(), response.getHeader("Content-Type"), response.bytes());
  }
}
