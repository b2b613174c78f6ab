package dev.tributary.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A user's jar, built in a test the way a user's build makes one: Java sources compiled with
 * javac against the framework's classes, plus resources such as {@code META-INF/services} files.
 * Nothing of it is on the test's class path, so the runner can reach it only through
 * {@code --classpath}.
 */
final class UserJar {
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, byte[]> resources = new LinkedHashMap<>();
  private final List<String> leaveOut = new ArrayList<>();

  /** A source file, by its class's binary name ({@code com.example.Foo}). */
  UserJar source(String className, String code) {
    sources.put(className, code);
    return this;
  }

  /** A resource file, e.g. {@code META-INF/services/dev.tributary.Connector}. */
  UserJar resource(String path, String text) {
    resources.put(path, text.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  UserJar resource(String path, byte[] bytes) {
    resources.put(path, bytes);
    return this;
  }

  /** Compiles {@code className} but leaves its class file out of the jar (a broken build). */
  UserJar leaveOut(String className) {
    leaveOut.add(className.replace('.', '/'));
    return this;
  }

  /** Compiles against the classes of {@code onClasspath} and writes {@code dir/name}. */
  Path build(Path dir, String name, Class<?>... onClasspath) throws IOException {
    Path src = Files.createTempDirectory(dir, "src");
    Path classes = Files.createTempDirectory(dir, "classes");
    List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(),
        "-classpath", classpath(onClasspath)));
    for (Map.Entry<String, String> s : sources.entrySet()) {
      Path file = src.resolve(s.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, s.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, args.toArray(new String[0]));
    if (rc != 0) {
      throw new IllegalStateException("the test's user sources did not compile (javac " + rc + ")");
    }
    Path jar = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
         Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String entry = classes.relativize(f).toString().replace('\\', '/');
        if (leaveOut.stream().anyMatch(c -> entry.equals(c + ".class"))) {
          continue;
        }
        out.putNextEntry(new JarEntry(entry));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
      for (Map.Entry<String, byte[]> r : resources.entrySet()) {
        out.putNextEntry(new JarEntry(r.getKey()));
        out.write(r.getValue());
        out.closeEntry();
      }
    }
    return jar;
  }

  /** Where a class of this test's class path was loaded from: a jar or a classes folder. */
  static Path locationOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new UncheckedIOException(new IOException(e));
    }
  }

  private static String classpath(Class<?>... classes) {
    StringBuilder sb = new StringBuilder();
    for (Class<?> c : classes) {
      sb.append(sb.length() == 0 ? "" : java.io.File.pathSeparator).append(locationOf(c));
    }
    return sb.toString();
  }
}
