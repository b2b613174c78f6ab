package dev.tributary.runner;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The class loader a user's jars run in: child-first, so the user's classes and their
 * {@code META-INF/services} files win over anything the runner carries, except for the few
 * packages the runner and the user's code must share to talk to each other.
 *
 * <p>Shared (parent-first): the core's packages ({@code dev.tributary},
 * {@code dev.tributary.internal}) — so a user's {@code Connector} is
 * the runner's {@code Connector} even when a shaded jar carries its own copy of the core — the
 * Lambda runtime interfaces ({@code com.amazonaws.services.lambda.runtime}), and Jackson, the
 * core's JSON library, whose values and annotations cross between the core and the user's code.
 * Everything else, including the cloud adapters ({@code dev.tributary.aws} and the others), the
 * source cache ({@code dev.tributary.cache}, not in the core), OkHttp and the user's own
 * dependencies, comes from the user's jars first.
 *
 * <p>A service file ({@code META-INF/services/<interface>}) in the user's jars replaces the
 * runner's file of that name rather than adding to it, so {@link dev.tributary.Connector#load()}
 * sees the user's connectors only.
 */
final class UserCodeLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  private static final String SERVICES = "META-INF/services/";

  private final String description;

  private UserCodeLoader(URL[] urls, ClassLoader parent, String description) {
    super("tributary-user-code", urls, parent);
    this.description = description;
  }

  /**
   * A loader over {@code classpath} (entries separated by the platform's path separator), or the
   * runner's own loader when it is empty.
   *
   * @throws IllegalArgumentException naming the entry that is missing or not a path
   */
  static ClassLoader of(String classpath, ClassLoader parent) {
    if (classpath == null || classpath.isBlank()) {
      return parent;
    }
    List<URL> urls = new ArrayList<>();
    for (String p : classpath.split(File.pathSeparator)) {
      if (p.isBlank()) {
        continue;
      }
      Path path;
      try {
        path = Path.of(p);
        urls.add(path.toUri().toURL());
      } catch (RuntimeException | MalformedURLException e) {
        throw new IllegalArgumentException("--classpath entry '" + p + "' is not a path");
      }
      if (!Files.exists(path)) {
        throw new IllegalArgumentException("--classpath entry " + path.toAbsolutePath()
            + " does not exist; build your connector first (mvn package) or fix the path");
      }
    }
    return new UserCodeLoader(urls.toArray(new URL[0]), parent, classpath);
  }

  /** True for classes the runner and the user's code must share (see the class comment). */
  static boolean shared(String className) {
    String pkg = className.lastIndexOf('.') < 0 ? "" : className.substring(0, className.lastIndexOf('.'));
    return pkg.startsWith("java.") || pkg.startsWith("javax.") || pkg.startsWith("jdk.")
        || pkg.startsWith("sun.") || pkg.startsWith("com.sun.")
        || pkg.equals("dev.tributary") || pkg.equals("dev.tributary.internal")
        || pkg.equals("com.amazonaws.services.lambda.runtime")
        || pkg.startsWith("com.amazonaws.services.lambda.runtime.")
        || pkg.startsWith("com.fasterxml.jackson.");
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        if (shared(name)) {
          try {
            c = getParent().loadClass(name);
          } catch (ClassNotFoundException e) {
            c = findClass(name);
          }
        } else {
          try {
            c = findClass(name);
          } catch (ClassNotFoundException e) {
            c = getParent().loadClass(name);
          }
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  @Override
  public URL getResource(String name) {
    URL url = findResource(name);
    return url != null ? url : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> own = Collections.list(findResources(name));
    if (name.startsWith(SERVICES) && !own.isEmpty()) {
      return Collections.enumeration(own);
    }
    List<URL> all = new ArrayList<>(own);
    all.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(all);
  }

  /** Runs {@code work} with {@code loader} as the thread's context class loader, then restores it. */
  static <T> T with(ClassLoader loader, Callable<T> work) throws Exception {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return work.call();
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  @Override
  public String toString() {
    return "UserCodeLoader[" + description + "]";
  }
}
