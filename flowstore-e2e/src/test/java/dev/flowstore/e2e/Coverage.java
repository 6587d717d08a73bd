package dev.flowstore.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flowstore.testkit.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which operations of openapi.yaml a suite exercised with a 2xx answer and with a 4xx answer that
 * had the JSON error body. The operations are read from the document itself (the source file the
 * server serves), so a new endpoint is missing here until a test drives it.
 */
final class Coverage {
  static final Path OPENAPI =
      Path.of("flowstore-server", "src", "main", "resources", "dev", "flowstore", "server")
          .resolve("openapi.yaml");
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options");

  /** "GET /v1/flows" -> whether the operation declares any 4xx response. */
  private final Map<String, Boolean> operations;

  private final Set<String> succeeded = ConcurrentHashMap.newKeySet();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();

  Coverage() {
    this.operations = operations(ServerProcess.repoRoot().resolve(OPENAPI));
  }

  static Map<String, Boolean> operations(Path openapi) {
    try {
      JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(openapi.toFile()).get("paths");
      Map<String, Boolean> ops = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> p = paths.fields(); p.hasNext(); ) {
        Map.Entry<String, JsonNode> path = p.next();
        for (Iterator<Map.Entry<String, JsonNode>> m = path.getValue().fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> method = m.next();
          if (!METHODS.contains(method.getKey())) continue;
          boolean has4xx = false;
          for (Iterator<String> codes = method.getValue().path("responses").fieldNames();
              codes.hasNext(); ) has4xx |= codes.next().startsWith("4");
          ops.put(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), has4xx);
        }
      }
      return ops;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + openapi, e);
    }
  }

  int size() {
    return operations.size();
  }

  void requireKnown(String method, String template) {
    if (!operations.containsKey(method + " " + template))
      throw new IllegalArgumentException(
          method + " " + template + " is not an operation of " + OPENAPI);
  }

  void record(String method, String template, Api.Response r) {
    String op = method + " " + template;
    if (r.status() >= 200 && r.status() < 300) succeeded.add(op);
    else if (r.status() >= 400 && r.status() < 500 && hasErrorBody(r)) refused.add(op);
  }

  private static boolean hasErrorBody(Api.Response r) {
    if (!r.contentType().startsWith("application/json")) return false;
    try {
      JsonNode error = Api.JSON.readTree(r.body()).path("error");
      return !error.path("code").asText().isEmpty()
          && !error.path("message").asText().isEmpty()
          && error.path("trace_id").asText().equals(r.traceId());
    } catch (IOException e) {
      return false;
    }
  }

  /** Operations without a 2xx, and those declaring a 4xx without one; empty when complete. */
  List<String> missing() {
    List<String> missing = new ArrayList<>();
    operations.forEach(
        (op, has4xx) -> {
          if (!succeeded.contains(op)) missing.add(op + " (no 2xx)");
          if (has4xx && !refused.contains(op)) missing.add(op + " (no 4xx with the error body)");
        });
    return missing;
  }

  /**
   * Operations whose document declares no 4xx answer (the health probes, metrics, the document).
   */
  List<String> without4xx() {
    return operations.entrySet().stream()
        .filter(e -> !e.getValue())
        .map(Map.Entry::getKey)
        .toList();
  }
}
