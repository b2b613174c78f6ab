package dev.tributary.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The deploy guides' commands carry what each tool needs to do what the guide says, as the tools'
 * references describe them: {@code sam deploy} reads the repository's template from the root in a
 * named region; every {@code gcloud} command names its project; the Azure plugin's package and
 * deploy goals agree on the app name, which is the name of the staging folder deploy uploads.
 */
class DeployGuidesTest {
  static final Path DOCS = RepositoryDocsTest.ROOT.resolve("docs");

  /** The shell commands of a guide's code blocks, continuation lines joined. */
  static List<String> commands(String guide) throws Exception {
    List<String> out = new ArrayList<>();
    boolean inFence = false;
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCS.resolve(guide))) {
      if (line.trim().startsWith("```")) {
        inFence = !inFence;
        continue;
      }
      if (!inFence) {
        continue;
      }
      String l = line.trim();
      boolean continues = l.endsWith("\\");
      current.append(continues ? l.substring(0, l.length() - 1) : l).append(' ');
      if (!continues) {
        if (!current.toString().isBlank()) {
          out.add(current.toString().trim());
        }
        current.setLength(0);
      }
    }
    return out;
  }

  static List<String> starting(String guide, String prefix) throws Exception {
    return commands(guide).stream().filter(c -> c.startsWith(prefix)).toList();
  }

  @Test
  void samDeployUsesTheRootTemplateInANamedRegion() throws Exception {
    List<String> deploys = starting("deploy-aws.md", "sam deploy");
    assertFalse(deploys.isEmpty(), "deploy-aws.md has a sam deploy command");
    for (String c : deploys) {
      assertTrue(c.contains("--template-file template.yaml"), "reads the repository's template, not"
          + " a stale .aws-sam build: " + c);
      assertTrue(c.matches(".*--region \\S+.*"), "names the region: " + c);
      assertTrue(c.contains("--capabilities CAPABILITY_IAM"), "acknowledges the IAM role: " + c);
      assertTrue(c.contains("--resolve-s3") || c.contains("--s3-bucket"), "has a bucket to upload to: " + c);
    }
    String guide = Files.readString(DOCS.resolve("deploy-aws.md"));
    assertTrue(guide.contains("from the repository") && guide.contains("root"),
        "says to run it from the repository root, where CodeUri is relative to");
  }

  @Test
  void everyGcloudCommandNamesItsProjectAndTheServicesAreEnabledFirst() throws Exception {
    List<String> gcloud = starting("deploy-gcp.md", "gcloud");
    assertFalse(gcloud.isEmpty());
    for (String c : gcloud) {
      assertTrue(c.matches(".*--project \\S+.*"), "names --project: " + c);
      if (c.startsWith("gcloud functions")) {
        assertTrue(c.matches(".*--region \\S+.*"), "names --region: " + c);
      }
    }
    assertTrue(gcloud.get(0).startsWith("gcloud services enable"), "services are enabled first");
    for (String api : List.of("cloudfunctions.googleapis.com", "run.googleapis.com",
        "cloudbuild.googleapis.com", "artifactregistry.googleapis.com")) {
      assertTrue(gcloud.get(0).contains(api), "enables " + api);
    }
    String deploy = gcloud.stream().filter(c -> c.startsWith("gcloud functions deploy"))
        .findFirst().orElseThrow();
    assertTrue(deploy.contains("--gen2") && deploy.contains("--no-allow-unauthenticated"), deploy);
  }

  @Test
  void theAzurePackageAndDeployAgreeOnTheAppName() throws Exception {
    List<String> mvn = starting("deploy-azure.md", "mvn").stream()
        .filter(c -> c.contains("examples/orders-api-azure")).toList();
    String pkg = mvn.stream().filter(c -> c.contains(" package")).findFirst().orElseThrow();
    String deploy = mvn.stream().filter(c -> c.contains("azure-functions:deploy")).findFirst()
        .orElseThrow();
    assertEquals(appName(pkg), appName(deploy), "package writes target/azure-functions/<app>/ and"
        + " deploy uploads the folder of its own app name:\n  " + pkg + "\n  " + deploy);
    assertFalse(deploy.contains(" -am "), "deploy runs on the app module only: " + deploy);
  }

  static String appName(String command) {
    Matcher m = Pattern.compile("-DfunctionAppName=(\\S+)").matcher(command);
    assertTrue(m.find(), "sets -DfunctionAppName: " + command);
    return m.group(1);
  }
}
