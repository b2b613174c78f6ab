package dev.tributary.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.tributary.Connector;
import java.util.Optional;

/**
 * The Azure function Fivetran calls: {@code POST https://<app>.azurewebsites.net/api/fivetran}
 * with the function key ({@code ?code=} or {@code x-functions-key}), serving the one connector
 * registered with {@link java.util.ServiceLoader} ({@link Connector#load()}).
 *
 * <p>Two ways to deploy a connector:
 * <ol>
 *   <li><b>Use this function.</b> Put the connector's jar, with its
 *       {@code META-INF/services/dev.tributary.Connector} file naming the connector class, on this
 *       app's classpath (a runtime dependency of the function app's Maven project, so the
 *       packaging copies it into {@code lib/}). The function is named {@code fivetran}.
 *   <li><b>Write your own function class</b> in your app, when you want another name or to build
 *       the connector yourself. The {@code azure-functions-maven-plugin} finds functions by
 *       scanning the app's own classes, so declare it there:
 *       <pre>
 * public class OrdersFunction {
 *   private static final AzureAdapter ADAPTER = new AzureAdapter(new OrdersConnector());
 *
 *   {@literal @}FunctionName("orders")
 *   public HttpResponseMessage run({@literal @}HttpTrigger(name = "req", methods = {HttpMethod.POST},
 *       authLevel = AuthorizationLevel.FUNCTION, dataType = "binary")
 *       HttpRequestMessage&lt;Optional&lt;byte[]&gt;&gt; request, ExecutionContext context) {
 *     return ADAPTER.handle(request, context);
 *   }
 * }</pre>
 * </ol>
 *
 * <p>The connector and the engine are set up once per instance, on the first call; a missing
 * connector or a bad {@code TRIBUTARY_*} variable fails that call with a message saying what to
 * fix. {@code dataType = "binary"} hands the body over as the bytes Fivetran sent, undecoded.
 */
public class FivetranFunction {
  private static final class Holder {
    static final AzureAdapter ADAPTER = new AzureAdapter(Connector.load());
  }

  /** Serves one of Fivetran's calls; the Java worker creates this class and calls it. */
  @FunctionName("fivetran")
  public HttpResponseMessage run(
      @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
          dataType = "binary") HttpRequestMessage<Optional<byte[]>> request,
      final ExecutionContext context) {
    return Holder.ADAPTER.handle(request, context);
  }
}
