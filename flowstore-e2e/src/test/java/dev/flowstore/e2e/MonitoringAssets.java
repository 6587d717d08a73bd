package dev.flowstore.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flowstore.testkit.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docs/monitoring: the alert rules and the Grafana dashboard, and the metrics they name. */
final class MonitoringAssets {
  // the server's own families; PromQL functions, labels and Prometheus' "up" never match these
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:flowstore|http_server|jvm|process|system)_[a-zA-Z0-9_]+)\\b");

  private MonitoringAssets() {}

  static Path dir() {
    return ServerProcess.repoRoot().resolve("docs").resolve("monitoring");
  }

  static Path rules() {
    return dir().resolve("flowstore-alerts.yml");
  }

  static Path dashboard() {
    return dir().resolve("flowstore-dashboard.json");
  }

  /** Every rule's {@code expr}. */
  static List<String> ruleExpressions() {
    try {
      JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(rules().toFile());
      List<String> out = new ArrayList<>();
      for (JsonNode group : doc.get("groups"))
        for (JsonNode rule : group.get("rules")) out.add(rule.get("expr").asText());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel target's {@code expr}. */
  static List<String> dashboardExpressions() {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : dashboardJson().get("panels"))
      for (JsonNode target : panel.get("targets")) out.add(target.get("expr").asText());
    return out;
  }

  static JsonNode dashboardJson() {
    try {
      return new ObjectMapper().readTree(dashboard().toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server metrics named by the rules and the dashboard. */
  static Set<String> metricNames() {
    Set<String> names = new TreeSet<>();
    List<String> all = new ArrayList<>(ruleExpressions());
    all.addAll(dashboardExpressions());
    for (String expr : all) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) names.add(m.group(1));
    }
    return names;
  }
}
