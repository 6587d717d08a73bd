package dev.flowstore.server.internal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** flowstore's version, as Maven wrote it into {@code version.properties} at build time. */
public final class Version implements IVersionProvider {
  private static final String VERSION = load();

  public static String get() {
    return VERSION;
  }

  /** The line {@code flowstore version} and {@code flowstore --version} print. */
  public static String line() {
    return "flowstore " + VERSION + " (Java " + Runtime.version() + ")";
  }

  @Override
  public String[] getVersion() {
    return new String[] {line()};
  }

  private static String load() {
    try (InputStream in =
        Version.class.getResourceAsStream("/dev/flowstore/server/version.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
