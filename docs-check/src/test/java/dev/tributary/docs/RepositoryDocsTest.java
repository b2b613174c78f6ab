package dev.tributary.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository's README and {@code docs/} hold up: every link stays inside the repository and
 * resolves, and every file, class, artifact and {@code template.yaml} parameter they name exists.
 */
class RepositoryDocsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /**
   * Library and JDK types (and a few other capitalised names) the documents name in code spans. A simple class name in a code span
   * that is neither one of these nor a class of the repository fails the check, so a renamed
   * class of ours cannot hide here.
   */
  static final Set<String> EXTERNAL = Set.of(
      // JDK
      "IOException", "Instant", "OffsetDateTime", "ZonedDateTime", "LocalDate", "LocalDateTime",
      "LocalTime", "Date", "BigDecimal", "BigInteger", "Long", "Integer", "Double", "Float",
      "Boolean", "String", "Map", "List", "UUID", "Optional", "Duration", "ServiceLoader",
      "InputStream", "OutputStream", "Timestamp", "IllegalArgumentException",
      "IllegalStateException", "RuntimeException", "UnsupportedOperationException", "Iterable",
      "Enum", "Clock", "Object", "HashMap", "HashSet",
      // Jackson
      "JsonNode", "StreamReadConstraints",
      // OkHttp
      "OkHttpClient", "Interceptor",
      // AWS Lambda, Google Functions Framework, Azure Functions
      "RequestStreamHandler", "Context", "ScheduledEvent", "TimerTrigger", "HttpFunction", "HttpRequestMessage", "HttpTrigger",
      "FunctionName", "ExecutionContext",
      // JUnit
      "Test",
      // Not types: an HTTP header and AWS API actions the documents name
      "Link", "Invoke", "PutObject", "HeadObject", "ListParts", "UploadPart", "NaN",
      "HttpServer", "Character", "Short", "Byte", "Number");

  static List<String> docs() throws Exception {
    List<String> docs = new ArrayList<>();
    docs.add("README.md");
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      docs.addAll(files.filter(p -> p.toString().endsWith(".md"))
          .map(p -> ROOT.relativize(p).toString().replace('\\', '/')).sorted()
          .collect(Collectors.toList()));
    }
    return docs;
  }

  @Test
  void everyLinkAndEveryNamedFileClassAndParameterExists() throws Exception {
    assertTrue(Files.exists(ROOT.resolve("pom.xml")) && Files.exists(ROOT.resolve("README.md")),
        "runs from the docs-check module of the repository: " + ROOT);
    List<DocsCheck.Problem> problems = new DocsCheck(ROOT, EXTERNAL).check(docs());
    if (!problems.isEmpty()) {
      fail(problems.size() + " problem(s) in the documentation:\n  "
          + problems.stream().map(DocsCheck.Problem::toString).collect(Collectors.joining("\n  ")));
    }
  }

  @Test
  void theReadmeLinksTheDesignTheProtocolTheFirstConnectorGuideAndEveryDeployGuide() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (String doc : docs()) {
      if (!doc.equals("README.md")) {
        assertTrue(readme.contains("](" + doc + ")") || readme.contains("](" + doc + "#"),
            "README.md links " + doc);
      }
    }
    for (String required : List.of("docs/design.md", "docs/protocol.md", "docs/first-connector.md",
        "docs/deploy-aws.md", "docs/deploy-gcp.md", "docs/deploy-azure.md")) {
      assertTrue(docs().contains(required), required + " exists");
    }
  }
}
