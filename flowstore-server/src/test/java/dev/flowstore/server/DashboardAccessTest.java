package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.ApiKeys;
import dev.flowstore.Flowstore;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewJob;
import dev.flowstore.Queue;
import dev.flowstore.TenantId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's access rules over HTTP, in process (the browser tests in flowstore-e2e run the
 * packaged server with keys): embedded dev mode is open but still needs the session's CSRF token on
 * every POST; once a key exists the dev session ends and sign-in is required.
 */
class DashboardAccessTest {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  @TempDir Path dir;

  @Test
  void devModeIsOpenButEveryPostNeedsTheSessionsCsrfTokenAndAKeyEndsIt() {
    try (Flowstore fs = Flowstore.open(TestStores.sqlite(dir, Map.of()));
        FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0)) {
      Http http = new Http(server.uri());
      UUID dead = deadLetter(fs.queue(TenantId.DEFAULT));

      Http.Response page = http.get("/");
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.contentType()).startsWith("text/html");
      assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
      String cookie = page.header("Set-Cookie");
      assertThat(cookie)
          .startsWith("flowstore_session=")
          .contains("HttpOnly", "SameSite=Strict")
          .doesNotContain("Secure");
      String session = cookie.substring(0, cookie.indexOf(';'));
      Http browser = http.with("Cookie", session);
      Http.Response dlq = browser.get("/ui/dlq");
      assertThat(dlq.text()).contains(dead.toString(), "dev mode (open)");
      // what the store holds is text, never markup
      assertThat(dlq.text())
          .contains("&lt;script&gt;alert(&#39;boom&#39;)&lt;/script&gt;")
          .doesNotContain("<script>alert");
      Matcher m = CSRF.matcher(dlq.text());
      assertThat(m.find()).isTrue();
      String csrf = m.group(1);

      String form = "application/x-www-form-urlencoded";
      Http.Response noToken =
          browser.send(
              "POST", "/ui/dlq/redrive", ("job_id=" + dead).getBytes(), "Content-Type", form);
      assertThat(noToken.status()).isEqualTo(403);
      assertThat(noToken.text()).contains("FORBIDDEN", "CSRF");
      Http.Response otherToken =
          browser.send(
              "POST",
              "/ui/dlq/redrive",
              ("_csrf=x&job_id=" + dead).getBytes(),
              "Content-Type",
              form);
      assertThat(otherToken.status()).isEqualTo(403);
      assertThat(fs.queue(TenantId.DEFAULT).get(dead).orElseThrow().job().status())
          .isEqualTo(Job.Status.FAILED);

      Http.Response redriven =
          browser.send(
              "POST",
              "/ui/dlq/redrive",
              ("_csrf=" + csrf + "&job_id=" + dead).getBytes(),
              "Content-Type",
              form);
      assertThat(redriven.status()).isEqualTo(303);
      assertThat(fs.queue(TenantId.DEFAULT).get(dead).orElseThrow().job().status())
          .isEqualTo(Job.Status.QUEUED);
      assertThat(browser.get("/ui/audit").text())
          .contains("dashboard.dlq.redrive", "dashboard:dev-mode");

      // the first key locks dev mode: the open session no longer shows anything
      fs.apiKeys().create(TenantId.of("acme"), "ops", ApiKeys.Scope.TENANT);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Http.Response r = browser.get("/ui/dlq");
                assertThat(r.status()).isEqualTo(303);
                assertThat(r.header("Location")).isEqualTo("/ui/login");
              });
      assertThat(http.get("/ui/login").text()).contains("Sign in");
    }
  }

  private static UUID deadLetter(Queue q) {
    UUID id = q.enqueue(NewJob.of("mail", "send", null).withMaxAttempts(1)).value().jobId();
    Lease l = q.lease("mail", 1, Duration.ofSeconds(30)).get(0);
    q.nack(l.jobId(), l.token(), "<script>alert('boom')</script>", null);
    return id;
  }
}
