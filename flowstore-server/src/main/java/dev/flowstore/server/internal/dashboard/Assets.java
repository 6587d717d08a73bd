package dev.flowstore.server.internal.dashboard;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The dashboard's own script and stylesheet, served from the jar. */
final class Assets {
  private static final Map<String, String> TYPES =
      Map.of(
          "dashboard.js", "text/javascript; charset=utf-8",
          "dashboard.css", "text/css; charset=utf-8");

  private Assets() {}

  static void serve(Context ctx) throws IOException {
    String file = ctx.pathParam("file");
    String type = TYPES.get(file);
    InputStream in =
        type == null
            ? null
            : Assets.class.getResourceAsStream("/dev/flowstore/server/dashboard/static/" + file);
    if (in == null) {
      ctx.status(404).contentType("text/plain").result("no such file: " + file);
      return;
    }
    try (in) {
      ctx.contentType(type).header("Cache-Control", "max-age=300").result(in.readAllBytes());
    }
  }
}
