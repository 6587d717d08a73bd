package dev.flowstore.server.internal.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.internal.Json;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.IExpressionContext;
import org.thymeleaf.linkbuilder.StandardLinkBuilder;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * Renders the dashboard's Thymeleaf templates (read from the jar, parsed once and cached; every
 * {@code th:text} is HTML-escaped) and sets the headers every page carries: a Content Security
 * Policy that allows only the server's own script and styles, no framing, no caching.
 */
final class Views {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final TemplateEngine engine = new TemplateEngine();

  Views() {
    ClassLoaderTemplateResolver resolver =
        new ClassLoaderTemplateResolver(Views.class.getClassLoader());
    resolver.setPrefix("dev/flowstore/server/dashboard/");
    resolver.setSuffix(".html");
    resolver.setTemplateMode(TemplateMode.HTML);
    resolver.setCharacterEncoding("UTF-8");
    resolver.setCacheable(true);
    engine.setTemplateResolver(resolver);
    engine.setLinkBuilder(
        new StandardLinkBuilder() {
          // why: the server has no servlet context path; @{/ui/...} links are absolute as written
          @Override
          protected String computeContextPath(
              IExpressionContext context, String base, Map<String, Object> parameters) {
            return "";
          }
        });
  }

  /** Renders {@code template} (or only its fragment {@code fragment}, if not null) as the page. */
  void render(
      Context ctx, int status, Viewer viewer, String template, String fragment, Model model) {
    Map<String, Object> vars = new HashMap<>(model.values);
    // why plain values, not the Viewer: templates read them by name, and nothing private leaks
    vars.put("signedIn", viewer != null);
    if (viewer != null) {
      vars.put("tenant", viewer.tenant().value());
      vars.put("scope", viewer.scope().wire());
      vars.put("who", viewer.keyId() == null ? "dev mode (open)" : "key " + viewer.keyId());
      vars.put("devMode", viewer.keyId() == null);
      vars.put("canAct", viewer.canAct());
      vars.put("canChoose", viewer.canChooseTenant());
      vars.put("csrf", viewer.csrf());
    }
    vars.put("path", ctx.path());
    vars.put("section", section(ctx.path()));
    org.thymeleaf.context.Context context = new org.thymeleaf.context.Context(Locale.ROOT, vars);
    String html =
        fragment == null
            ? engine.process(template, context)
            : engine.process(template, Set.of(fragment), context);
    headers(ctx);
    ctx.status(status).contentType("text/html; charset=utf-8").result(html);
  }

  /** The nav entry a page belongs to: {@code /ui/jobs/x} -> queues. */
  static String section(String path) {
    String[] parts = path.split("/");
    if (parts.length < 3) return "overview";
    return switch (parts[2]) {
      case "jobs" -> "queues";
      case "streams" -> "events";
      default -> parts[2];
    };
  }

  static void headers(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Cache-Control", "no-store");
  }

  /** A record's API JSON as a map the templates read ({@code ${job.job_id}}). */
  static Map<String, Object> map(ObjectNode json) {
    Map<String, Object> m = Json.MAPPER.convertValue(json, MAP);
    m.put("_json", pretty(json));
    return m;
  }

  static <T> List<Map<String, Object>> maps(List<T> items, Function<T, ObjectNode> json) {
    return items.stream().map(i -> map(json.apply(i))).toList();
  }

  /** Indented JSON, for the JSON panels. */
  static String pretty(JsonNode json) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a page shows: named values for its template. */
  static final class Model {
    private final Map<String, Object> values = new HashMap<>();

    Model put(String name, Object value) {
      values.put(name, value);
      return this;
    }
  }
}
