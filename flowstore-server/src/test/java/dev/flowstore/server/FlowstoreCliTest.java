package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.TenantId;
import dev.flowstore.server.internal.cli.CliContext;
import dev.flowstore.server.internal.cli.ServeLifecycle;
import dev.flowstore.testkit.TestBackends;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI run in-process, with the environment each test chooses. */
class FlowstoreCliTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  Map<String, String> env() {
    return Map.of("FLOWSTORE_DATA_DIR", tmp.resolve("data").toString());
  }

  static Run run(Map<String, String> env, String... args) {
    return run(new CliContext(env, Clock.systemUTC(), ServeLifecycle::new), args);
  }

  static Run run(CliContext ctx, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = FlowstoreCli.execute(args, ctx, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void version() {
    Run r = run(env(), "version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).matches("flowstore \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java .+\\)\\R");
    assertThat(run(env(), "--version").out()).isEqualTo(r.out());
  }

  @Test
  void helpListsEveryCommand() {
    Run r = run(env(), "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("serve", "migrate", "export", "import", "tenant", "audit", "version")
        .contains("queues", "jobs", "dlq", "sessions");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "serve",
        "migrate",
        "export",
        "import",
        "version",
        "tenant",
        "tenant create",
        "tenant keys",
        "tenant revoke",
        "audit",
        "audit verify",
        "queues",
        "jobs",
        "jobs show",
        "dlq",
        "dlq list",
        "dlq show",
        "dlq redrive",
        "dlq purge",
        "sessions",
        "sessions show"
      })
  void everyCommandHasHelp(String command) {
    String[] args = (command + " --help").split(" ");
    Run r = run(env(), args);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Usage: flowstore " + command);
  }

  @Test
  void usageErrorsExit2() {
    assertThat(run(env()).code()).isEqualTo(2);
    assertThat(run(env(), "frobnicate").code()).isEqualTo(2);
    assertThat(run(env(), "tenant").code()).isEqualTo(2);
    assertThat(run(env(), "audit").code()).isEqualTo(2);
    assertThat(run(env(), "serve", "--port", "eighty").code()).isEqualTo(2);
  }

  @Test
  void migrateAppliesTheSchema() {
    Run r = run(env(), "migrate");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("schema is up to date: ");
    assertThat(run(env(), "migrate").code()).isZero();
  }

  @Test
  void badConfigurationIsOneLineNamingTheKeyAndExit2() {
    Run r = run(Map.of("FLOWSTORE_STORE_BACKEND", "postgres"), "migrate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: POSTGRES_DSN: required when");
    Run port = run(Map.of("FLOWSTORE_HTTP_PORT", "http"), "serve");
    assertThat(port.code()).isEqualTo(2);
    assertThat(port.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: FLOWSTORE_HTTP_PORT: ");
    Run backend = run(Map.of("FLOWSTORE_STORE_BACKEND", "oracle"), "export");
    assertThat(backend.code()).isEqualTo(2);
    assertThat(backend.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: FLOWSTORE_STORE_BACKEND: ")
        .contains("must be one of [postgres, sqlite] (found on the classpath), got 'oracle'");
    Run queue = run(Map.of("FLOWSTORE_QUEUE_BACKEND", "rabbitmq"), "migrate");
    assertThat(queue.code()).isEqualTo(2);
    assertThat(queue.errLines())
        .singleElement()
        .asString()
        .startsWith(
            "flowstore: FLOWSTORE_QUEUE_BACKEND: must be one of [redis, sqlite] (found on the"
                + " classpath), got 'rabbitmq'; add the module that provides it");
  }

  @Test
  void anUnreachableDatabaseExits3() {
    Run r =
        run(
            Map.of(
                "FLOWSTORE_STORE_BACKEND",
                "postgres",
                "POSTGRES_DSN",
                "postgresql://nobody@127.0.0.1:1/none?connectTimeout=2"),
            "migrate");
    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(r.errLines()).singleElement().asString().startsWith("flowstore: ");
  }

  @Test
  void servingTheNetworkWithoutKeysIsRefused() {
    Run r = run(env(), "serve", "--host", "0.0.0.0", "--port", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: FLOWSTORE_HTTP_HOST: ");
  }

  @Test
  void aPortInUseIsAConfigurationError() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run r = run(env(), "serve", "--port", Integer.toString(taken.getLocalPort()));
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.errLines())
          .singleElement()
          .asString()
          .startsWith("flowstore: FLOWSTORE_HTTP_PORT: ")
          .contains("in use");
    }
  }

  @Test
  void serveRunsUntilStopped() {
    ServeLifecycle lifecycle = new ServeLifecycle();
    CliContext ctx = new CliContext(env(), Clock.systemUTC(), () -> lifecycle);
    CompletableFuture<Run> serving =
        CompletableFuture.supplyAsync(() -> run(ctx, "serve", "--port", "0"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> lifecycle.uri() != null || serving.isDone());
    assertThat(serving).isNotDone();
    Http http = new Http(lifecycle.uri());
    assertThat(http.get("/health/ready").status()).isEqualTo(200);
    assertThat(
            http.with("X-Tenant-Id", "acme")
                .post("/v1/streams/s-1/events", "{\"events\":[{\"type\":\"a\"}]}")
                .status())
        .isEqualTo(201);
    lifecycle.stop();
    Run r = serving.join();
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(lifecycle.isClosed()).isTrue();
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(env()))) {
      assertThat(fs.events(TenantId.of("acme")).streamVersion("s-1")).isZero();
    }
  }

  @Test
  void serveRelaysTheOutboxIntoTheQueue() {
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(env()))) {
      fs.inTransaction(
          TenantId.of("acme"),
          tx -> tx.outbox().add("queue:emails", JsonlArchiveContract.json("{}"), null, null));
    }
    ServeLifecycle lifecycle = new ServeLifecycle();
    Map<String, String> env = new HashMap<>(env());
    env.put("OUTBOX_POLL_INTERVAL_MS", "50");
    CliContext ctx = new CliContext(env, Clock.systemUTC(), () -> lifecycle);
    CompletableFuture<Run> serving =
        CompletableFuture.supplyAsync(() -> run(ctx, "serve", "--port", "0"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> lifecycle.uri() != null || serving.isDone());
    Http acme = new Http(lifecycle.uri()).with("X-Tenant-Id", "acme");
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> acme.get("/v1/queues").json().get("queues").size() == 1);
    assertThat(acme.get("/v1/outbox?status=published").json().get("messages")).hasSize(1);
    lifecycle.stop();
    assertThat(serving.join().code()).isZero();
  }

  @Test
  void tenantCreatePrintsTheKeyOnceAndKeysListsIt() {
    Run created = run(env(), "tenant", "create", "acme", "--label", "ci");
    assertThat(created.code()).as(created.err()).isZero();
    String secret = created.out().strip();
    assertThat(secret).isNotBlank().doesNotContain(" ");
    assertThat(created.err()).contains("shown once").contains("not stored");
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(env()))) {
      assertThat(fs.apiKeys().authenticate(secret)).contains(TenantId.of("acme"));
    }
    Run keys = run(env(), "tenant", "keys", "acme");
    assertThat(keys.code()).isZero();
    assertThat(keys.out()).contains("\tci\t").doesNotContain(secret);
    String keyId = keys.out().lines().findFirst().orElseThrow().split("\t")[0];
    assertThat(run(env(), "tenant", "revoke", "acme", keyId).code()).isZero();
    Run again = run(env(), "tenant", "revoke", "acme", keyId);
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.errLines()).singleElement().asString().startsWith("flowstore: ");
    assertThat(run(env(), "tenant", "create", "Not Valid").code()).isEqualTo(1);
  }

  @Test
  void exportImportRoundTripIsByteIdentical() throws IOException {
    Map<String, String> source = env();
    Map<String, String> target = new HashMap<>(env());
    target.put("FLOWSTORE_DATA_DIR", tmp.resolve("target").toString());
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(source))) {
      JsonlArchiveContract.populate(fs.events(TenantId.of("acme")));
    }
    String a = tmp.resolve("a").toString();
    String b = tmp.resolve("b").toString();
    Run exported = run(source, "export", "--events", a, "--tenant", "acme");
    assertThat(exported.code()).as(exported.err()).isZero();
    assertThat(exported.out()).contains("exported 1207 events of tenant acme to 3 files");
    Run imported = run(target, "import", "--events", a, "--tenant", "acme");
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("imported 1207 events").contains("(0 were already stored)");
    assertThat(run(target, "export", "--events", b, "--tenant", "acme").code()).isZero();
    assertThat(JsonlArchiveContract.files(Path.of(b)))
        .containsExactlyEntriesOf(JsonlArchiveContract.files(Path.of(a)));
    Run again = run(target, "import", "--events", a, "--tenant", "acme");
    assertThat(again.out()).contains("(1207 were already stored)");
  }

  @Test
  void exportDefaultsToTheDataDirectoryAndTheDefaultTenant() {
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(env()))) {
      fs.events(TenantId.DEFAULT)
          .append(
              "s-1",
              dev.flowstore.ExpectedVersion.ANY,
              List.of(dev.flowstore.EventData.of("a", JsonlArchiveContract.json("{}"))));
    }
    Run r = run(env(), "export");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(tmp.resolve("data/events/s-1.jsonl")).exists();
  }

  @Test
  void aBadArchiveLineExits1NamingFileAndLineAndWritesNothing() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(
        dir.resolve("s-1.jsonl"),
        "{\"ts\":\"2026-01-01T00:00:00Z\",\"stream\":\"s-1\",\"event\":\"x\",\"payload\":{}}\nnot json\n");
    Run r = run(env(), "import", "--events", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: s-1.jsonl:2: malformed JSON");
    try (Flowstore fs = Flowstore.open(FlowstoreConfig.fromMap(env()))) {
      assertThat(fs.events(TenantId.DEFAULT).streamVersion("s-1")).isEqualTo(-1);
    }
  }

  @Test
  void auditVerifyExits0OnAnIntactChainAnd1OnATamperedOne() {
    FlowstoreConfig config = FlowstoreConfig.fromMap(env());
    try (Flowstore fs = Flowstore.open(config)) {
      for (int i = 0; i < 3; i++)
        fs.audit(TenantId.of("acme"))
            .append(new NewAuditEntry("alice", "x.done", "x", "x-" + i, null, null, null));
    }
    Run intact = run(env(), "audit", "verify", "--tenant", "acme");
    assertThat(intact.code()).as(intact.err()).isZero();
    assertThat(intact.out()).contains("tenant acme is intact: 3 entries checked");
    Run empty = run(env(), "audit", "verify");
    assertThat(empty.code()).as(empty.err()).isZero();
    assertThat(empty.out()).contains("tenant default is intact: 0 entries checked");

    TestBackends.executeAsOwner(
        config, "UPDATE audit_log SET actor = 'mallory' WHERE tenant_id = 'acme' AND seq = 2");
    Run broken = run(env(), "audit", "verify", "--tenant", "acme");
    assertThat(broken.code()).isEqualTo(1);
    assertThat(broken.out()).isEmpty();
    assertThat(broken.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: audit log of tenant acme is broken at entry 2: ");
    assertThat(run(env(), "audit", "verify", "--tenant", "Not Valid").code()).isEqualTo(1);
  }
}
