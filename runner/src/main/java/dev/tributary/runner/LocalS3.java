package dev.tributary.runner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * S3Proxy — a real S3-compatible server, the one the tests use — over an in-memory store, in its
 * own JVM, for Fivetran's sync through S3: the function writes each call's rows to the object the
 * request names, through its own AWS SDK client, and the runner reads the object back.
 *
 * <p>It accepts any credentials (authorization {@code none}): a local store with throw-away data.
 * {@link #environment()} is what points an unchanged Lambda function at it: the standard AWS SDK
 * settings ({@code AWS_ENDPOINT_URL_S3}, region, dummy credentials) and the S3 module's
 * {@code TRIBUTARY_S3_ENDPOINT}/{@code TRIBUTARY_S3_PATH_STYLE}.
 */
final class LocalS3 implements AutoCloseable {
  static final String BUCKET = "tributary-local-staging";
  private static final String MAIN = "org.gaul.s3proxy.Main";

  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LocalS3(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts S3Proxy on a free loopback port with an empty {@value #BUCKET}; output to {@code log}. */
  static LocalS3 start(Path log) throws IOException {
    int port = Runtimes.freePort();
    Path properties = Files.createTempFile("tributary-s3proxy-", ".properties");
    properties.toFile().deleteOnExit();
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=none",
        "jclouds.provider=transient",
        "jclouds.identity=local",
        "jclouds.credential=local", ""));
    Process p = Runtimes.start(List.of(Runtimes.java(), "-cp", Runtimes.classpath(Runtimes.S3PROXY),
        MAIN, "--properties", properties.toString()), Map.of(), log);
    LocalS3 s3 = new LocalS3(p, port);
    try {
      Runtimes.awaitPort(port, p, Duration.ofSeconds(60), "S3Proxy", log);
      HttpResponse<String> r = s3.send(HttpRequest.newBuilder(s3.uri(""))
          .PUT(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("S3Proxy refused to create bucket " + BUCKET + " (HTTP "
            + r.statusCode() + "): " + r.body());
      }
    } catch (IOException | RuntimeException e) {
      s3.close();
      throw e;
    }
    return s3;
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The environment that points an AWS SDK v2 S3 client at this server. */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_ENDPOINT_URL_S3", endpoint());
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ACCESS_KEY_ID", "tributary-local");
    env.put("AWS_SECRET_ACCESS_KEY", "tributary-local-secret");
    env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
    env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
    env.put("TRIBUTARY_S3_ENDPOINT", endpoint());
    env.put("TRIBUTARY_S3_PATH_STYLE", "true");
    return env;
  }

  /**
   * The same settings as JVM system properties, for a handler run inside the runner (a process
   * cannot change its own environment); the AWS SDK reads these too.
   */
  Map<String, String> systemProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("aws.endpointUrlS3", endpoint());
    p.put("aws.region", "us-east-1");
    p.put("aws.accessKeyId", "tributary-local");
    p.put("aws.secretAccessKey", "tributary-local-secret");
    p.put("aws.requestChecksumCalculation", "when_required");
    p.put("aws.responseChecksumValidation", "when_required");
    return p;
  }

  /** The object's bytes, or null when there is none under {@code key}. */
  byte[] get(String key) throws IOException {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(key)).GET(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 404) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new IOException("reading s3://" + BUCKET + "/" + key + " from S3Proxy failed (HTTP "
          + r.statusCode() + ")");
    }
    return r.body();
  }

  private URI uri(String key) {
    return URI.create(endpoint() + "/" + BUCKET + (key.isEmpty() ? "" : "/" + key));
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> h)
      throws IOException {
    try {
      return http.send(b.timeout(Duration.ofSeconds(30)).build(), h);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    Runtimes.stop(process);
  }
}
