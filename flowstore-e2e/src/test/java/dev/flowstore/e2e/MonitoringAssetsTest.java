package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules pass Prometheus' own checks — {@code promtool check rules} (syntax, PromQL) and
 * {@code promtool test rules} (each alert fires on the series it is about, see
 * docs/monitoring/flowstore-alerts-test.yml) — and the Grafana dashboard is importable: JSON with a
 * Prometheus datasource input, unique panel ids, a query on every panel. That the metrics they name
 * exist is checked against a running server by {@link ObservabilityE2eContract}. promtool comes
 * from Debian's {@code prometheus} package; a machine without it skips these checks with a loud
 * message, except under {@code CI=true}, where it fails.
 */
class MonitoringAssetsTest {
  @Test
  void promtoolChecksTheRules() throws Exception {
    assertThat(promtool("check", "rules", MonitoringAssets.rules().toString())).contains("SUCCESS");
  }

  @Test
  void promtoolUnitTestsTheAlerts() throws Exception {
    assertThat(
            promtool(
                "test",
                "rules",
                MonitoringAssets.dir().resolve("flowstore-alerts-test.yml").toString()))
        .contains("SUCCESS");
  }

  @Test
  void everyAlertHasASeverityAndHelp() throws IOException {
    JsonNode doc =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(MonitoringAssets.rules().toFile());
    for (JsonNode rule : doc.get("groups").get(0).get("rules")) {
      String name = rule.get("alert").asText();
      assertThat(rule.at("/labels/severity").asText()).as(name).isIn("warning", "critical");
      assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
      assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
    }
  }

  @Test
  void theDashboardIsImportable() {
    JsonNode d = MonitoringAssets.dashboardJson();
    assertThat(d.get("title").asText()).isEqualTo("flowstore");
    assertThat(d.at("/__inputs/0/pluginId").asText()).isEqualTo("prometheus");
    String input = "${" + d.at("/__inputs/0/name").asText() + "}";
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : d.get("panels")) {
      String title = panel.get("title").asText();
      assertThat(ids.add(panel.get("id").asInt())).as("unique id of " + title).isTrue();
      assertThat(panel.at("/datasource/uid").asText()).as(title).isEqualTo(input);
      assertThat(panel.get("targets")).as(title).isNotEmpty();
      for (JsonNode t : panel.get("targets"))
        assertThat(t.get("expr").asText()).as(title).isNotBlank();
    }
    assertThat(ids).hasSizeGreaterThanOrEqualTo(10);
  }

  private static String promtool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .directory(MonitoringAssets.dir().toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      String message =
          "ALERT RULE CHECKS NOT RUN: promtool is not installed (apt-get install prometheus, Debian,"
              + " puts it on the PATH)";
      MissingTool.failInCiElseSkip(message);
      throw new AssertionError(message, e);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + out).isZero();
    return out;
  }
}
