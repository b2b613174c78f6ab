package dev.tributary.aws;

import dev.tributary.testing.AdapterContract;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The adapter contract through the real AWS Lambda Java runtime interface client: a separate JVM
 * runs {@code dev.tributary.aws.TributaryLambdaHandler::handleRequest} by its handler string,
 * fetching invocations from a Runtime API on loopback, exactly as in a Lambda container.
 */
class RuntimeInterfaceClientContractTest extends AdapterContract {
  static LoopbackRuntimeApi api;
  static Process runtime;
  static Path output;

  @BeforeAll
  static void startRuntime() throws Exception {
    api = new LoopbackRuntimeApi();
    output = Files.createTempFile("ric-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
    command.add("dev.tributary.aws.TributaryLambdaHandler::handleRequest");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    pb.environment().put("AWS_LAMBDA_RUNTIME_API", api.address());
    pb.environment().put("AWS_LAMBDA_FUNCTION_NAME", "tributary");
    pb.environment().put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
    pb.environment().put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    pb.environment().put("LAMBDA_TASK_ROOT", new File(".").getAbsolutePath());
    runtime = pb.start();
  }

  @AfterAll
  static void stopRuntime() throws Exception {
    if (runtime != null) {
      runtime.destroy();
      if (!runtime.waitFor(10, TimeUnit.SECONDS)) {
        runtime.destroyForcibly();
      }
    }
    if (api != null) {
      api.close();
    }
  }

  @Override
  protected Reply invoke(byte[] request) throws Exception {
    try {
      return new Reply(-1, null, api.invoke(request, 60, runtime));
    } catch (Exception e) {
      throw new AssertionError("runtime interface client output:\n" + Files.readString(output), e);
    }
  }
}
