package dev.tributary.azure;

import com.microsoft.azure.functions.HttpMethod;
import dev.tributary.testing.AdapterContract;
import java.util.Map;

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

  @Override
  protected Reply invokeHttp(HttpCase c) {
    Map<String, String> headers = c.contentType() == null ? Map.of()
        : Map.of("content-type", c.contentType());
    FakeHttpRequest.Response response = (FakeHttpRequest.Response) function.run(
        new FakeHttpRequest(HttpMethod.valueOf(c.method()), headers, c.body()),
        new FakeExecutionContext());
    return new Reply(response.getStatusCode(), response.getHeader("Content-Type"),
        response.getHeader("Allow"), response.bytes());
  }
}
