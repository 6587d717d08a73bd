package dev.flowstore.internal;

import dev.flowstore.FlowstoreException;
import dev.flowstore.spi.ConfigSection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The plug-ins on the classpath ({@link ServiceLoader}), and the one error for a backend name none
 * of them has. Why from the classpath and not a list of names: a backend is added by adding its
 * module, so the names flowstore accepts are the names of the providers it finds.
 */
public final class Providers {
  private Providers() {}

  /** Every provider of {@code type} on the classpath. */
  public static <P> List<P> all(Class<P> type) {
    List<P> found = new ArrayList<>();
    ServiceLoader.load(type).forEach(found::add);
    return found;
  }

  /** The names of the providers of {@code type} on the classpath, sorted. */
  public static <P> List<String> names(Class<P> type, Function<P, String> nameOf) {
    TreeSet<String> names = new TreeSet<>();
    for (P p : all(type)) names.add(nameOf.apply(p));
    return List.copyOf(names);
  }

  /**
   * The provider of {@code type} named {@code name}.
   *
   * @throws FlowstoreException {@link #unknown} when none is on the classpath
   */
  public static <P> P find(Class<P> type, Function<P, String> nameOf, String key, String name) {
    List<String> names = new ArrayList<>();
    for (P p : all(type)) {
      if (nameOf.apply(p).equals(name)) return p;
      names.add(nameOf.apply(p));
    }
    throw unknown(key, name, names, type);
  }

  /**
   * {@code CONFIGURATION}: {@code key} names a backend that no provider on the classpath has; the
   * message names the ones found and what would provide {@code name}.
   */
  public static FlowstoreException unknown(
      String key, String name, Collection<String> found, Class<?> type) {
    return ConfigSection.invalid(
        key,
        "must be one of "
            + new TreeSet<>(found)
            + " (found on the classpath), got '"
            + name
            + "'; add the module that provides it (a jar registering a "
            + type.getName()
            + " named '"
            + name.toLowerCase(Locale.ROOT)
            + "')");
  }
}
