package dev.tributary.azure;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Stands in for the Java worker's HTTP request: what a binary HTTP trigger receives, and a
 * response builder that keeps what the adapter sets, as the worker would send it.
 */
final class FakeHttpRequest implements HttpRequestMessage<Optional<byte[]>> {
  private final HttpMethod method;
  private final Map<String, String> headers;
  private final Optional<byte[]> body;

  FakeHttpRequest(HttpMethod method, Map<String, String> headers, byte[] body) {
    this.method = method;
    this.headers = Map.copyOf(headers);
    this.body = Optional.ofNullable(body);
  }

  /** A POST as Fivetran sends it (the Functions host passes header names in lower case). */
  static FakeHttpRequest post(byte[] body) {
    return new FakeHttpRequest(HttpMethod.POST, Map.of("content-type", "application/json"), body);
  }

  @Override
  public URI getUri() {
    return URI.create("https://tributary-fivetran.azurewebsites.net/api/fivetran");
  }

  @Override
  public HttpMethod getHttpMethod() {
    return method;
  }

  @Override
  public Map<String, String> getHeaders() {
    return headers;
  }

  @Override
  public Map<String, String> getQueryParameters() {
    return Map.of();
  }

  @Override
  public Optional<byte[]> getBody() {
    return body;
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new ResponseBuilder(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new ResponseBuilder(status);
  }

  /** A response as the worker would send it; header lookup ignores case, as HTTP does. */
  record Response(HttpStatusType getStatus, Map<String, String> headers, Object getBody)
      implements HttpResponseMessage {
    @Override
    public String getHeader(String name) {
      return headers.get(name);
    }

    byte[] bytes() {
      return (byte[]) getBody;
    }
  }

  private static final class ResponseBuilder implements HttpResponseMessage.Builder {
    private HttpStatusType status;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private Object body;

    ResponseBuilder(HttpStatusType status) {
      this.status = status;
    }

    @Override
    public HttpResponseMessage.Builder status(HttpStatusType status) {
      this.status = status;
      return this;
    }

    @Override
    public HttpResponseMessage.Builder header(String key, String value) {
      headers.put(key, value);
      return this;
    }

    @Override
    public HttpResponseMessage.Builder body(Object body) {
      this.body = body;
      return this;
    }

    @Override
    public HttpResponseMessage build() {
      Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      copy.putAll(headers);
      return new Response(status, copy, body);
    }
  }
}
