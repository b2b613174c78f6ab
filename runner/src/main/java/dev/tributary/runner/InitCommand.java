package dev.tributary.runner;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary init}: a new connector project from the connector archetype, offline — the
 * same files {@code mvn archetype:generate} writes from {@code tributary-connector-archetype}.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = {"Start a connector project: a connector with an incremental and a full-refresh"
        + " table on a stub source, a test, the Lambda, Cloud Functions and Azure packaging, a SAM"
        + " template and a README with its commands. The same project as the Maven archetype"
        + " dev.tributary:tributary-connector-archetype writes.",
        "Example: tributary init crm-connector --package com.acme.crm --name Crm"})
final class InitCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("[A-Z][A-Za-z0-9]*");
  private static final Pattern ARTIFACT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  @Parameters(paramLabel = "<dir>", description = "The new project's folder (must not exist or be"
      + " empty); its name is the artifactId unless --artifact-id says otherwise.")
  Path dir;

  @Option(names = "--package", required = true, paramLabel = "<java.package>",
      description = "The connector's Java package, e.g. com.acme.crm (also the groupId unless --group-id).")
  String pkg;

  @Option(names = "--name", required = true, paramLabel = "<Name>",
      description = "The connector's name in class names, e.g. Crm for CrmConnector.")
  String name;

  @Option(names = "--group-id", paramLabel = "<groupId>", description = "Default: the package.")
  String groupId;

  @Option(names = "--artifact-id", paramLabel = "<artifactId>", description = "Default: the folder's name.")
  String artifactId;

  @Option(names = "--version", paramLabel = "<version>", defaultValue = "0.1.0-SNAPSHOT",
      description = "The project's version (default: ${DEFAULT-VALUE}).")
  String version;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!SourceVersion.isName(pkg) || !pkg.equals(pkg.toLowerCase(java.util.Locale.ROOT))) {
      throw usage("--package must be a lower-case Java package name like com.acme.crm, not '" + pkg + "'");
    }
    if (!NAME.matcher(name).matches()) {
      throw usage("--name must start with a capital letter and hold only letters and digits"
          + " (it becomes " + "<Name>Connector), not '" + name + "'");
    }
    String artifact = artifactId != null ? artifactId
        : dir.toAbsolutePath().normalize().getFileName().toString();
    if (!ARTIFACT.matcher(artifact).matches()) {
      throw usage("the artifactId '" + artifact + "' (the folder's name) is not a Maven"
          + " artifactId; name the folder like crm-connector or pass --artifact-id");
    }
    if (Files.exists(dir)) {
      try (var entries = Files.list(dir)) {
        if (!Files.isDirectory(dir) || entries.findAny().isPresent()) {
          throw usage(dir + " already exists and is not empty; choose a new folder");
        }
      }
    }
    ProjectTemplate template = ProjectTemplate.load(InitCommand.class.getClassLoader());
    Map<String, String> props = new LinkedHashMap<>();
    props.put("groupId", groupId != null ? groupId : pkg);
    props.put("artifactId", artifact);
    props.put("version", version);
    props.put("package", pkg);
    props.put("connectorName", name);
    Map<String, byte[]> files = template.render(props);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path target = dir.resolve(f.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, f.getValue());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("created %s: %d files, a %sConnector in %s (Tributary %s)%n", dir, files.size(),
        name, pkg, template.defaultOf("tributaryVersion"));
    out.printf("next: cd %s && mvn -B verify   (then see its README.md)%n", dir);
    return 0;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
