package dev.flowstore.server.internal.cli;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Builds the configuration the way {@link FlowstoreConfig#fromEnvironment()} does — {@code
 * flowstore.properties} (or the file {@code FLOWSTORE_CONFIG} names), then the environment on top — from an
 * explicit environment map (tests inject one) plus command-line overrides on top of both.
 */
final class ConfigLoader {
  private ConfigLoader() {}

  static FlowstoreConfig load(Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>();
    String file = env.get("FLOWSTORE_CONFIG");
    boolean named = file != null && !file.isBlank();
    Path path = Path.of(named ? file : "flowstore.properties");
    if (Files.exists(path)) merged.putAll(read(path));
    else if (named) throw bad("FLOWSTORE_CONFIG", "file " + path + " does not exist");
    for (String key : FlowstoreConfig.KEYS) {
      if (env.containsKey(key)) merged.put(key, env.get(key));
    }
    merged.putAll(overrides);
    return FlowstoreConfig.fromMap(merged);
  }

  private static Map<String, String> read(Path path) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(path)) {
      p.load(r);
    } catch (IOException e) {
      throw bad("FLOWSTORE_CONFIG", "cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> out = new HashMap<>();
    for (String name : p.stringPropertyNames()) {
      if (!FlowstoreConfig.KEYS.contains(name)) throw bad(name, "unknown key in " + path);
      out.put(name, p.getProperty(name));
    }
    return out;
  }

  private static FlowstoreException bad(String key, String what) {
    return new FlowstoreException(ErrorCode.CONFIGURATION, key + ": " + what);
  }
}
