package dev.flowstore.server.internal.dashboard;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.flowstore.ApiKeys;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.TenantId;
import dev.flowstore.server.internal.http.RequestScope;
import dev.flowstore.server.internal.http.Route;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's routes and its access rules (docs/dashboard.md "Access").
 *
 * <p>Embedded dev mode (loopback, no API key): open; the browser gets a session anyway, for its
 * CSRF token. Otherwise a browser signs in with an API key and gets a session cookie ({@code
 * HttpOnly}, {@code SameSite=Strict}, {@code Secure} over https); the key's scope decides what the
 * pages show and allow: a tenant key its tenant, an admin key any tenant it chooses, a read key
 * sees but cannot act. A revoked key's sessions end at their next request. Every POST carries the
 * session's CSRF token. These routes are not part of the {@code /v1} API and not in openapi.yaml.
 */
public final class Dashboard {
  static final String COOKIE = "flowstore_session";
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

  private final Flowstore flowstore;
  private final RequestScope scope;
  private final SignIns signIns;
  private final Views views = new Views();

  private Dashboard(Flowstore flowstore, RequestScope scope, Clock clock) {
    this.flowstore = flowstore;
    this.scope = scope;
    this.signIns = new SignIns(clock);
  }

  /** A page: reads the store for {@code viewer} and renders. */
  @FunctionalInterface
  interface Page {
    void handle(Context ctx, Viewer viewer) throws Exception;
  }

  /** The dashboard's routes. */
  public static List<Route> routes(Flowstore flowstore, RequestScope scope, Clock clock) {
    Dashboard d = new Dashboard(flowstore, scope, clock);
    Overview overview = new Overview(flowstore, d.views, clock);
    QueuePages queues = new QueuePages(flowstore, d.views);
    WorkflowPages workflow = new WorkflowPages(flowstore, d.views);
    AdminPages admin = new AdminPages(flowstore, d.views, clock);
    RecordPages records = new RecordPages(flowstore, d.views);
    return List.of(
        new Route(GET, "/", d.page(overview::page)),
        new Route(GET, "/ui/live/overview", d.page(overview::live)),
        new Route(GET, "/ui/static/{file}", Assets::serve),
        new Route(GET, "/ui/login", d::loginForm),
        new Route(POST, "/ui/login", d::login),
        new Route(POST, "/ui/logout", d.post(d::logout, false)),
        new Route(POST, "/ui/tenant", d.post(d::chooseTenant, false)),
        new Route(GET, "/ui/queues", d.page(queues::queues)),
        new Route(GET, "/ui/queues/{queue}", d.page(queues::jobs)),
        new Route(GET, "/ui/jobs", d.page(queues::find)),
        new Route(GET, "/ui/jobs/{job_id}", d.page(queues::job)),
        new Route(GET, "/ui/dlq", d.page(queues::dlq)),
        new Route(POST, "/ui/dlq/redrive", d.post(queues::redrive, true)),
        new Route(POST, "/ui/dlq/purge", d.post(queues::purge, true)),
        new Route(GET, "/ui/sessions", d.page(workflow::sessions)),
        new Route(GET, "/ui/sessions/{session_id}", d.page(workflow::session)),
        new Route(GET, "/ui/events", d.page(workflow::events)),
        new Route(GET, "/ui/streams/{stream}", d.page(workflow::stream)),
        new Route(GET, "/ui/records", d.page(records::collections)),
        new Route(GET, "/ui/records/{collection}", d.page(records::records)),
        new Route(GET, "/ui/records/{collection}/{record_id}", d.page(records::record)),
        new Route(GET, "/ui/outbox", d.page(admin::outbox)),
        new Route(POST, "/ui/outbox/retry", d.post(admin::retry, true)),
        new Route(GET, "/ui/audit", d.page(admin::audit)),
        new Route(GET, "/ui/tenants", d.page(admin::tenants)));
  }

  /** A GET page: the viewer is signed in (or the server is open), errors become error pages. */
  private io.javalin.http.Handler page(Page page) {
    return ctx -> run(ctx, page);
  }

  /**
   * A POST: also checks the CSRF token, and with {@code acts} that the viewer's key may act (a
   * read-only key gets 403 and nothing happens).
   */
  private io.javalin.http.Handler post(Page page, boolean acts) {
    return ctx ->
        run(
            ctx,
            (c, viewer) -> {
              String sent = c.formParam("_csrf");
              if (sent == null
                  || !MessageDigest.isEqual(
                      sent.getBytes(StandardCharsets.UTF_8),
                      viewer.csrf().getBytes(StandardCharsets.UTF_8))) {
                throw new FlowstoreException(
                    ErrorCode.FORBIDDEN,
                    "the form's CSRF token does not match this session: reload the page and try again");
              }
              if (acts && !viewer.canAct()) {
                throw new FlowstoreException(
                    ErrorCode.FORBIDDEN,
                    "your key is read-only (scope read): it can look but not act; sign in with a key of scope tenant or admin");
              }
              page.handle(c, viewer);
            });
  }

  private void run(Context ctx, Page page) throws Exception {
    Viewer viewer;
    try {
      viewer = viewer(ctx);
    } catch (FlowstoreException e) {
      problem(ctx, null, e);
      return;
    }
    if (viewer == null) {
      if (ctx.header("X-Dashboard-Live") != null) ctx.status(HttpStatus.UNAUTHORIZED);
      else ctx.redirect("/ui/login", HttpStatus.SEE_OTHER);
      return;
    }
    try {
      page.handle(ctx, viewer);
    } catch (FlowstoreException e) {
      problem(ctx, viewer, e);
    }
  }

  private void problem(Context ctx, Viewer viewer, FlowstoreException e) {
    if (e.code().httpStatus() >= 500)
      LOG.warn("dashboard {} {}: {}", ctx.method(), ctx.path(), e.getMessage(), e);
    views.render(
        ctx,
        e.code().httpStatus(),
        viewer,
        "error",
        null,
        new Views.Model().put("code", e.code().name()).put("message", e.getMessage()));
  }

  /** The signed-in viewer, a new dev-mode session when the server is open, or null. */
  private Viewer viewer(Context ctx) {
    String token = ctx.cookie(COOKIE);
    Optional<SignIns.SignIn> found = signIns.find(token);
    if (scope.open()) {
      if (found.isPresent() && found.get().keyId() == null) return found.get().viewer();
      String fresh = signIns.start(null, null, ApiKeys.Scope.ADMIN, TenantId.DEFAULT);
      setCookie(ctx, fresh);
      return signIns.find(fresh).orElseThrow().viewer();
    }
    if (found.isEmpty() || found.get().keyId() == null) return null;
    SignIns.SignIn in = found.get();
    boolean live =
        flowstore.apiKeys().list(in.keyTenant()).stream()
            .anyMatch(k -> k.keyId().equals(in.keyId()));
    if (!live) {
      signIns.end(token);
      return null;
    }
    return in.viewer();
  }

  private void loginForm(Context ctx) {
    if (scope.open()) {
      ctx.redirect("/", HttpStatus.SEE_OTHER);
      return;
    }
    views.render(ctx, 200, null, "login", null, new Views.Model());
  }

  private void login(Context ctx) {
    String key = ctx.formParam("key");
    Optional<ApiKeys.Principal> p =
        key == null ? Optional.empty() : flowstore.apiKeys().identify(key.strip());
    if (p.isEmpty()) {
      views.render(
          ctx,
          401,
          null,
          "login",
          null,
          new Views.Model()
              .put(
                  "error",
                  "That key matches no key of this server. Create one with: flowstore tenant create NAME"));
      return;
    }
    signIns.end(ctx.cookie(COOKIE));
    ApiKeys.Principal who = p.get();
    setCookie(ctx, signIns.start(who.keyId(), who.tenant(), who.scope(), who.tenant()));
    ctx.redirect("/", HttpStatus.SEE_OTHER);
  }

  private void logout(Context ctx, Viewer viewer) {
    signIns.end(ctx.cookie(COOKIE));
    ctx.header("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    ctx.redirect(scope.open() ? "/" : "/ui/login", HttpStatus.SEE_OTHER);
  }

  private void chooseTenant(Context ctx, Viewer viewer) {
    if (!viewer.canChooseTenant())
      throw new FlowstoreException(
          ErrorCode.FORBIDDEN,
          "only an admin key can look at another tenant; sign in with a key of scope admin");
    signIns.choose(ctx.cookie(COOKIE), TenantId.of(ctx.formParam("tenant")));
    String back = ctx.formParam("back");
    ctx.redirect(
        back != null && back.startsWith("/") && !back.startsWith("//") ? back : "/",
        HttpStatus.SEE_OTHER);
  }

  private static void setCookie(Context ctx, String token) {
    boolean https =
        "https".equals(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    ctx.header(
        "Set-Cookie",
        COOKIE
            + "="
            + token
            + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
            + SignIns.IDLE.toSeconds()
            + (https ? "; Secure" : ""));
  }
}
