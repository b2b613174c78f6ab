package dev.tributary.examples.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
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
