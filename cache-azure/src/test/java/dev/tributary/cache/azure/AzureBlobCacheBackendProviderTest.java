package dev.tributary.cache.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URL parsing, settings and key layout: no server needed. */
class AzureBlobCacheBackendProviderTest {
  static final Map<String, String> ACCOUNT_KEY =
      Map.of("AZURE_STORAGE_ACCOUNT", "myaccount", "AZURE_STORAGE_KEY", LoopbackAzurite.KEY);

  final AzureBlobCacheBackendProvider provider = new AzureBlobCacheBackendProvider();

  @Test
  void servesTheAzScheme() {
    assertTrue(provider.supports("az"));
    assertTrue(provider.supports("AZ"));
    assertFalse(provider.supports("s3"));
  }

  @Test
  void containerAndPrefixComeFromTheUrl() {
    AzureBlobCacheBackend b = (AzureBlobCacheBackend) provider.create(
        URI.create("az://my-container/some/prefix/"), ACCOUNT_KEY);
    assertEquals("my-container", b.container());
    assertEquals("some/prefix/", b.prefix());
    assertEquals("object_store", b.name());
    assertEquals("some/prefix/h/accounts.json", b.objectName("h/accounts"));
    AzureBlobCacheBackend root = (AzureBlobCacheBackend) provider.create(
        URI.create("az://abc"), ACCOUNT_KEY);
    assertEquals("", root.prefix());
    assertEquals("h/k.json", root.objectName("h/k"));
    assertEquals("p/", ((AzureBlobCacheBackend) provider.create(URI.create("az://abc/p"),
        ACCOUNT_KEY)).prefix());
  }

  @Test
  void keysCannotLeaveThePrefix() {
    AzureBlobCacheBackend b = AzureBlobCacheBackend.of("c0n", "cache/", () -> null);
    assertEquals("cache/%2E%2E/%2E.json", b.objectName("../."));
    assertEquals("cache/a/%/b.json", b.objectName("a//b"));
    assertEquals("cache/acct/x%3Ay%20%C3%A9.json", b.objectName("acct/x:y é"));
    assertEquals("cache/a%5Cb%3Fc%23d.json", b.objectName("a\\b?c#d"));
    assertTrue(AzureBlobCacheBackend.of("c0n", "/p", () -> null).objectName("a/b").startsWith("p/"));
  }

  @Test
  void badUrlsFailNamingTheVariableWithoutEchoingSecrets() {
    for (String url : List.of("az:///prefix/", "az://user:secret@container/p/",
        "az://container:443/p/", "az://container/p/?sv=2020&sig=secret", "az://Bad_Name/p/",
        "az://ab/p/", "s3://container/p/")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> provider.create(URI.create(url), ACCOUNT_KEY), url);
      assertTrue(e.getMessage().contains("TRIBUTARY_CACHE_OBJECT_STORE_URL"), e.getMessage());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
  }

  @Test
  void missingOrBrokenCredentialsFailAtStartUpNamingTheVariablesWithoutEchoingThem() {
    URI url = URI.create("az://container/p/");
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> provider.create(url, Map.of()));
    assertTrue(none.getMessage().contains("AZURE_STORAGE_CONNECTION_STRING"), none.getMessage());
    assertTrue(none.getMessage().contains("AZURE_STORAGE_ACCOUNT"), none.getMessage());

    IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
        () -> provider.create(url, Map.of("AZURE_STORAGE_ACCOUNT", "myaccount")));
    assertTrue(half.getMessage().contains("AZURE_STORAGE_KEY"), half.getMessage());

    IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
        () -> provider.create(url, Map.of("AZURE_STORAGE_CONNECTION_STRING",
            "AccountName=x;AccountKey=topsecretvalue;Nonsense")));
    assertTrue(broken.getMessage().contains("AZURE_STORAGE_CONNECTION_STRING"),
        broken.getMessage());
    assertFalse(broken.getMessage().contains("topsecretvalue"), broken.getMessage());
  }

  @Test
  void theDevelopmentStorageShortcutIsAccepted() {
    assertInstanceOf(AzureBlobCacheBackend.class, provider.create(URI.create("az://container/p/"),
        Map.of("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true")));
  }

  @Test
  void accountAndKeyUseThePublicEndpointUnlessOneIsGiven() {
    assertEquals("https://myaccount.blob.core.windows.net",
        AzureBlobCacheBackendProvider.endpoint("myaccount", Map.of()));
    assertEquals("http://127.0.0.1:10000/devstoreaccount1",
        AzureBlobCacheBackendProvider.endpoint("devstoreaccount1",
            Map.of("TRIBUTARY_AZURE_BLOB_ENDPOINT", "http://127.0.0.1:10000/devstoreaccount1")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AzureBlobCacheBackendProvider.endpoint("a",
            Map.of("TRIBUTARY_AZURE_BLOB_ENDPOINT", "not a url")));
    assertTrue(e.getMessage().contains("TRIBUTARY_AZURE_BLOB_ENDPOINT"), e.getMessage());
  }

  @Test
  void redactionRemovesKeysAndSignatures() {
    String m = AzureBlobCacheBackend.redact(
        "failed AccountKey=abc/def==;x https://a/b?sv=1&sig=XYZ%2B&se=2 SharedAccessSignature=q");
    assertFalse(m.contains("abc/def"), m);
    assertFalse(m.contains("XYZ"), m);
    assertFalse(m.contains("=q"), m);
  }
}
