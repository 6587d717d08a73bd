package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.ApiKeys;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.ServerProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium) against {@code ./flowstore serve}: every page
 * loads without console errors and the overview updates live; a DLQ redrive from the UI re-queues
 * the job (and is audited); a read-only key sees but cannot act; another tenant's data never shows.
 * One server per deployment (subclass), shared by its tests, with four API keys made before it
 * starts (so it runs with keys required, not in dev mode).
 *
 * <p>With {@code FLOWSTORE_SCREENSHOTS=<dir>} the main pages are saved there as PNGs (how
 * docs/images/dashboard-*.png are made; see docs/dashboard.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DashboardBrowserContract {
  private static final String ACME = "acme";
  private static final String GLOBEX = "globex";
  private static final String GLOBEX_TYPE = "globex-secret-report";
  private static final String GLOBEX_RECORD = "GLOBEX-SECRET-7";

  private final HttpClient http = HttpClient.newHttpClient();
  private Path workDir;
  private Map<String, String> env;
  private ServerProcess server;
  private ChromeDriver browser;
  private String acmeKey;
  private String readKey;
  private String globexKey;
  private String adminKey;
  private final List<String> acmeDead = new ArrayList<>();
  private String globexDead;
  private String sessionId;
  private String missing;
  private KeyedApi api;

  /** Each test is reported skipped, with the reason, where no browser is installed (not in CI). */
  @BeforeEach
  void needsTheBrowser() {
    if (missing != null) MissingTool.failInCiElseSkip(missing);
  }

  /** The deployment's configuration; {@code dir} is its own. */
  abstract Map<String, String> deployment(Path dir);

  /** Drops what the deployment left outside {@code dir}. */
  void dropDeployment(Map<String, String> env) {}

  @BeforeAll
  void start() throws Exception {
    missing = Browser.missing();
    if (missing != null) return;
    browser = Browser.start();
    workDir = Files.createTempDirectory("flowstore-dashboard-");
    env = new HashMap<>(deployment(workDir));
    env.putAll(ApiE2eContract.JVM_OPTIONS);
    Map<String, String> store = new HashMap<>(env);
    store.remove("FLOWSTORE_JAVA_OPTS");
    try (Flowstore library = Flowstore.open(FlowstoreConfig.fromMap(store))) {
      ApiKeys keys = library.apiKeys();
      acmeKey = keys.create(TenantId.of(ACME), "ops", ApiKeys.Scope.TENANT).secret();
      readKey = keys.create(TenantId.of(ACME), "viewer", ApiKeys.Scope.READ).secret();
      globexKey = keys.create(TenantId.of(GLOBEX), "ops", ApiKeys.Scope.TENANT).secret();
      adminKey = keys.create(TenantId.of("ops"), "admin", ApiKeys.Scope.ADMIN).secret();
    }
    server = ServerProcess.start(workDir.resolve("server"), env);
    api = new KeyedApi(server.uri());
    seed();
  }

  @AfterAll
  void stop() throws IOException {
    try {
      if (browser != null) browser.quit();
    } finally {
      try {
        if (server != null) server.close();
      } finally {
        if (env != null) dropDeployment(env);
        ApiE2eContract.deleteRecursively(workDir);
      }
    }
  }

  private void seed() throws Exception {
    api.call(
        "POST",
        "/v1/flows",
        acmeKey,
        "{\"flow_id\":\"onboarding\",\"name\":\"Onboarding\",\"yaml_content\":\"steps:\\n  - welcome\\n\"}",
        201);
    JsonNode s =
        api.call(
            "POST",
            "/v1/sessions",
            acmeKey,
            "{\"flow_id\":\"onboarding\",\"initial_state\":\"start\",\"state\":{\"user\":\"u-1\"}}",
            201);
    sessionId = s.get("session_id").asText();
    api.call(
        "POST",
        "/v1/sessions/" + sessionId + "/transitions",
        acmeKey,
        "{\"to_state\":\"review\",\"expected_version\":0}",
        200);
    api.call(
        "PUT",
        "/v1/sessions/" + sessionId + "/steps/fetch-profile/attempts/1",
        acmeKey,
        "{\"input\":{\"user\":\"u-1\"}}",
        201);
    api.call(
        "POST",
        "/v1/sessions/" + sessionId + "/checkpoints",
        acmeKey,
        "{\"checkpoint_id\":\"after-fetch\",\"data\":{\"profile\":{\"plan\":\"pro\"}}}",
        201);
    api.call(
        "POST",
        "/v1/streams/order-42/events",
        acmeKey,
        "{\"expected_version\":\"any\",\"events\":[{\"type\":\"order.placed\",\"payload\":{\"total\":42}},{\"type\":\"order.paid\",\"payload\":{}}]}",
        201);
    for (int i = 0; i < 3; i++)
      api.call(
          "POST",
          "/v1/queues/emails/jobs",
          acmeKey,
          "{\"job_type\":\"welcome-mail\",\"payload\":{\"n\":" + i + "}}",
          201);
    JsonNode done =
        api.call(
            "POST",
            "/v1/queues/emails/leases",
            acmeKey,
            "{\"max\":2,\"visibility_timeout_s\":60}",
            200);
    for (JsonNode l : done.get("leases"))
      api.call(
          "POST",
          "/v1/jobs/" + l.get("job_id").asText() + "/ack",
          acmeKey,
          "{\"lease_token\":" + l.get("lease_token").asLong() + "}",
          200);
    acmeDead.add(api.deadLetter(acmeKey, "billing", "invoice"));
    acmeDead.add(api.deadLetter(acmeKey, "billing", "invoice"));
    acmeDead.add(api.deadLetter(acmeKey, "billing", "refund"));
    globexDead = api.deadLetter(globexKey, "reports", GLOBEX_TYPE);
    seedRecords();
  }

  /**
   * Two collections (tickets, and comments whose parent is tickets); acme's ticket is created open
   * then patched to pending, with a comment; globex has a ticket of its own in the same collection.
   */
  private void seedRecords() throws Exception {
    // declarations are every tenant's: only an admin key may send them
    api.call(
        "POST",
        "/v1/collections",
        adminKey,
        "{\"name\":\"tickets\",\"indexed\":[{\"pointer\":\"/status\",\"type\":\"string\"},"
            + "{\"pointer\":\"/ref\",\"type\":\"string\"}],\"unique\":[\"/ref\"]}",
        200);
    api.call(
        "POST",
        "/v1/collections",
        adminKey,
        "{\"name\":\"comments\",\"parent\":\"tickets\","
            + "\"indexed\":[{\"pointer\":\"/author\",\"type\":\"string\"}]}",
        200);
    api.call(
        "POST",
        "/v1/collections/tickets/records",
        acmeKey,
        "{\"id\":\"TKT-1\",\"data\":{\"status\":\"open\",\"ref\":\"R-1\",\"title\":\"Printer on fire\"}}",
        201);
    api.call(
        "PATCH",
        "/v1/collections/tickets/records/TKT-1",
        acmeKey,
        "{\"expected_version\":0,\"patch\":{\"status\":\"pending\",\"assignee\":\"ann\"}}",
        200);
    api.call(
        "POST",
        "/v1/collections/comments/records",
        acmeKey,
        "{\"id\":\"C-1\",\"parent_id\":\"TKT-1\",\"data\":{\"author\":\"ann\",\"text\":\"on it\"}}",
        201);
    api.call(
        "POST",
        "/v1/collections/tickets/records",
        globexKey,
        "{\"id\":\""
            + GLOBEX_RECORD
            + "\",\"data\":{\"status\":\"open\",\"ref\":\"G-1\",\"title\":\"globex merger\"}}",
        201);
  }

  private String url(String path) {
    return server.uri().resolve(path).toString();
  }

  private WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    // why: the overview's live region is replaced every 2 s, under any element found in it
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** An element's text read in one step (the live region may be replaced between two). */
  private String text(String id) {
    return (String)
        browser.executeScript("return document.getElementById(arguments[0]).innerText;", id);
  }

  private void signIn(String key) {
    browser.manage().deleteAllCookies();
    browser.get(url("/"));
    waiting().until(ExpectedConditions.urlContains("/ui/login"));
    browser.findElement(By.id("key")).sendKeys(key);
    browser.findElement(By.id("sign-in")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("queues")));
  }

  private void open(String path) {
    browser.get(url(path));
    waiting().until(d -> "complete".equals(browser.executeScript("return document.readyState")));
  }

  @Test
  @Order(1)
  void signInIsRequiredAndTheCookieIsHttpOnlyAndStrict() throws Exception {
    HttpResponse<String> page = api.send("GET", "/", null, null);
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location")).contains("/ui/login");
    HttpRequest login =
        HttpRequest.newBuilder(server.uri().resolve("/ui/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("key=" + acmeKey))
            .build();
    HttpResponse<String> r = http.send(login, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(303);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("flowstore_session=").contains("HttpOnly", "SameSite=Strict");
    String session = cookie.substring(0, cookie.indexOf(';'));
    // a POST without the session's CSRF token does nothing
    HttpRequest forged =
        HttpRequest.newBuilder(server.uri().resolve("/ui/dlq/redrive"))
            .header("Cookie", session)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("job_id=" + acmeDead.get(1)))
            .build();
    HttpResponse<String> refused = http.send(forged, HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("CSRF");
    assertThat(
            api.call("GET", "/v1/jobs/" + acmeDead.get(1), acmeKey, null, 200)
                .get("status")
                .asText())
        .isEqualTo("failed");
    // a wrong key gets the sign-in page again with what to do
    signInFails("fsk_nope_nope");
  }

  private void signInFails(String key) {
    browser.manage().deleteAllCookies();
    open("/ui/login");
    browser.findElement(By.id("key")).sendKeys(key);
    browser.findElement(By.id("sign-in")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("login-error")));
    assertThat(browser.findElement(By.id("login-error")).getText())
        .contains("flowstore tenant create");
  }

  @Test
  @Order(2)
  void everyPageLoadsWithoutConsoleErrorsAndTheOverviewIsLive() throws Exception {
    signIn(acmeKey);
    Browser.consoleErrors(browser);
    String first = text("updated");
    assertThat(text("queues")).contains("emails", "billing");
    assertThat(text("dlq-size")).isEqualTo("3");
    JsonNode feed =
        api.call("GET", "/v1/events?after=0&limit=1000", acmeKey, null, 200).get("events");
    assertThat(text("feed-head")).isEqualTo(feed.get(feed.size() - 1).get("position").asText());
    // live: the figures are fetched again without a reload, and follow a change made elsewhere
    api.call(
        "POST",
        "/v1/queues/emails/jobs",
        acmeKey,
        "{\"job_type\":\"welcome-mail\",\"payload\":{}}",
        201);
    waiting().until(d -> !text("updated").equals(first));
    Object marker = browser.executeScript("window.__noReload = 1; return 1;");
    assertThat(marker).isEqualTo(1L);
    String before = text("updated");
    waiting().until(d -> !text("updated").equals(before));
    assertThat(browser.executeScript("return window.__noReload")).isEqualTo(1L);
    shot("overview");

    for (String path :
        List.of(
            "/ui/queues",
            "/ui/queues/emails",
            "/ui/queues/emails?status=succeeded&type=welcome-mail",
            "/ui/jobs/" + acmeDead.get(0),
            "/ui/dlq",
            "/ui/sessions",
            "/ui/sessions?status=active",
            "/ui/sessions/" + sessionId,
            "/ui/events",
            "/ui/events?category=order",
            "/ui/streams/order-42",
            "/ui/outbox",
            "/ui/outbox?status=failed",
            "/ui/audit",
            "/ui/audit?verify=1",
            "/ui/tenants")) {
      open(path);
      assertThat(browser.findElement(By.id("tenant")).getText()).as(path).isEqualTo(ACME);
      assertThat(browser.getTitle()).as(path).endsWith("flowstore");
      assertThat(Browser.consoleErrors(browser)).as("console errors on " + path).isEmpty();
      if (path.equals("/ui/queues/emails")) shot("jobs");
      if (path.startsWith("/ui/jobs/")) {
        assertThat(browser.findElement(By.id("attempts")).getText()).contains("SMTP 550");
        shot("job");
      }
      if (path.startsWith("/ui/sessions/")) {
        assertThat(browser.findElement(By.id("timeline")).getText())
            .contains("session.created", "fetch-profile attempt 1", "checkpoint after-fetch");
        shot("session");
      }
      if (path.equals("/ui/events")) shot("events");
      if (path.equals("/ui/audit?verify=1"))
        assertThat(browser.findElement(By.id("verification")).getText()).startsWith("chain intact");
    }
    // the job search box leads to the job
    open("/");
    browser.findElement(By.name("id")).sendKeys(acmeDead.get(0));
    browser.findElement(By.cssSelector("form.search button")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("job-id")));
    assertThat(browser.findElement(By.id("job-id")).getText()).isEqualTo(acmeDead.get(0));
    assertThat(Browser.consoleErrors(browser)).isEmpty();
  }

  @Test
  @Order(3)
  void aDlqRedriveFromTheUiRequeuesTheJobAndIsAudited() throws Exception {
    signIn(acmeKey);
    open("/ui/dlq");
    shot("dlq");
    String id = acmeDead.get(0);
    browser.findElement(By.cssSelector("input[name=job_id][value='" + id + "']")).click();
    browser.findElement(By.id("redrive")).click();
    // the confirmation: dismissing it sends nothing
    waiting().until(ExpectedConditions.alertIsPresent()).dismiss();
    assertThat(api.call("GET", "/v1/jobs/" + id, acmeKey, null, 200).get("status").asText())
        .isEqualTo("failed");
    browser.findElement(By.id("redrive")).click();
    waiting().until(ExpectedConditions.alertIsPresent()).accept();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
    assertThat(browser.findElement(By.id("notice")).getText()).isEqualTo("1 job redriven");
    JsonNode job = api.call("GET", "/v1/jobs/" + id, acmeKey, null, 200);
    assertThat(job.get("status").asText()).isEqualTo("queued");
    assertThat(job.get("attempt").asInt()).isZero();
    JsonNode audit =
        api.call(
            "GET",
            "/v1/audit?resource_type=job&resource_id=" + id + "&limit=100",
            acmeKey,
            null,
            200);
    List<String> actions = new ArrayList<>();
    audit
        .get("entries")
        .forEach(e -> actions.add(e.get("action").asText() + " by " + e.get("actor").asText()));
    assertThat(actions).anyMatch(a -> a.startsWith("dashboard.dlq.redrive by dashboard:key:"));
    assertThat(actions).anyMatch(a -> a.startsWith("job.redriven"));

    // purge: the job and its history are gone, audited the same way
    String purged = acmeDead.get(2);
    browser.findElement(By.cssSelector("input[name=job_id][value='" + purged + "']")).click();
    browser.findElement(By.id("purge")).click();
    waiting().until(ExpectedConditions.alertIsPresent()).accept();
    waiting().until(ExpectedConditions.textToBe(By.id("notice"), "1 job purged"));
    assertThat(api.send("GET", "/v1/jobs/" + purged, acmeKey, null).statusCode()).isEqualTo(404);
    assertThat(
            api.call(
                    "GET",
                    "/v1/audit?resource_type=job&resource_id=" + purged + "&limit=100",
                    acmeKey,
                    null,
                    200)
                .get("entries")
                .toString())
        .contains("dashboard.dlq.purge", "job.purged");
    assertThat(browser.findElement(By.id("dlq")).getText())
        .doesNotContain(purged)
        .contains(acmeDead.get(1));
    assertThat(Browser.consoleErrors(browser)).isEmpty();
  }

  @Test
  @Order(4)
  void aReadOnlyKeySeesButCannotAct() throws Exception {
    signIn(readKey);
    open("/ui/dlq");
    String id = acmeDead.get(1);
    assertThat(browser.findElement(By.id("dlq")).getText()).contains(id);
    assertThat(browser.findElements(By.id("redrive"))).isEmpty();
    assertThat(browser.findElements(By.id("purge"))).isEmpty();
    assertThat(browser.findElement(By.id("read-only-note")).getText()).contains("read-only");
    // a POST made anyway (with the session's CSRF token) is refused and changes nothing
    browser.executeScript(
        "const f = document.getElementById('dlq-form');"
            + "f.querySelector('input[name=job_id]').checked = true;"
            + "f.action = '/ui/dlq/purge'; f.submit();");
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("error-code")));
    assertThat(browser.findElement(By.id("error-code")).getText()).isEqualTo("FORBIDDEN");
    assertThat(Browser.consoleErrors(browser)).singleElement().asString().contains("403");
    assertThat(api.call("GET", "/v1/jobs/" + id, acmeKey, null, 200).get("status").asText())
        .isEqualTo("failed");
    // and the API refuses its writes with the same code
    HttpResponse<String> write = api.send("POST", "/v1/dlq/" + id + "/redrive", readKey, "{}");
    assertThat(write.statusCode()).isEqualTo(403);
    assertThat(KeyedApi.JSON.readTree(write.body()).at("/error/code").asText())
        .isEqualTo("FORBIDDEN");
    assertThat(api.send("GET", "/v1/dlq", readKey, null).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(5)
  void anotherTenantsDataNeverShows() throws Exception {
    signIn(acmeKey);
    for (String path :
        List.of("/", "/ui/queues", "/ui/dlq", "/ui/events", "/ui/audit", "/ui/tenants")) {
      open(path);
      assertThat(browser.getPageSource())
          .as(path)
          .doesNotContain(GLOBEX_TYPE, globexDead, "reports");
    }
    open("/ui/jobs/" + globexDead);
    assertThat(browser.findElement(By.id("error-code")).getText()).isEqualTo("NOT_FOUND");
    assertThat(Browser.consoleErrors(browser)).singleElement().asString().contains("404");
    open("/ui/queues/reports");
    assertThat(browser.getPageSource()).doesNotContain(globexDead);
    // a tenant key cannot switch tenants, even by posting the form itself
    browser.executeScript(
        "const f = document.createElement('form'); f.method = 'post'; f.action = '/ui/tenant';"
            + "const c = document.querySelector('input[name=_csrf]').cloneNode(); f.appendChild(c);"
            + "const t = document.createElement('input'); t.name = 'tenant'; t.value = 'globex'; f.appendChild(t);"
            + "document.body.appendChild(f); f.submit();");
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("error-code")));
    assertThat(browser.findElement(By.id("error-code")).getText()).isEqualTo("FORBIDDEN");
    assertThat(Browser.consoleErrors(browser)).singleElement().asString().contains("403");
    open("/");
    assertThat(browser.findElement(By.id("tenant")).getText()).isEqualTo(ACME);

    // an admin key chooses the tenant it looks at
    signIn(adminKey);
    WebElement choose =
        browser.findElement(By.cssSelector("form[action='/ui/tenant'] input[name=tenant]"));
    choose.clear();
    choose.sendKeys(GLOBEX);
    browser.findElement(By.cssSelector("form[action='/ui/tenant'] button")).click();
    waiting().until(ExpectedConditions.textToBe(By.id("tenant"), GLOBEX));
    open("/ui/dlq");
    assertThat(browser.findElement(By.id("dlq")).getText())
        .contains(globexDead)
        .doesNotContain(acmeDead.get(1));
    shot("tenants-admin");
    assertThat(Browser.consoleErrors(browser)).isEmpty();
  }

  @Test
  @Order(6)
  void recordsShowTheirHistoryAndOnlyTheTenantsOwn() throws Exception {
    signIn(acmeKey);
    for (String path :
        List.of(
            "/ui/records",
            "/ui/records/tickets",
            "/ui/records/tickets?field=/status&value=pending",
            "/ui/records/comments?parent_id=TKT-1",
            "/ui/records/comments/C-1",
            "/ui/records/tickets/TKT-1?as_of_version=0",
            "/ui/records/tickets/TKT-1")) {
      open(path);
      assertThat(browser.findElement(By.id("tenant")).getText()).as(path).isEqualTo(ACME);
      assertThat(Browser.consoleErrors(browser)).as("console errors on " + path).isEmpty();
      assertThat(browser.getPageSource()).as(path).doesNotContain(GLOBEX_RECORD, "globex merger");
    }
    // the collections with their declaration and acme's count (globex's ticket is not counted)
    open("/ui/records");
    assertThat(cells("collections", "tickets"))
        .containsExactly("tickets", "/status string, /ref string", "/ref", "", "1");
    assertThat(cells("collections", "comments"))
        .containsExactly("comments", "/author string", "", "tickets", "1");
    open("/ui/records/tickets?field=/status&value=open");
    assertThat(browser.findElement(By.id("records")).getText()).contains("No records match.");
    open("/ui/records/tickets?field=/status&value=pending");
    assertThat(browser.findElement(By.id("records")).getText()).contains("TKT-1");
    // the record: current data, its history with the indexed change and trace ids, its child
    open("/ui/records/tickets/TKT-1");
    assertThat(browser.findElement(By.id("record-version")).getText()).isEqualTo("1");
    assertThat(browser.findElement(By.id("record-json")).getText())
        .contains("\"status\" : \"pending\"", "\"assignee\" : \"ann\"");
    List<WebElement> history = browser.findElements(By.cssSelector("#history tbody tr"));
    assertThat(history).hasSize(2);
    assertThat(history.get(0).getText()).contains("record.created", "/status: null -> open");
    assertThat(history.get(0).findElements(By.tagName("td")).get(3).getText())
        .contains("status", "ref", "title");
    assertThat(history.get(1).getText()).contains("record.patched", "/status: open -> pending");
    assertThat(history.get(1).findElements(By.tagName("td")).get(3).getText())
        .contains("status", "assignee")
        .doesNotContain("title");
    for (WebElement h : history)
      assertThat(h.findElements(By.tagName("td")).get(5).getText()).as("trace id").isNotBlank();
    assertThat(browser.findElement(By.id("children")).getText()).contains("comments C-1");
    shot("record");
    // as it was at version 0, reached from the history
    history.get(0).findElement(By.linkText("0")).click();
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("as-of-json")));
    assertThat(browser.findElement(By.id("as-of-json")).getText())
        .contains("\"status\" : \"open\"")
        .doesNotContain("assignee");
    // the child links to its parent
    open("/ui/records/comments/C-1");
    browser.findElement(By.cssSelector("#record-parent a")).click();
    waiting().until(ExpectedConditions.textToBe(By.id("record-id"), "TKT-1"));
    assertThat(Browser.consoleErrors(browser)).isEmpty();

    // another tenant's record is NOT_FOUND, for a tenant key and a read key alike
    for (String key : List.of(acmeKey, readKey)) {
      signIn(key);
      open("/ui/records/tickets/" + GLOBEX_RECORD);
      assertThat(browser.findElement(By.id("error-code")).getText()).isEqualTo("NOT_FOUND");
      assertThat(browser.getPageSource()).doesNotContain("globex merger");
      assertThat(Browser.consoleErrors(browser)).singleElement().asString().contains("404");
    }
    // a read key sees its tenant's records, and the pages offer no way to change them
    open("/ui/records/tickets/TKT-1");
    assertThat(browser.findElement(By.id("record-json")).getText()).contains("pending");
    assertThat(browser.findElements(By.cssSelector("main form[method=post]"))).isEmpty();
    // the globex key sees its own record
    signIn(globexKey);
    open("/ui/records/tickets");
    assertThat(browser.findElement(By.id("records")).getText())
        .contains(GLOBEX_RECORD)
        .doesNotContain("TKT-1");
    assertThat(Browser.consoleErrors(browser)).isEmpty();
  }

  /** The cells' texts of the row of table {@code table} whose first cell is {@code first}. */
  private List<String> cells(String table, String first) {
    for (WebElement row : browser.findElements(By.cssSelector("#" + table + " tbody tr"))) {
      List<String> texts =
          row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
      if (!texts.isEmpty() && texts.get(0).equals(first)) return texts;
    }
    throw new AssertionError("no row " + first + " in #" + table);
  }

  /** Saves the page as docs/images/dashboard-NAME.png when FLOWSTORE_SCREENSHOTS names a dir. */
  private void shot(String name) throws IOException {
    String dir = System.getenv("FLOWSTORE_SCREENSHOTS");
    if (dir == null || dir.isBlank()) return;
    Path target = ServerProcess.repoRoot().resolve(dir).resolve("dashboard-" + name + ".png");
    Files.createDirectories(target.getParent());
    Files.write(target, browser.getScreenshotAs(OutputType.BYTES));
  }
}
