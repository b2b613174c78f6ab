package dev.tributary.cache.valkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} against an own TLS-only {@code redis-server} with a throwaway CA and a
 * certificate for {@code localhost} made by {@code openssl}; the client trusts that CA only.
 */
class ValkeyTlsTest {
  static final String PASSWORD = "tls-Pa55-" + System.nanoTime();
  @TempDir static Path dir;
  static LocalRedisServer server;
  static SSLSocketFactory trustingTestCa;

  @BeforeAll
  static void startTlsServer() throws Exception {
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost\n");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=tributary-test-ca");
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.ext");
    server = LocalRedisServer.withTls(PASSWORD, dir.resolve("server.crt"),
        dir.resolve("server.key"), dir.resolve("ca.crt"));
    trustingTestCa = trusting(dir.resolve("ca.crt"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + args[0] + " failed");
    }
  }

  private static SSLSocketFactory trusting(Path caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context.getSocketFactory();
  }

  private static ValkeyCacheBackend backend(String host, SSLSocketFactory factory) {
    return new ValkeyCacheBackend(ValkeyClient.open(
        URI.create("rediss://:" + PASSWORD + "@" + host + ":" + server.port), factory));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anEntryRoundTripsOverTlsWithAPassword() throws Exception {
    try (ValkeyCacheBackend backend = backend("localhost", trustingTestCa)) {
      backend.write("acct/k", utf8("over tls"), "h", 60);
      assertArrayEquals(utf8("over tls"), backend.read("acct/k").orElseThrow().envelope());
    }
  }

  @Test
  void aCertificateForAnotherHostNameIsRefused() {
    try (ValkeyCacheBackend backend = backend("127.0.0.1", trustingTestCa)) {
      IOException e = assertThrows(IOException.class, () -> backend.read("acct/k"));
      assertTrue(e.getMessage().contains("127.0.0.1:" + server.port), e.getMessage());
      assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT)
          .contains("subject alternative name"), "refused for the host name: " + e.getMessage());
      assertFalse(ValkeyConnectionTest.stackTrace(e).contains(PASSWORD));
    }
  }

  @Test
  void anUntrustedCertificateIsRefused() {
    try (ValkeyCacheBackend backend = backend("localhost", null)) {
      IOException e = assertThrows(IOException.class, () -> backend.read("acct/k"));
      assertFalse(ValkeyConnectionTest.stackTrace(e).contains(PASSWORD));
    }
  }
}
