package dev.tributary.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker against a small repository with one mistake of each kind, line by line. */
class DocsCheckTest {
  @TempDir Path root;

  void write(String path, String text) throws Exception {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  List<String> problems(String readme) throws Exception {
    write("pom.xml", "<project><artifactId>parent</artifactId></project>");
    write("mod/pom.xml", "<project><parent><artifactId>parent</artifactId></parent>"
        + "<artifactId>tributary-mod</artifactId><outputFile>x/fn.jar</outputFile></project>");
    write("mod/src/main/java/dev/tributary/mod/Base.java",
        "package dev.tributary.mod;\npublic class Base {\n  public final void handleRequest(Object in) {}\n}\n");
    write("mod/src/main/java/dev/tributary/mod/Fn.java",
        "package dev.tributary.mod;\npublic final class Fn extends Base {\n  public static Fn of() { return null; }\n}\n");
    write("docs/guide.md", "# Guide\n\n## Build it\n");
    write("template.yaml", "Parameters:\n  ExternalId:\n    Type: String\n"
        + "  Memory:\n    Type: Number\n    Default: 1024\nOutputs:\n  RoleArn:\n    Value: x\n");
    write(".gitignore", "target/\n.tools/\n");
    write(".tools/installed.jar", "");
    write("README.md", readme);
    return new DocsCheck(root, Set.of("Instant")).check(List.of("README.md", "docs/guide.md"))
        .stream().map(DocsCheck.Problem::toString).collect(Collectors.toList());
  }

  @Test
  void aCleanDocumentHasNoProblems() throws Exception {
    assertEquals(List.of(), problems(String.join("\n",
        "See [the guide](docs/guide.md#build-it) and [the module](mod/).",
        "Handler `dev.tributary.mod.Fn::handleRequest`, built as `mod/target/x/fn.jar`;",
        "`Fn.of()`, `Instant`, `RoleArn`, `dev.tributary:tributary-mod`, `fivetran/function.json`.",
        "A download the reader makes: `.tools/other.jar`.",
        "```sh",
        "sam deploy --parameter-overrides ExternalId=abc Memory=2048",
        "```")));
  }

  @Test
  void reportsEachMistakeWithItsLine() throws Exception {
    List<String> found = problems(String.join("\n",
        "A [web page](https://example.com/docs) and a bare https://example.com/x URL.",
        "The design is in the shared project documents, see [it](../shared/DESIGN.md).",
        "A [missing file](docs/nothing.md) and a [missing heading](docs/guide.md#deploy-it).",
        "Handler `dev.tributary.mod.Fn::handle` and class `dev.tributary.mod.Gone`.",
        "Build output `mod/target/other.jar`, path `mod/src/missing`, module `dev.tributary:tributary-nope`.",
        "`Fnn.of()` and `Fn.off()` and `DESIGN.md`.",
        "```sh",
        "sam deploy --parameter-overrides Memroy=2048",
        "```"));
    List<String> expected = List.of(
        "README.md:1: link to https://example.com/docs points outside the repository",
        "README.md:1: URL https://example.com/x points outside the repository",
        "README.md:2: points at \"shared project documents\"",
        "README.md:2: points at \"../shared\"",
        "README.md:2: link to ../shared/DESIGN.md leaves the repository",
        "README.md:3: link to docs/nothing.md: docs/nothing.md does not exist",
        "README.md:3: link to docs/guide.md#deploy-it: docs/guide.md has no heading #deploy-it",
        "README.md:4: dev.tributary.mod.Fn::handle: no method handle in Fn",
        "README.md:4: class dev.tributary.mod.Gone does not exist",
        "README.md:5: mod/target/other.jar is not built by mod/pom.xml",
        "README.md:5: mod/src/missing does not exist in the repository",
        "README.md:5: dev.tributary:tributary-nope is not a module of the repository",
        "README.md:6: `Fnn` names no class of the repository",
        "README.md:6: `Fn.off`: Fn has no member off",
        "README.md:6: DESIGN.md is not a file of the repository",
        "README.md:8: --parameter-overrides sets Memroy, which is not a parameter of template.yaml",
        "README.md:8: sam deploy does not set the template.yaml parameter ExternalId");
    for (String want : expected) {
      assertTrue(found.stream().anyMatch(p -> p.startsWith(want)),
          "reports '" + want + "'; found:\n  " + String.join("\n  ", found));
    }
    assertEquals(expected.size(), found.size(), "nothing else:\n  " + String.join("\n  ", found));
  }

  @Test
  void headingAnchorsFollowGithub() {
    assertEquals("3-paste-into-fivetran", DocsCheck.slug("3. Paste into Fivetran"));
    assertEquals("the-local-fivetran-tributary", DocsCheck.slug("The local Fivetran: `./tributary`"));
    assertEquals("java-type--json--warehouse-type", DocsCheck.slug("Java type → JSON → warehouse type"));
  }
}
