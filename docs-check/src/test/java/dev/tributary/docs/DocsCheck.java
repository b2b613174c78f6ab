package dev.tributary.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks Markdown documents against the repository they live in, so that a reader who has only
 * the repository can follow every one of them.
 *
 * <ul>
 *   <li>Every link resolves to a file or folder inside the repository (with its {@code #anchor}
 *       a heading of the target); a link to anything else — a web page, a folder outside the
 *       repository — is a problem, and so is a bare URL in prose (GitHub links those too).
 *   <li>No text points at the project's former shared documents.
 *   <li>Every repository path named in code ({@code examples/orders-api}, build outputs under a
 *       module's {@code target/} that its {@code pom.xml} names) exists.
 *   <li>Every class named in code exists: {@code dev.tributary.…} names (with a {@code ::method}
 *       or {@code .member} after them) and simple names such as {@code FunctionHandler.Outcome};
 *       a simple name that is no class of the repository must be a {@code template.yaml}
 *       parameter, output or resource, or a library type listed as external.
 *   <li>Every {@code dev.tributary:<artifact>} is a module of the repository.
 *   <li>Every {@code --parameter-overrides Name=…} is a {@code template.yaml} parameter, and a
 *       {@code sam deploy} command supplies every parameter that has no default.
 * </ul>
 *
 * <p>Problems carry the document, the line and what is missing; nothing stops at the first one.
 */
final class DocsCheck {
  /** One thing wrong, where it is. */
  record Problem(String doc, int line, String message) {
    @Override
    public String toString() {
      return doc + ":" + line + ": " + message;
    }
  }

  private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
  private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*(\\S+)");
  private static final Pattern AUTOLINK = Pattern.compile("<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\\s]+)>");
  private static final Pattern BARE_URL = Pattern.compile("\\b(?:https?://|www\\.)[^\\s)>\\]]+");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
  private static final Pattern HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern OUR_CLASS = Pattern.compile(
      "\\bdev\\.tributary((?:\\.[a-z][a-z0-9_]*)*)\\.([A-Z][A-Za-z0-9_]*)(?:(::|\\.)([a-zA-Z_][A-Za-z0-9_]*))?");
  private static final Pattern ARTIFACT = Pattern.compile("\\bdev\\.tributary:([a-z0-9][a-z0-9-]*)");
  private static final Pattern SIMPLE_CLASS = Pattern.compile(
      "^([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)((?:\\.[A-Za-z_][A-Za-z0-9_]*)*)(\\(.*\\))?(\\.\\.\\.)?$");
  private static final Pattern OVERRIDE = Pattern.compile("^([A-Za-z][A-Za-z0-9]*)=");
  private static final List<String> FORBIDDEN = List.of(
      "shared project documents", "../shared", "/work/shared", "fivetran-function-protocol.md");

  private final Path root;
  private final Set<String> external;
  private final Set<String> rootEntries = new HashSet<>();
  /** Simple class name → source files declaring a top-level type of that name. */
  private final Map<String, List<Path>> classes = new HashMap<>();
  private final Set<String> artifacts = new HashSet<>();
  private final Set<String> templateParameters = new HashSet<>();
  private final Set<String> requiredTemplateParameters = new HashSet<>();
  private final Set<String> templateNames = new HashSet<>();
  /** Capitalised string literals of the main sources: error types such as {@code ProtocolError}. */
  private final Set<String> literals = new HashSet<>();

  /**
   * @param root the repository
   * @param external simple names of library types the documents may name (not classes of ours)
   */
  DocsCheck(Path root, Set<String> external) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.external = external;
    // Ignored entries (.tools/, tributary-demo/) come and go with builds and runs: a document
    // may name a path in them that the reader creates, and the check must not depend on them.
    Set<String> ignored = new HashSet<>(Set.of(".git"));
    Path gitignore = this.root.resolve(".gitignore");
    if (Files.exists(gitignore)) {
      for (String line : read(gitignore).lines().toList()) {
        String entry = line.trim().replaceAll("^/|/$", "");
        if (!entry.isEmpty() && !entry.startsWith("#") && !entry.matches(".*[*?\\[/].*")) {
          ignored.add(entry);
        }
      }
    }
    try (Stream<Path> entries = Files.list(this.root)) {
      entries.map(p -> p.getFileName().toString()).filter(n -> !ignored.contains(n))
          .forEach(rootEntries::add);
    }
    try (Stream<Path> files = Files.walk(this.root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String rel = this.root.relativize(p).toString().replace('\\', '/');
        if (rel.contains("/target/") || rel.startsWith(".git/") || rel.contains("/.tools/")) {
          continue;
        }
        if (rel.endsWith(".java") && (rel.contains("src/main/java/") || rel.contains("src/test/java/"))) {
          String name = p.getFileName().toString();
          classes.computeIfAbsent(name.substring(0, name.length() - 5), k -> new ArrayList<>()).add(p);
          if (rel.contains("src/main/java/")) {
            Matcher lit = Pattern.compile("\"([A-Z][A-Za-z0-9]*)\"").matcher(read(p));
            while (lit.find()) {
              literals.add(lit.group(1));
            }
          }
        } else if (p.getFileName().toString().equals("pom.xml")) {
          // The first artifactId outside the parent block is the module's own.
          String text = read(p).replaceAll("(?s)<parent>.*?</parent>", "");
          Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(text);
          if (m.find()) {
            artifacts.add(m.group(1).trim());
          }
        }
      }
    }
    readTemplate();
  }

  @SuppressWarnings("unchecked")
  private void readTemplate() throws IOException {
    Path template = root.resolve("template.yaml");
    if (!Files.exists(template)) {
      return;
    }
    Map<String, Object> t;
    try (InputStream in = Files.newInputStream(template)) {
      t = (Map<String, Object>) new Yaml().load(in);
    }
    Map<String, Object> params = (Map<String, Object>) t.getOrDefault("Parameters", Map.of());
    for (Map.Entry<String, Object> p : params.entrySet()) {
      templateParameters.add(p.getKey());
      if (!((Map<String, Object>) p.getValue()).containsKey("Default")) {
        requiredTemplateParameters.add(p.getKey());
      }
    }
    templateNames.addAll(params.keySet());
    templateNames.addAll(((Map<String, Object>) t.getOrDefault("Outputs", Map.of())).keySet());
    Map<String, Object> resources = (Map<String, Object>) t.getOrDefault("Resources", Map.of());
    templateNames.addAll(resources.keySet());
    for (Object r : resources.values()) {
      Object props = ((Map<String, Object>) r).get("Properties");
      if (props instanceof Map) {
        templateNames.addAll(((Map<String, Object>) props).keySet());
      }
    }
  }

  /** Checks each document; paths are relative to the repository. */
  List<Problem> check(List<String> docs) {
    List<Problem> problems = new ArrayList<>();
    for (String doc : docs) {
      checkDoc(doc, problems);
    }
    return problems;
  }

  private void checkDoc(String doc, List<Problem> problems) {
    Path file = root.resolve(doc);
    List<String> lines = read(file).lines().collect(Collectors.toList());
    boolean inFence = false;
    String fence = null;
    boolean overrides = false;
    boolean samDeploy = false;
    Set<String> overridden = new HashSet<>();
    int samLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int n = i + 1;
      String lower = line.toLowerCase(Locale.ROOT);
      for (String f : FORBIDDEN) {
        if (lower.contains(f.toLowerCase(Locale.ROOT))) {
          problems.add(new Problem(doc, n, "points at \"" + f + "\", which is not in the repository;"
              + " link the repository's own docs/ instead"));
        }
      }
      Matcher fm = FENCE.matcher(line);
      if (fm.find()) {
        if (!inFence) {
          inFence = true;
          fence = fm.group(1);
          overrides = false;
          continue;
        }
        if (fm.group(1).equals(fence)) {
          inFence = false;
          if (samDeploy) {
            for (String req : requiredTemplateParameters) {
              if (!overridden.contains(req)) {
                problems.add(new Problem(doc, samLine, "sam deploy does not set the template.yaml"
                    + " parameter " + req + ", which has no default; add " + req + "=… to"
                    + " --parameter-overrides"));
              }
            }
          }
          samDeploy = false;
          overridden.clear();
          continue;
        }
      }
      if (inFence) {
        if (line.contains("sam deploy")) {
          samDeploy = true;
          samLine = n;
        }
        for (String token : line.split("[\\s\"'`(),;]+")) {
          if (token.equals("--parameter-overrides")) {
            overrides = true;
            continue;
          }
          if (token.startsWith("--")) {
            overrides = false;
          }
          Matcher om = OVERRIDE.matcher(token);
          if (overrides && om.find()) {
            overridden.add(om.group(1));
            if (!templateParameters.contains(om.group(1))) {
              problems.add(new Problem(doc, n, "--parameter-overrides sets " + om.group(1)
                  + ", which is not a parameter of template.yaml " + templateParameters));
            }
            continue;
          }
          checkPath(doc, n, token, problems);
        }
        checkNames(doc, n, line, problems);
        continue;
      }
      // Prose: code spans first, then what is left for links and URLs.
      Matcher cm = CODE_SPAN.matcher(line);
      StringBuilder prose = new StringBuilder();
      int last = 0;
      while (cm.find()) {
        prose.append(line, last, cm.start()).append(' ');
        last = cm.end();
        String span = cm.group(2).trim();
        checkSpan(doc, n, span, problems);
      }
      prose.append(line.substring(last));
      checkLinks(doc, n, prose.toString(), problems);
    }
  }

  private void checkSpan(String doc, int n, String span, List<Problem> problems) {
    checkNames(doc, n, span, problems);
    if (!span.contains(" ")) {
      checkPath(doc, n, span, problems);
      if (!span.contains("/") && span.endsWith(".md") && !Files.exists(root.resolve(span))
          && !Files.exists(root.resolve(doc).getParent().resolve(span))) {
        problems.add(new Problem(doc, n, span + " is not a file of the repository"));
      }
      Matcher sm = SIMPLE_CLASS.matcher(span);
      if (sm.matches()) {
        checkSimpleClass(doc, n, sm.group(1), sm.group(2), problems);
      }
    } else {
      for (String token : span.split("\\s+")) {
        checkPath(doc, n, token, problems);
      }
    }
  }

  /** {@code dev.tributary.…} classes (with a member) and {@code dev.tributary:<artifact>}s. */
  private void checkNames(String doc, int n, String text, List<Problem> problems) {
    Matcher m = OUR_CLASS.matcher(text);
    while (m.find()) {
      String pkg = "dev/tributary" + m.group(1).replace('.', '/');
      String cls = m.group(2);
      String fqcn = "dev.tributary" + m.group(1) + "." + cls;
      Optional<Path> source = classFile(pkg, cls);
      if (source.isEmpty()) {
        problems.add(new Problem(doc, n, "class " + fqcn + " does not exist (no " + pkg + "/" + cls
            + ".java in any module)"));
        continue;
      }
      String member = m.group(4);
      if (member == null) {
        continue;
      }
      boolean handler = "::".equals(m.group(3));
      if (handler && !source.get().toString().replace('\\', '/').contains("/src/main/java/")) {
        problems.add(new Problem(doc, n, "handler class " + fqcn + " is test code, not in any"
            + " module's src/main/java"));
      }
      if (!declares(source.get(), member, handler, new HashSet<>())) {
        problems.add(new Problem(doc, n, fqcn + (handler ? "::" : ".") + member + ": "
            + (handler ? "no method " : "no member ") + member + " in " + cls
            + " or the classes it extends"));
      }
    }
    Matcher a = ARTIFACT.matcher(text);
    while (a.find()) {
      if (!artifacts.contains(a.group(1))) {
        problems.add(new Problem(doc, n, "dev.tributary:" + a.group(1)
            + " is not a module of the repository (no pom.xml with that artifactId)"));
      }
    }
  }

  private void checkSimpleClass(String doc, int n, String name, String members,
      List<Problem> problems) {
    List<Path> sources = classes.get(name);
    if (sources == null) {
      if (!templateNames.contains(name) && !literals.contains(name) && !external.contains(name)) {
        problems.add(new Problem(doc, n, "`" + name + "` names no class of the repository, no"
            + " template.yaml parameter, output or resource, and no string the code sends (such as"
            + " an errorType); fix the name, or if it is a library's type add it to"
            + " RepositoryDocsTest.EXTERNAL"));
      }
      return;
    }
    if (members.isEmpty()) {
      return;
    }
    String member = members.substring(1).split("\\.")[0];
    for (Path s : sources) {
      if (declares(s, member, false, new HashSet<>())) {
        return;
      }
    }
    problems.add(new Problem(doc, n, "`" + name + "." + member + "`: " + name + " has no member "
        + member));
  }

  private Optional<Path> classFile(String pkg, String cls) {
    for (Path p : classes.getOrDefault(cls, List.of())) {
      if (p.toString().replace('\\', '/').endsWith("/" + pkg + "/" + cls + ".java")) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** True if the type in {@code source}, or one it extends, declares {@code member}. */
  private boolean declares(Path source, String member, boolean methodOnly, Set<Path> seen) {
    if (!seen.add(source)) {
      return false;
    }
    String text = read(source);
    String q = Pattern.quote(member);
    Pattern method = Pattern.compile("(?m)^\\s*(?:@\\w+(?:\\([^)]*\\))?\\s+)*"
        + "(?:(?:public|protected|private|static|final|abstract|default|synchronized)\\s+)*"
        + "(?:<[^>]+>\\s+)?[\\w.<>\\[\\], ?]+\\s+" + q + "\\s*\\(");
    if (method.matcher(text).find()) {
      return true;
    }
    if (!methodOnly) {
      Pattern other = Pattern.compile("\\b(?:class|interface|enum|record)\\s+" + q + "\\b"
          + "|(?m)^\\s+" + q + "\\s*(?:[,;(]|$)" // enum constant
          + "|\\b" + q + "\\s*[=;]" // field
          + "|\\brecord\\s+\\w+\\s*\\([^)]*\\b" + q + "\\b"); // record component
      if (other.matcher(text).find()) {
        return true;
      }
    }
    Matcher ext = Pattern.compile("\\b(?:extends|implements)\\s+([A-Z]\\w*)").matcher(text);
    while (ext.find()) {
      String parent = ext.group(1);
      for (Path p : classes.getOrDefault(parent, List.of())) {
        if (declares(p, member, methodOnly, seen)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A token that names a repository path (its first segment is an entry of the root) must exist. */
  private void checkPath(String doc, int n, String raw, List<Problem> problems) {
    String t = raw;
    if (t.startsWith("-") && t.contains("=")) {
      t = t.substring(t.indexOf('=') + 1);
    }
    t = t.replaceAll("[.,;:)]+$", "");
    if (t.startsWith("./")) {
      t = t.substring(2);
    }
    if (t.isEmpty() || !t.contains("/") || t.contains("://") || t.startsWith("/")
        || t.matches(".*[<>*…{}$|\\[\\]\\\\].*")) {
      return;
    }
    String path = t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    String first = path.split("/")[0];
    if (!rootEntries.contains(first)) {
      return;
    }
    int target = ("/" + path + "/").indexOf("/target/");
    if (target >= 0) {
      String module = path.substring(0, Math.max(0, target - 1));
      Path pom = root.resolve(module).resolve("pom.xml");
      String built = path.substring(path.lastIndexOf('/') + 1);
      if (!Files.exists(pom)) {
        problems.add(new Problem(doc, n, path + ": " + module + " is not a module (no pom.xml)"));
      } else if (!path.endsWith("/target") && !read(pom).contains(built)) {
        problems.add(new Problem(doc, n, path + " is not built by " + module + "/pom.xml (it never"
            + " names " + built + ")"));
      }
      return;
    }
    if (!Files.exists(root.resolve(path))) {
      problems.add(new Problem(doc, n, path + " does not exist in the repository"));
    }
  }

  private void checkLinks(String doc, int n, String prose, List<Problem> problems) {
    List<String> targets = new ArrayList<>();
    Matcher lm = LINK.matcher(prose);
    while (lm.find()) {
      targets.add(lm.group(2));
    }
    String rest = LINK.matcher(prose).replaceAll(" ");
    Matcher rm = REFERENCE.matcher(rest);
    if (rm.find()) {
      targets.add(rm.group(1));
      rest = "";
    }
    Matcher am = AUTOLINK.matcher(rest);
    while (am.find()) {
      targets.add(am.group(1));
    }
    rest = AUTOLINK.matcher(rest).replaceAll(" ");
    Matcher bm = BARE_URL.matcher(rest);
    while (bm.find()) {
      problems.add(new Problem(doc, n, "URL " + bm.group() + " points outside the repository;"
          + " name the page in words, or put it in a code span if it is an address to type"));
    }
    for (String target : targets) {
      checkLink(doc, n, target, problems);
    }
  }

  private void checkLink(String doc, int n, String target, List<Problem> problems) {
    if (target.isEmpty()) {
      problems.add(new Problem(doc, n, "empty link"));
      return;
    }
    if (SCHEME.matcher(target).find()) {
      problems.add(new Problem(doc, n, "link to " + target + " points outside the repository;"
          + " link a file of the repository, or name the page in words"));
      return;
    }
    String path = target;
    String anchor = null;
    int hash = target.indexOf('#');
    if (hash >= 0) {
      path = target.substring(0, hash);
      anchor = target.substring(hash + 1);
    }
    Path docDir = root.resolve(doc).getParent();
    Path resolved = path.isEmpty() ? root.resolve(doc)
        : path.startsWith("/") ? root.resolve(path.substring(1)).normalize()
        : docDir.resolve(path).normalize();
    if (!resolved.startsWith(root)) {
      problems.add(new Problem(doc, n, "link to " + target + " leaves the repository"));
      return;
    }
    if (!Files.exists(resolved)) {
      problems.add(new Problem(doc, n, "link to " + target + ": " + root.relativize(resolved)
          + " does not exist in the repository"));
      return;
    }
    if (anchor != null && !anchor.isEmpty() && resolved.toString().endsWith(".md")
        && !anchors(resolved).contains(anchor)) {
      problems.add(new Problem(doc, n, "link to " + target + ": " + root.relativize(resolved)
          + " has no heading #" + anchor));
    }
  }

  /** GitHub's heading anchors of a Markdown file. */
  static Set<String> anchors(Path file) {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    boolean inFence = false;
    for (String line : read(file).lines().toList()) {
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
        continue;
      }
      Matcher h = HEADING.matcher(line);
      if (inFence || !h.matches()) {
        continue;
      }
      String slug = slug(h.group(1));
      int count = seen.merge(slug, 1, Integer::sum);
      out.add(count == 1 ? slug : slug + "-" + (count - 1));
    }
    return out;
  }

  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    StringBuilder b = new StringBuilder();
    text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        b.appendCodePoint(c);
      } else if (c == ' ') {
        b.append('-');
      }
    });
    return b.toString();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
