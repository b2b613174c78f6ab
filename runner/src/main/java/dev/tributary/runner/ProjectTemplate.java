package dev.tributary.runner;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The connector project template of {@code tributary-connector-archetype}, rendered without Maven:
 * what {@code tributary init} writes. The archetype is the source of truth; this renders the same
 * subset of it that its templates use — the descriptor's file sets (directory, includes,
 * {@code packaged}, {@code filtered}), {@code __property__} in file names and
 * {@code ${property}} in filtered files — and refuses a template that uses more of Velocity
 * (a directive or a {@code ##} comment), so both front doors always write the same files.
 */
final class ProjectTemplate {
  static final String DESCRIPTOR = "META-INF/maven/archetype-metadata.xml";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9_-]*)}");
  private static final Pattern DIRECTIVE = Pattern.compile(
      "##|#\\*|#\\{?(set|if|elseif|else|end|foreach|include|parse|macro|stop|break|define|evaluate)\\b");

  private record FileSet(String directory, List<String> includes, List<String> excludes,
      boolean filtered, boolean packaged) {}

  private final Map<String, String> defaults;
  private final List<FileSet> fileSets;
  /** Template path below archetype-resources/ → its bytes. */
  private final Map<String, byte[]> files;

  private ProjectTemplate(Map<String, String> defaults, List<FileSet> fileSets,
      Map<String, byte[]> files) {
    this.defaults = defaults;
    this.fileSets = fileSets;
    this.files = files;
  }

  /** The template on this class loader's path (the archetype jar inside the runner). */
  static ProjectTemplate load(ClassLoader loader) throws IOException {
    URL url = loader.getResource(DESCRIPTOR);
    if (url == null) {
      throw new IOException("the connector template (" + DESCRIPTOR + ") is not in the runner;"
          + " rebuild it with ./tributary (mvn -pl runner -am package)");
    }
    URI descriptor;
    try {
      descriptor = url.toURI();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    if (descriptor.getScheme().equals("jar")) {
      try (FileSystem fs = FileSystems.newFileSystem(descriptor, Map.of())) {
        return read(fs.getPath("/" + DESCRIPTOR));
      }
    }
    return read(Path.of(descriptor));
  }

  private static ProjectTemplate read(Path descriptor) throws IOException {
    Path root = descriptor.getParent().getParent().getParent();
    Document doc;
    try (InputStream in = Files.newInputStream(descriptor)) {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      doc = f.newDocumentBuilder().parse(in);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot read " + DESCRIPTOR + ": " + e.getMessage(), e);
    }
    Map<String, String> defaults = new LinkedHashMap<>();
    for (Element p : elements(doc.getDocumentElement(), "requiredProperty")) {
      List<Element> d = elements(p, "defaultValue");
      defaults.put(p.getAttribute("key"), d.isEmpty() ? null : d.get(0).getTextContent().trim());
    }
    List<FileSet> sets = new ArrayList<>();
    for (Element s : elements(doc.getDocumentElement(), "fileSet")) {
      List<Element> dir = elements(s, "directory");
      sets.add(new FileSet(dir.isEmpty() ? "" : dir.get(0).getTextContent().trim(),
          texts(s, "include"), texts(s, "exclude"),
          Boolean.parseBoolean(s.getAttribute("filtered")),
          Boolean.parseBoolean(s.getAttribute("packaged"))));
    }
    Path resources = root.resolve("archetype-resources");
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(resources)) {
      for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
        files.put(resources.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return new ProjectTemplate(defaults, sets, files);
  }

  /** The descriptor's default for {@code key}, or null. */
  String defaultOf(String key) {
    return defaults.get(key);
  }

  /**
   * The project's files (relative path → bytes) for these properties ({@code groupId},
   * {@code artifactId}, {@code version}, {@code package} and the descriptor's own).
   *
   * @throws IllegalArgumentException if a required property is missing
   */
  Map<String, byte[]> render(Map<String, String> given) {
    Map<String, String> props = new LinkedHashMap<>();
    defaults.forEach((k, v) -> {
      if (v != null) {
        props.put(k, v);
      }
    });
    props.putAll(given);
    for (String k : List.of("groupId", "artifactId", "version", "package")) {
      if (props.get(k) == null) {
        throw new IllegalArgumentException("the template needs the property " + k);
      }
    }
    for (String k : defaults.keySet()) {
      if (props.get(k) == null) {
        throw new IllegalArgumentException("the template needs the property " + k);
      }
    }
    props.put("packageInPathFormat", props.get("package").replace('.', '/'));
    Map<String, byte[]> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String path = f.getKey();
      if (path.equals("pom.xml")) {
        out.put(path, filter(path, f.getValue(), props));
        continue;
      }
      for (FileSet s : fileSets) {
        String prefix = s.directory().isEmpty() ? "" : s.directory() + "/";
        if (!path.startsWith(prefix)) {
          continue;
        }
        String rel = path.substring(prefix.length());
        if (!matches(s.includes(), rel) || (!s.excludes().isEmpty() && matches(s.excludes(), rel))) {
          continue;
        }
        String target = prefix + (s.packaged() ? props.get("packageInPathFormat") + "/" : "") + rel;
        for (Map.Entry<String, String> p : props.entrySet()) {
          target = target.replace("__" + p.getKey() + "__", p.getValue());
        }
        out.put(target, s.filtered() ? filter(path, f.getValue(), props) : f.getValue());
        break;
      }
    }
    return out;
  }

  private static byte[] filter(String path, byte[] bytes, Map<String, String> props) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    Matcher d = DIRECTIVE.matcher(text);
    if (d.find()) {
      throw new IllegalStateException("template " + path + " uses Velocity beyond ${property} ('"
          + d.group() + "'), which tributary init does not render: keep templates to ${property}");
    }
    Matcher m = REFERENCE.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = props.get(m.group(1));
      // Velocity leaves a reference it cannot resolve as written, e.g. ${project.version}.
      m.appendReplacement(sb, Matcher.quoteReplacement(v != null ? v : m.group()));
    }
    m.appendTail(sb);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean matches(List<String> patterns, String rel) {
    Path p = Path.of(rel);
    for (String pattern : patterns) {
      List<String> variants = new ArrayList<>(List.of(pattern));
      if (pattern.startsWith("**/")) {
        variants.add(pattern.substring(3)); // Ant's **/ also matches no folder at all
      }
      for (String v : variants) {
        PathMatcher pm = FileSystems.getDefault().getPathMatcher("glob:" + v);
        if (pm.matches(p)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<Element> elements(Element parent, String localName) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getElementsByTagNameNS("*", localName);
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add((Element) nodes.item(i));
    }
    return out;
  }

  private static List<String> texts(Element parent, String localName) {
    List<String> out = new ArrayList<>();
    for (Element e : elements(parent, localName)) {
      out.add(e.getTextContent().trim());
    }
    return out;
  }
}
