package dev.tributary.runner;

import dev.tributary.Connector;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What {@code tributary demo} runs, loaded at run time from the jars of the demo's own modules
 * (the demo orders API of {@code examples/demo-source}, the connector of
 * {@code examples/orders-api}) in a {@link UserCodeLoader}, exactly as a user's connector is: the
 * runner jar carries no example code. The launcher passes the jars as the system property
 * {@value #PROPERTY}; {@code tributary demo --classpath} overrides it.
 *
 * <p>The demo source knows nothing of Tributary, so it is driven through a few reflective calls
 * on its public API ({@code DemoSource.start}, {@code seed}, {@code mutate}, {@code snapshot}).
 */
final class DemoModules implements AutoCloseable {
  static final String PROPERTY = "tributary.demo.classpath";
  private static final String SOURCE = "dev.tributary.examples.demo.DemoSource";

  private final ClassLoader loader;
  private final Class<?> sourceClass;

  private DemoModules(ClassLoader loader, Class<?> sourceClass) {
    this.loader = loader;
    this.sourceClass = sourceClass;
  }

  /**
   * The demo's modules on {@code classpath} (or the launcher's {@value #PROPERTY} when null).
   *
   * @throws IllegalArgumentException saying how to build or name the jars when they are missing
   */
  static DemoModules load(String classpath) {
    String cp = classpath != null ? classpath : System.getProperty(PROPERTY);
    String build = "; run the demo with ./tributary demo from a Tributary checkout (it builds"
        + " examples/orders-api and examples/demo-source), or name their jars with"
        + " tributary demo --classpath <orders-api-gcp.jar>" + java.io.File.pathSeparator
        + "<tributary-example-demo-source.jar>";
    if (cp == null || cp.isBlank()) {
      throw new IllegalArgumentException("the demo's connector and source are not part of the"
          + " runner and no jars were named for them" + build);
    }
    for (String p : cp.split(java.io.File.pathSeparator)) {
      if (!p.isBlank() && !Files.exists(Path.of(p))) {
        throw new IllegalArgumentException("demo jar " + p + " does not exist" + build);
      }
    }
    ClassLoader loader = UserCodeLoader.of(cp, DemoModules.class.getClassLoader());
    try {
      return new DemoModules(loader, Class.forName(SOURCE, true, loader));
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(SOURCE + " is not in " + cp + build);
    }
  }

  ClassLoader loader() {
    return loader;
  }

  /** The example connector, from its module's {@code META-INF/services}. */
  Connector connector() throws Exception {
    return UserCodeLoader.with(loader, Connector::load);
  }

  /** Starts a demo source; injected failures every n-th request when n &gt; 0. */
  Source start(long seed, int rateLimitEvery, int serverErrorEvery) throws Exception {
    Class<?> options = Class.forName(SOURCE + "$Options", true, loader);
    Object builder = options.getMethod("builder").invoke(null);
    Class<?> b = builder.getClass();
    b.getMethod("seed", long.class).invoke(builder, seed);
    if (rateLimitEvery > 0) {
      b.getMethod("rateLimitEvery", int.class).invoke(builder, rateLimitEvery);
    }
    if (serverErrorEvery > 0) {
      b.getMethod("serverErrorEvery", int.class).invoke(builder, serverErrorEvery);
    }
    Object built = b.getMethod("build").invoke(builder);
    return new Source(call(sourceClass.getMethod("start", options), null, built));
  }

  @Override
  public void close() throws Exception {
    if (loader instanceof AutoCloseable) {
      ((AutoCloseable) loader).close();
    }
  }

  private static Object call(Method m, Object target, Object... args) throws Exception {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    }
  }

  /** A running demo source. */
  final class Source implements AutoCloseable {
    private final Object source;

    Source(Object source) {
      this.source = source;
    }

    private Object invoke(String method, Object... args) throws Exception {
      Class<?>[] types = new Class<?>[args.length];
      for (int i = 0; i < args.length; i++) {
        types[i] = args[i] instanceof Integer ? int.class : args[i].getClass();
      }
      return call(sourceClass.getMethod(method, types), source, args);
    }

    String baseUrl() throws Exception {
      return (String) invoke("baseUrl");
    }

    String apiToken() throws Exception {
      return (String) invoke("apiToken");
    }

    void seed(int customers, int ordersPerCustomer) throws Exception {
      invoke("seed", customers, ordersPerCustomer);
    }

    /** One round of changes: resource → {inserted, updated, deleted}. */
    Map<String, int[]> mutate(Random random) throws Exception {
      Object changes = invoke("mutate", random);
      Map<?, ?> byResource = (Map<?, ?>) changes.getClass().getMethod("byResource").invoke(changes);
      Map<String, int[]> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : byResource.entrySet()) {
        Object c = e.getValue();
        Class<?> k = c.getClass();
        out.put(String.valueOf(e.getKey()), new int[] {(int) k.getMethod("inserted").invoke(c),
            (int) k.getMethod("updated").invoke(c), (int) k.getMethod("deleted").invoke(c)});
      }
      return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<List<Object>, Map<String, Object>>> snapshot() throws Exception {
      return (Map<String, Map<List<Object>, Map<String, Object>>>) invoke("snapshot");
    }

    @SuppressWarnings("unchecked")
    Map<String, List<String>> primaryKeys() throws Exception {
      return (Map<String, List<String>>) sourceClass.getField("PRIMARY_KEYS").get(null);
    }

    @SuppressWarnings("unchecked")
    Map<Integer, Long> responses() throws Exception {
      return (Map<Integer, Long>) invoke("responses");
    }

    @Override
    public void close() throws Exception {
      invoke("close");
    }
  }
}
