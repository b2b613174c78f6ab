package dev.tributary.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev.tributary.internal} is tributary-core's own: no other module may use it or add
 * classes to it (a module descriptor would not stop class-path users, and every platform runs
 * functions from the class path), and inside core only {@link #FRONT} — the front door that runs
 * the engine — depends on it, so the public types stay values the engine uses rather than the
 * other way round.
 *
 * <p>Reads each module's {@code target/classes}, so the reactor builds this module last.
 */
class InternalsSealedTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final String INTERNAL = "dev.tributary.internal..";
  /** Core's public classes that run the engine: the handler and its state check. */
  static final String FRONT = "dev\\.tributary\\.(FunctionHandler|StateSecrets)(\\$.*)?";
  /** JMH benchmarks measure the engine's internals by design; they are never shipped. */
  static final Set<String> MAY_USE_INTERNALS = Set.of("benchmarks");

  /** What the classes of {@code module} may not do with core's internals. */
  static ArchRule ruleFor(String module) {
    if (module.equals("core")) {
      return noClasses().that().resideOutsideOfPackage(INTERNAL).and().haveNameNotMatching(FRONT)
          .should().dependOnClassesThat().resideInAPackage(INTERNAL)
          .because("the public API of core is what the engine uses, not the other way round;"
              + " only FunctionHandler runs the engine");
    }
    return noClasses().should().dependOnClassesThat().resideInAPackage(INTERNAL)
        .orShould().resideInAPackage(INTERNAL)
        .because("dev.tributary.internal is tributary-core's own and changes without notice;"
            + " use the public API in dev.tributary (or ask for what is missing there)");
  }

  /** The reactor's modules (from the root pom) that compile main code. */
  static List<String> modulesWithCode() throws IOException {
    String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
    List<String> modules = new ArrayList<>();
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    while (m.find()) {
      if (Files.isDirectory(ROOT.resolve(m.group(1)).resolve("src/main/java"))) {
        modules.add(m.group(1));
      }
    }
    return modules;
  }

  @Test
  void noModuleUsesCoresInternalsAndInsideCoreOnlyTheHandlerDoes() throws IOException {
    List<String> modules = modulesWithCode();
    assertTrue(modules.contains("core") && modules.size() > 10, "modules read from the root pom: " + modules);
    List<String> failures = new ArrayList<>();
    for (String module : modules) {
      if (MAY_USE_INTERNALS.contains(module)) {
        continue;
      }
      Path classes = ROOT.resolve(module).resolve("target/classes");
      if (!Files.isDirectory(classes)) {
        fail(module + " has no target/classes: build the whole project (mvn -B verify from the"
            + " root) so that this check reads every module");
      }
      EvaluationResult result = ruleFor(module).evaluate(new ClassFileImporter().importPath(classes));
      if (result.hasViolation()) {
        failures.add(module + ": " + String.join("\n  ", result.getFailureReport().getDetails()));
      }
    }
    assertEquals(List.of(), failures, "classes that reach into dev.tributary.internal");
  }

  /** The check is only worth having if it fails: compile deliberate violations and evaluate them. */
  @Test
  void aDeliberateViolationFailsTheCheck(@TempDir Path dir) throws IOException {
    JavaClasses connector = compile(dir.resolve("connector"), Map.of(
        "dev/tributary/examples/bad/UsesTheEngine.java",
        "package dev.tributary.examples.bad;\n"
            + "public class UsesTheEngine {\n"
            + "  Object json = new dev.tributary.internal.Json(dev.tributary.EngineConfig.defaults());\n"
            + "}\n",
        "dev/tributary/internal/Intruder.java",
        "package dev.tributary.internal;\npublic class Intruder {}\n",
        "dev/tributary/examples/bad/Innocent.java",
        "package dev.tributary.examples.bad;\n"
            + "public class Innocent { Object t = dev.tributary.Table.fullRefresh(\"t\"); }\n"));
    EvaluationResult outside = ruleFor("examples/bad").evaluate(connector);
    String report = String.join("\n", outside.getFailureReport().getDetails());
    assertTrue(outside.hasViolation(), "a connector using the engine's Json must fail the check");
    assertTrue(report.contains("UsesTheEngine") && report.contains("dev.tributary.internal.Json"), report);
    assertTrue(report.contains("Intruder"), "a class added to core's package fails too: " + report);
    assertFalse(report.contains("Innocent"), "the public API is fine: " + report);

    JavaClasses leaky = compile(dir.resolve("core"), Map.of(
        "dev/tributary/Leaky.java",
        "package dev.tributary;\n"
            + "public final class Leaky {\n"
            + "  static Object json() { return new dev.tributary.internal.Json(EngineConfig.defaults()); }\n"
            + "}\n"));
    EvaluationResult inside = ruleFor("core").evaluate(leaky);
    assertTrue(inside.hasViolation(), "a public core type using internals must fail the check");
    assertTrue(String.join("\n", inside.getFailureReport().getDetails()).contains("Leaky"));
  }

  /** Compiles {@code sources} (path → text) against core's classes into {@code dir}. */
  private static JavaClasses compile(Path dir, Map<String, String> sources) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path src = Files.createDirectories(dir.resolve("src"));
    Path out = Files.createDirectories(dir.resolve("classes"));
    List<String> args = new ArrayList<>(List.of("--release", "17", "-d", out.toString(),
        "-cp", ROOT.resolve("core/target/classes").toString()));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      args.add(file.toString());
    }
    assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac " + args);
    return new ClassFileImporter().importPath(out);
  }
}
