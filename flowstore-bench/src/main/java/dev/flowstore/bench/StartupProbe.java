package dev.flowstore.bench;

import dev.flowstore.Flowstore;
import dev.flowstore.server.FlowstoreServer;
import io.javalin.Javalin;
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
 * included) or, as the baseline, a bare Javalin server with one route; answers one HTTP request;
 * prints {@code ready_ms=<since JVM start> rss_kb=<peak resident set>} and exits.
 */
public final class StartupProbe {
  private StartupProbe() {}

  public static void main(String[] args) throws Exception {
    boolean flowstore = args.length > 0 && args[0].equals("flowstore");
    Path dir = Files.createTempDirectory("bench-startup-");
    int status;
    if (flowstore) {
      try (Flowstore fs = Flowstore.open(Env.flowstoreSqlite(dir, Map.of()));
          FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0)) {
        status = get(server.uri().resolve("/health/ready"));
        report(status);
      }
    } else {
      Javalin app =
          Javalin.create(
                  c -> {
                    c.startup.showJavalinBanner = false;
                    c.concurrency.useVirtualThreads = true;
                    c.jetty.host = "127.0.0.1";
                    c.jetty.port = 0;
                    c.routes.get("/health", ctx -> ctx.result("{\"status\":\"up\"}"));
                  })
              .start();
      status = get(URI.create("http://127.0.0.1:" + app.port() + "/health"));
      report(status);
      app.stop();
    }
    Env.deleteTree(dir);
    System.exit(0);
  }

  private static void report(int status) throws Exception {
    long readyMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    System.out.println("status=" + status + " ready_ms=" + readyMs + " rss_kb=" + rss);
    System.out.flush();
  }

  private static int get(URI uri) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> res =
        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    return res.statusCode();
  }
}
