package dev.tributary.examples.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks the repository's SAM template against the jar this module builds (runs after
 * {@code package}). Cloud validation tools do not run here, so the essentials are asserted
 * directly: runtime, handler, SnapStart on a published alias, and the role Fivetran assumes.
 */
class TemplateIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  static Map<String, Object> template() throws Exception {
    try (InputStream in = Files.newInputStream(ROOT.resolve("template.yaml"))) {
      return map(new Yaml().load(in));
    }
  }

  @Test
  void functionRunsTheBuiltHandlerOnJava21WithSnapStartOnAPublishedAlias() throws Exception {
    Map<String, Object> fn = map(map(template().get("Resources")).get("ConnectorFunction"));
    assertEquals("AWS::Serverless::Function", fn.get("Type"));
    Map<String, Object> p = map(fn.get("Properties"));
    assertEquals("java21", p.get("Runtime"));
    assertEquals("PublishedVersions", map(p.get("SnapStart")).get("ApplyOn"));
    assertEquals("live", p.get("AutoPublishAlias"));

    String[] handler = ((String) p.get("Handler")).split("::");
    Path jar = ROOT.resolve((String) p.get("CodeUri"));
    assertTrue(Files.exists(jar), "CodeUri " + jar + " is built by mvn package");
    try (JarFile j = new JarFile(jar.toFile())) {
      assertNotNull(j.getEntry(handler[0].replace('.', '/') + ".class"), "handler class in the jar");
      assertNotNull(j.getEntry("dev/tributary/aws/s3/S3StagingStore.class"), "sync through S3 included");
      String services = new String(j.getInputStream(
          j.getEntry("META-INF/services/dev.tributary.StagingStore")).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(services.contains("dev.tributary.aws.s3.S3StagingStore"));
      assertTrue(j.getEntry("com/google/cloud/functions/HttpFunction.class") == null
          && j.getEntry("dev/tributary/gcp/TributaryHttpFunction.class") == null,
          "no other cloud's adapter in the Lambda jar");
    }
    Class<?> type = Class.forName(handler[0]);
    assertTrue(RequestStreamHandler.class.isAssignableFrom(type));
    assertNotNull(type.getMethod(handler[1], InputStream.class, OutputStream.class, Context.class));
    type.getConstructor(); // Lambda instantiates it with no arguments
  }

  @Test
  void anOptionalScheduleRunsTheScheduledHandlerOfTheSameJarOnEventBridgeScheduler() throws Exception {
    Map<String, Object> t = template();
    Map<String, Object> fn = map(map(t.get("Resources")).get("ScheduledFunction"));
    assertEquals("AWS::Serverless::Function", fn.get("Type"));
    assertEquals("Scheduled", fn.get("Condition"));
    assertEquals(List.of("Fn::Not"), List.copyOf(map(map(t.get("Conditions")).get("Scheduled")).keySet()));
    assertEquals("", map(map(t.get("Parameters")).get("ScheduleExpression")).get("Default"),
        "no schedule unless asked for");
    Map<String, Object> p = map(fn.get("Properties"));
    Map<String, Object> connector = map(map(map(t.get("Resources")).get("ConnectorFunction")).get("Properties"));
    assertEquals(connector.get("CodeUri"), p.get("CodeUri"), "the same jar");
    assertEquals("java21", p.get("Runtime"));
    assertEquals(1, p.get("ReservedConcurrentExecutions"));

    String[] handler = ((String) p.get("Handler")).split("::");
    try (JarFile j = new JarFile(ROOT.resolve((String) p.get("CodeUri")).toFile())) {
      assertNotNull(j.getEntry(handler[0].replace('.', '/') + ".class"), "scheduled handler in the jar");
      assertNotNull(j.getEntry("com/amazonaws/services/lambda/runtime/events/ScheduledEvent.class"));
      assertNotNull(j.getEntry("dev/tributary/scheduled/ScheduledSync.class"));
      assertNotNull(j.getEntry("org/postgresql/Driver.class"), "the destination's driver");
      assertTrue(j.getEntry("org/duckdb/DuckDBDriver.class") == null, "no DuckDB in the Lambda jar");
    }
    Class<?> type = Class.forName(handler[0]);
    assertTrue(RequestHandler.class.isAssignableFrom(type));
    assertNotNull(type.getMethod(handler[1], ScheduledEvent.class, Context.class));
    type.getConstructor(); // Lambda instantiates it with no arguments

    Map<String, Object> tick = map(map(p.get("Events")).get("Tick"));
    assertEquals("ScheduleV2", tick.get("Type"));
    Map<String, Object> schedule = map(tick.get("Properties"));
    assertEquals(Map.of("Ref", "ScheduleExpression"), schedule.get("ScheduleExpression"));
    // The scheduler's Input is a ScheduledEvent: the fields of the payload the handler is tested with.
    String input = (String) map(schedule.get("Input")).get("Fn::Sub");
    JsonNode event = JSON.readTree(input.replace("${AWS::AccountId}", "123456789012")
        .replace("${AWS::Region}", "eu-west-1"));
    JsonNode fixture = JSON.readTree(ROOT.resolve(
        "aws-lambda/src/test/resources/fixtures/scheduled-event.json").toFile());
    assertEquals(fieldNames(fixture), fieldNames(event));
    assertEquals("Scheduled Event", event.path("detail-type").asText());
  }

  @Test
  void theScheduledFunctionGetsTheDestinationAndItsPasswordFromSecretsManagerOrAHiddenParameter()
      throws Exception {
    Map<String, Object> t = template();
    Map<String, Object> params = map(t.get("Parameters"));
    assertEquals(true, map(params.get("DestinationPassword")).get("NoEcho"));
    Map<String, Object> vars = map(map(map(map(map(map(t.get("Resources")).get("ScheduledFunction"))
        .get("Properties")).get("Environment"))).get("Variables"));
    assertEquals(Map.of("Ref", "DestinationUrl"), vars.get("TRIBUTARY_DESTINATION_URL"));
    List<Object> password = list(map(vars.get("TRIBUTARY_DESTINATION_PASSWORD")).get("Fn::If"));
    assertEquals("PasswordFromSecretsManager", password.get(0));
    assertEquals(Map.of("Fn::Sub", "{{resolve:secretsmanager:${DestinationPasswordSecretArn}:SecretString}}"),
        password.get(1));
    assertEquals(Map.of("Ref", "DestinationPassword"), password.get(2));
    List<Object> secrets = list(map(vars.get("TRIBUTARY_SECRETS")).get("Fn::If"));
    assertEquals("ConnectorSecretsFromSecretsManager", secrets.get(0));
    assertTrue(vars.containsKey("TRIBUTARY_CONNECTION"));
  }

  private static java.util.Set<String> fieldNames(JsonNode node) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void fivetranAssumesTheRoleOnlyFromItsAccountWithTheExternalId() throws Exception {
    Map<String, Object> t = template();
    assertTrue(map(t.get("Parameters")).containsKey("FivetranExternalId"));
    Map<String, Object> role = map(map(t.get("Resources")).get("FivetranRole"));
    assertEquals("AWS::IAM::Role", role.get("Type"));
    Map<String, Object> trust = map(list(map(map(role.get("Properties"))
        .get("AssumeRolePolicyDocument")).get("Statement")).get(0));
    assertEquals("Allow", trust.get("Effect"));
    assertEquals("arn:aws:iam::834469178297:root", map(trust.get("Principal")).get("AWS"));
    assertEquals("sts:AssumeRole", trust.get("Action"));
    assertEquals(Map.of("Ref", "FivetranExternalId"),
        map(map(trust.get("Condition")).get("StringEquals")).get("sts:ExternalId"));
  }

  @Test
  void theRoleMayInvokeTheFunctionAndItsAlias() throws Exception {
    Map<String, Object> role = map(map(template().get("Resources")).get("FivetranRole"));
    Map<String, Object> policy = map(list(map(role.get("Properties")).get("Policies")).get(0));
    Map<String, Object> invoke = map(list(map(policy.get("PolicyDocument")).get("Statement")).get(0));
    assertEquals("lambda:InvokeFunction", invoke.get("Action"));
    List<Object> resources = list(invoke.get("Resource"));
    assertTrue(resources.contains(Map.of("Fn::GetAtt", List.of("ConnectorFunction", "Arn"))), "the function");
    assertTrue(resources.contains(Map.of("Ref", "ConnectorFunctionAliaslive")), "its alias");
  }

  @Test
  void outputsGiveWhatFivetransSetupFormAsks() throws Exception {
    Map<String, Object> outputs = map(template().get("Outputs"));
    assertEquals(Map.of("Fn::GetAtt", List.of("FivetranRole", "Arn")),
        map(outputs.get("FivetranRoleArn")).get("Value"));
    assertEquals(Map.of("Fn::Sub", "${ConnectorFunction}:live"),
        map(outputs.get("FunctionName")).get("Value"));
  }

  @Test
  void syncThroughS3AddsAStagingBucketTheFunctionMayWrite() throws Exception {
    Map<String, Object> resources = map(template().get("Resources"));
    Map<String, Object> bucket = map(resources.get("StagingBucket"));
    assertEquals("AWS::S3::Bucket", bucket.get("Type"));
    assertEquals("SyncThroughS3", bucket.get("Condition"));
    String fn = resources.get("ConnectorFunction").toString();
    assertTrue(fn.contains("s3:PutObject") && fn.contains("s3:AbortMultipartUpload"), fn);
    // The store confirms every object with HeadObject and every abort with ListParts.
    assertTrue(fn.contains("s3:GetObject") && fn.contains("s3:ListMultipartUploadParts"), fn);
  }
}
