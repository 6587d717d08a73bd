package dev.flowstore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.server.FlowstoreServer;
import io.javalin.Javalin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Row 9, run in a child JVM: starts the embedded server (SQLite in a new directory, migrations
 * included) or, as the baseline, a bare Javalin server. Modes {@code flowstore} / {@code javalin}
 * answer one HTTP request, print {@code ready_ms=<since JVM start> rss_kb=<peak resident set>} and
 * exit. Modes {@code flowstore-serve} / {@code javalin-serve} print {@code port=<port>} and serve
 * until the parent closes this process's stdin (the parent drives load and reads VmHWM itself); the
 * bare Javalin then also has {@code POST /v1/streams/{stream}/events}, which parses the body with
 * Jackson and answers 201 with a small JSON object.
 */
public final class StartupProbe {
  private StartupProbe() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "javalin";
    boolean serve = mode.endsWith("-serve");
    Path dir = Files.createTempDirectory("bench-startup-");
    if (mode.startsWith("flowstore")) {
      try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(dir, Map.of()));
          FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0)) {
        if (serve) serveUntilStdinCloses(server.port());
        else report(get(server.uri().resolve("/health/ready")));
      }
    } else {
      Javalin app = javalin(serve);
      if (serve) serveUntilStdinCloses(app.port());
      else report(get(URI.create("http://127.0.0.1:" + app.port() + "/health")));
      app.stop();
    }
    Env.deleteTree(dir);
    System.exit(0);
  }

  private static Javalin javalin(boolean appendRoute) {
    ObjectMapper json = appendRoute ? new ObjectMapper() : null;
    return Javalin.create(
            c -> {
              c.startup.showJavalinBanner = false;
              c.concurrency.useVirtualThreads = true;
              c.jetty.host = "127.0.0.1";
              c.jetty.port = 0;
              c.routes.get("/health", ctx -> ctx.result("{\"status\":\"up\"}"));
              if (appendRoute)
                c.routes.post(
                    "/v1/streams/{stream}/events",
                    ctx -> {
                      JsonNode body = json.readTree(ctx.bodyAsBytes());
                      if (!body.path("events").isArray()) throw new IllegalArgumentException();
                      ObjectNode answer = json.createObjectNode();
                      answer.put("stream", ctx.pathParam("stream"));
                      answer.put("next_expected_version", body.get("events").size() - 1);
                      answer.put("replayed", false);
                      ctx.status(201)
                          .contentType("application/json")
                          .result(json.writeValueAsBytes(answer));
                    });
            })
        .start();
  }

  private static void serveUntilStdinCloses(int port) throws IOException {
    System.out.println("port=" + port);
    System.out.flush();
    while (System.in.read() >= 0) {
      // the parent never writes; EOF is the signal to stop
    }
  }

  private static void report(int status) throws Exception {
    long readyMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    System.out.println(
        "status="
            + status
            + " ready_ms="
            + readyMs
            + " rss_kb="
            + peakRssKb(Path.of("/proc/self")));
    System.out.flush();
  }

  /** VmHWM (peak resident set, kB) of the process whose /proc directory is {@code proc}. */
  static long peakRssKb(Path proc) throws IOException {
    long rss = 0;
    for (String line : Files.readAllLines(proc.resolve("status"))) {
      if (line.startsWith("VmHWM:")) rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return rss;
  }

  private static int get(URI uri) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> res =
        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    return res.statusCode();
  }
}
