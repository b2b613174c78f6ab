package dev.tributary.runner;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary serve}: the built connector in the real runtime of a cloud, on a loopback port,
 * until interrupted — the local stand-in for {@code sam local} or a deployed function where there
 * is no Docker. {@code --gcp} runs the Google Functions Framework invoker (call it with
 * {@code sync --url}); {@code --lambda} runs the AWS Lambda runtime interface client against a
 * loopback Runtime API and answers the Lambda Invoke API on the port.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run the built connector as its cloud would, on a loopback port, until Ctrl-C:"
        + " --gcp in the Google Functions Framework invoker, --lambda in the AWS Lambda runtime"
        + " interface client (answering the Lambda Invoke API). Then: tributary sync --url <printed url>.",
        "The function's output goes to <dir>/function.log."})
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--gcp", description = "The Google Functions Framework invoker.")
  boolean gcp;

  @Option(names = "--lambda", description = "The AWS Lambda runtime interface client.")
  boolean lambda;

  @Option(names = "--classpath", required = true, paramLabel = "<jars>",
      description = "Your built jar (e.g. target/<connector>-gcp.jar or -lambda.jar).")
  String classpath;

  @Option(names = "--port", defaultValue = "0", paramLabel = "<port>",
      description = "Loopback port to listen on (default: a free one, printed).")
  int port;

  @Option(names = "--gcp-function", paramLabel = "<class>",
      description = "The HttpFunction to serve (default: " + GcpInvoker.DEFAULT_FUNCTION + ").")
  String gcpFunction;

  @Option(names = "--lambda-handler", paramLabel = "<pkg.Class::handleRequest>",
      description = "The handler to run (default: " + LambdaRuntime.DEFAULT_HANDLER + ").")
  String lambdaHandler;

  @Option(names = "--call-timeout", defaultValue = "60s", paramLabel = "<duration>",
      description = "Deadline of each Lambda invocation (default: ${DEFAULT-VALUE}).")
  String callTimeout;

  @Option(names = "--env", paramLabel = "<NAME=VALUE>",
      description = "An environment variable for the function. Repeatable.")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--dir", defaultValue = ".", paramLabel = "<dir>",
      description = "Folder for function.log (default: ${DEFAULT-VALUE}).")
  Path dir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Test hook: counted down once the server listens; the command then waits for {@link #stop}. */
  final CountDownLatch stop = new CountDownLatch(1);
  volatile String listening;

  @Override
  public Integer call() throws Exception {
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
        StandardCharsets.UTF_8);
    if (gcp == lambda) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "choose the runtime: --gcp or --lambda");
    }
    if (gcpFunction != null && !gcp || lambdaHandler != null && !lambda) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--gcp-function goes with --gcp, --lambda-handler with --lambda");
    }
    try {
      UserCodeLoader.of(classpath, ServeCommand.class.getClassLoader());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Files.createDirectories(dir);
    Path log = dir.resolve("function.log");
    Duration timeout = Main.durationOf("--call-timeout", callTimeout);
    if (gcp) {
      String function = gcpFunction != null ? gcpFunction : GcpInvoker.DEFAULT_FUNCTION;
      try (GcpInvoker invoker = GcpInvoker.start(classpath, function, port, env, log)) {
        announce(out, "Functions Framework invoker serving " + function, invoker.url().toString(), log);
        waitUntilStopped(invoker::waitFor);
      }
    } else {
      String handler = lambdaHandler != null ? lambdaHandler : LambdaRuntime.DEFAULT_HANDLER;
      try (LambdaRuntime rt = LambdaRuntime.start(classpath, handler, env, log)) {
        int p = rt.serveInvokeApi(port, timeout);
        announce(out, "Lambda runtime interface client running " + handler,
            "http://127.0.0.1:" + p + LambdaRuntime.INVOKE_PATH + "function/invocations", log);
        waitUntilStopped(rt::waitFor);
      }
    }
    return 0;
  }

  private void announce(PrintStream out, String what, String url, Path log) {
    listening = url;
    out.println(what + " at " + url);
    out.println("sync it: tributary sync --url " + url + " --secrets <file>; function output: " + log);
    out.println("stop with Ctrl-C");
  }

  interface Waiter {
    int waitFor() throws InterruptedException;
  }

  /** Until the runtime exits, the test hook fires, or the JVM is interrupted (Ctrl-C). */
  private void waitUntilStopped(Waiter runtime) throws InterruptedException {
    Thread waiter = new Thread(() -> {
      try {
        runtime.waitFor();
      } catch (InterruptedException ignored) {
        // stopping
      }
      stop.countDown();
    }, "tributary-serve-wait");
    waiter.setDaemon(true);
    waiter.start();
    stop.await();
  }
}
