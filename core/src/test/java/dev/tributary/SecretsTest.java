package dev.tributary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretsTest {
  static final String TOKEN = "tok_9f8e7d6c5b4a";
  static final String PASSWORD = "p@ss w0rd/+&=\"q\\";

  static Secrets sample() {
    Map<String, Object> db = new LinkedHashMap<>();
    db.put("host", "db.internal.example");
    db.put("password", PASSWORD);
    db.put("port", 5432);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiToken", TOKEN);
    m.put("ssl", true);
    m.put("retries", 3);
    m.put("db", db);
    m.put("scopes", List.of("read:orders", "read:refunds"));
    m.put("empty", "");
    m.put("nothing", null);
    return Secrets.of(m);
  }

  // ---------------------------------------------------------------------------------------------
  // reading

  @Test
  void getReturnsAStringSecret() {
    assertEquals(Optional.of(TOKEN), sample().get("apiToken"));
  }

  @Test
  void getGivesNumbersAndBooleansAsText() {
    assertEquals(Optional.of("3"), sample().get("retries"));
    assertEquals(Optional.of("true"), sample().get("ssl"));
  }

  @Test
  void getOfAnAbsentOrNullSecretIsEmpty() {
    assertEquals(Optional.empty(), sample().get("region"));
    assertEquals(Optional.empty(), sample().get("nothing"));
  }

  @Test
  void getOfAnObjectOrListIsAConfigurationErrorNamingTheSecret() {
    MissingSecretException obj = assertThrows(MissingSecretException.class, () -> sample().get("db"));
    MissingSecretException list = assertThrows(MissingSecretException.class, () -> sample().get("scopes"));

    assertTrue(obj.getMessage().contains("secrets.db"), obj.getMessage());
    assertTrue(list.getMessage().contains("secrets.scopes"), list.getMessage());
    assertFalse(obj.getMessage().contains(PASSWORD), obj.getMessage());
  }

  @Test
  void requireReturnsAPresentSecret() {
    assertEquals(TOKEN, sample().require("apiToken"));
  }

  @Test
  void requireOfAMissingSecretNamesItAndNoValue() {
    MissingSecretException e = assertThrows(MissingSecretException.class,
        () -> sample().require("accountId"));

    assertTrue(e.getMessage().contains("secrets.accountId"), e.getMessage());
    assertNoValueOfSample(e.getMessage());
  }

  @Test
  void requireOfAnEmptyOrNullSecretIsMissing() {
    MissingSecretException empty = assertThrows(MissingSecretException.class,
        () -> sample().require("empty"));
    MissingSecretException nul = assertThrows(MissingSecretException.class,
        () -> sample().require("nothing"));

    assertTrue(empty.getMessage().contains("secrets.empty"), empty.getMessage());
    assertTrue(nul.getMessage().contains("secrets.nothing"), nul.getMessage());
  }

  @Test
  void requireInsideANestedObjectNamesTheFullPath() {
    Secrets db = sample().object("db").orElseThrow();

    MissingSecretException e = assertThrows(MissingSecretException.class, () -> db.require("user"));

    assertTrue(e.getMessage().contains("secrets.db.user"), e.getMessage());
    assertNoValueOfSample(e.getMessage());
  }

  @Test
  void missingSecretIsAnIllegalArgumentException() {
    assertInstanceOf(IllegalArgumentException.class, new MissingSecretException("x"));
  }

  @Test
  void objectReadsANestedObject() {
    Secrets db = sample().object("db").orElseThrow();

    assertEquals(Set.of("host", "password", "port"), db.names());
    assertEquals(Optional.of(PASSWORD), db.get("password"));
    assertEquals(Optional.of("5432"), db.get("port"));
  }

  @Test
  void objectOfAnAbsentSecretIsEmpty() {
    assertEquals(Optional.empty(), sample().object("cache"));
  }

  @Test
  void objectOfAStringIsAConfigurationErrorWithoutTheValue() {
    MissingSecretException e = assertThrows(MissingSecretException.class,
        () -> sample().object("apiToken"));

    assertTrue(e.getMessage().contains("secrets.apiToken"), e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
  }

  @Test
  void valueGivesPlainJavaValues() {
    Secrets s = sample();

    assertEquals(Optional.of(List.of("read:orders", "read:refunds")), s.value("scopes"));
    assertEquals(Optional.of(3), s.value("retries"));
    assertEquals(Optional.of(true), s.value("ssl"));
    assertEquals(Optional.empty(), s.value("region"));
    Object db = s.value("db").orElseThrow();
    assertInstanceOf(Map.class, db);
    assertEquals(PASSWORD, ((Map<?, ?>) db).get("password"));
  }

  @Test
  void valuesAreUnmodifiableCopies() {
    List<String> scopes = new ArrayList<>(List.of("a:b"));
    Map<String, Object> m = new HashMap<>();
    m.put("scopes", scopes);
    m.put("apiToken", TOKEN);
    Secrets s = Secrets.of(m);

    m.put("apiToken", "changed-later");
    scopes.add("c:d");

    assertEquals(Optional.of(TOKEN), s.get("apiToken"));
    assertEquals(List.of("a:b"), s.value("scopes").orElseThrow());
    @SuppressWarnings("unchecked")
    List<Object> view = (List<Object>) s.value("scopes").orElseThrow();
    assertThrows(UnsupportedOperationException.class, () -> view.add("x"));
    assertThrows(UnsupportedOperationException.class, () -> s.names().add("x"));
  }

  @Test
  void emptySecretsHaveNoNames() {
    assertTrue(Secrets.empty().isEmpty());
    assertSame(Secrets.empty(), Secrets.of(Map.of()));
    assertEquals("no secrets here", Secrets.empty().redact("no secrets here"));
  }

  @Test
  void toStringShowsNamesOnly() {
    String s = sample().toString();

    assertTrue(s.contains("apiToken"), s);
    assertTrue(s.contains("db"), s);
    assertNoValueOfSample(s);
    assertFalse(s.contains("5432"), s);
    assertFalse(sample().object("db").orElseThrow().toString().contains("db.internal.example"));
  }

  // ---------------------------------------------------------------------------------------------
  // redact

  @Test
  void redactMasksARawValue() {
    assertEquals("401 for token ***", sample().redact("401 for token " + TOKEN));
  }

  @Test
  void redactMasksEveryOccurrence() {
    String out = sample().redact(TOKEN + " and again " + TOKEN);

    assertEquals("*** and again ***", out);
  }

  @Test
  void redactMasksNestedAndNumericValues() {
    String out = sample().redact("connect db.internal.example:5432 as " + PASSWORD);

    assertFalse(out.contains("db.internal.example"), out);
    assertFalse(out.contains("5432"), out);
    assertFalse(out.contains(PASSWORD), out);
  }

  @Test
  void redactMasksListElements() {
    String out = sample().redact("scope read:orders was refused");

    assertEquals("scope *** was refused", out);
  }

  @Test
  void redactMasksTheUrlEncodedForm() {
    String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    assertFalse(encoded.equals(PASSWORD), "the sample needs characters that URL-encoding changes");

    String out = sample().redact("GET https://api.example.com/orders?key=" + encoded + "&page=2");

    assertEquals("GET https://api.example.com/orders?key=***&page=2", out);
  }

  @Test
  void redactMasksThePercentTwentyEncodedForm() {
    String encoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8).replace("+", "%20");

    String out = sample().redact("/login/" + encoded);

    assertEquals("/login/***", out);
  }

  @Test
  void redactMasksTheJsonEscapedForm() {
    String escaped = PASSWORD.replace("\\", "\\\\").replace("\"", "\\\"");
    assertFalse(escaped.equals(PASSWORD), "the sample needs characters JSON escapes");

    String out = sample().redact("{\"password\":\"" + escaped + "\"}");

    assertEquals("{\"password\":\"***\"}", out);
  }

  @Test
  void redactMasksAJsonEscapedNewline() {
    Secrets s = Secrets.of(Map.of("pem", "line-one\nline-two"));

    String out = s.redact("{\"pem\":\"line-one\\nline-two\"}");

    assertEquals("{\"pem\":\"***\"}", out);
  }

  @Test
  void redactMasksTheLongerOfTwoOverlappingSecretsWhole() {
    Secrets s = Secrets.of(Map.of("short", "abcd1234", "long", "abcd1234efgh5678"));

    String out = s.redact("token=abcd1234efgh5678; legacy=abcd1234");

    assertEquals("token=***; legacy=***", out);
  }

  @Test
  void redactMasksTheLongerSecretWholeWhenTheShorterComesFirstInTheMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", "pass");
    m.put("b", "password123");

    String out = Secrets.of(m).redact("login with password123");

    assertEquals("login with ***", out);
  }

  @Test
  void redactLeavesBooleansAlone() {
    String out = sample().redact("ssl=true verify=false");

    assertEquals("ssl=true verify=false", out);
  }

  @Test
  void redactLeavesValuesUnderFourCharactersAlone() {
    Secrets s = Secrets.of(Map.of("region", "eu1", "zone", "a", "site", "abcd"));

    String out = s.redact("region eu1 zone a site abcd");

    assertEquals("region eu1 zone a site ***", out);
  }

  @Test
  void redactOfNullIsNull() {
    assertEquals(null, sample().redact(null));
  }

  @Test
  void redactLeavesTextWithoutSecretsUnchanged() {
    String text = "table orders failed: HTTP 503 from api.example.com";

    assertEquals(text, sample().redact(text));
  }

  @Test
  void redactMasksBase64OfAValueAndOfAUserPasswordPair() {
    Secrets s = Secrets.of(Map.of("user", "etl-reader", "password", PASSWORD));
    String pair = java.util.Base64.getEncoder().encodeToString(
        ("etl-reader:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    String value = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        PASSWORD.getBytes(StandardCharsets.UTF_8));

    String header = s.redact("Authorization: Basic " + pair);
    // The unpadded form is masked; padding, if any, says nothing about the value.
    assertTrue(header.matches("Authorization: Basic \\*\\*\\*=*"), header);
    assertEquals("key ***", s.redact("key " + value));
  }

  @Test
  void redactMasksJsonEscapedSlashesAndUnicodeEscapesAndHtmlEntities() {
    Secrets s = Secrets.of(Map.of("token", "a/b<c>&d\"é"));

    assertEquals("{\"t\":\"***\"}", s.redact("{\"t\":\"a\\/b<c>&d\\\"\\u00E9\"}"));
    assertEquals("{\"t\":\"***\"}", s.redact("{\"t\":\"a/b\\u003cc\\u003e\\u0026d\\u0022\\u00e9\"}"));
    assertEquals("<p>***</p>", s.redact("<p>a/b&lt;c&gt;&amp;d&quot;&#233;</p>"));
    assertEquals("?t=***", s.redact("?t=a%2fb%3Cc%3E%26d%22%C3%A9"));
  }

  @Test
  void declaredConfigurationIsNotMaskedButSecretsStillAre() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("table", "orders");
    m.put("columns", List.of("updated_at", "customer_id"));
    m.put("host", "db.internal.example");
    m.put("password", PASSWORD);
    Secrets s = Secrets.of(m).withNotSecret(Set.of("table", "columns", "host"));

    String out = s.redact("table orders: column updated_at of db.internal.example; password "
        + PASSWORD);

    assertEquals("table orders: column updated_at of db.internal.example; password ***", out);
    assertEquals("column *** is NULL",
        Secrets.of(m).redact("column updated_at is NULL"), "by default everything is secret");
  }

  @Test
  void aNestedObjectMasksEverySecretOfTheConnection() {
    Secrets db = sample().object("db").orElseThrow();

    assertEquals("token *** password ***", db.redact("token " + TOKEN + " password " + PASSWORD));
  }

  @Test
  void secretInNamesTheSecretNotItsValue() {
    assertEquals(Optional.of("secrets.db.password"),
        sample().secretIn("x=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8)));
    assertEquals(Optional.empty(), sample().secretIn("nothing secret here"));
  }

  private static void assertNoValueOfSample(String text) {
    for (String v : List.of(TOKEN, PASSWORD, "db.internal.example", "read:orders")) {
      assertFalse(text.contains(v), "'" + v + "' in: " + text);
    }
  }
}
