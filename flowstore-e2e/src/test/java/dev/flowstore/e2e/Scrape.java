package dev.flowstore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of {@code GET /metrics}, parsed from the Prometheus text format. */
final class Scrape {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;
  private final String text;

  private Scrape(String text) {
    this.text = text;
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      Matcher m = SAMPLE.matcher(line.strip());
      if (!m.matches()) throw new AssertionError("not a Prometheus sample line: " + line);
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) labels.put(l.group(1), l.group(2));
      }
      out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
    }
    this.samples = List.copyOf(out);
  }

  static Scrape of(URI server) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(server.resolve("/metrics"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) throw new AssertionError("GET /metrics: " + r.statusCode());
      return new Scrape(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The sum of every sample named {@code name} whose labels include {@code labels} (pairs). */
  double sum(String name, String... labels) {
    double total = 0;
    for (Sample s : matching(name, labels)) total += s.value();
    return total;
  }

  List<Sample> matching(String name, String... labels) {
    List<Sample> out = new ArrayList<>();
    next:
    for (Sample s : samples) {
      if (!s.name().equals(name)) continue;
      for (int i = 0; i < labels.length; i += 2)
        if (!labels[i + 1].equals(s.labels().get(labels[i]))) continue next;
      out.add(s);
    }
    return out;
  }

  boolean has(String name, String... labels) {
    return !matching(name, labels).isEmpty();
  }

  /** Every metric family name exported (sample names, so histograms give their _bucket etc.). */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    for (Sample s : samples) names.add(s.name());
    return names;
  }

  @Override
  public String toString() {
    return text;
  }
}
