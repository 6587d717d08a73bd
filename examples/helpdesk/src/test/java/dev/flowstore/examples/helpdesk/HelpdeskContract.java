package dev.flowstore.examples.helpdesk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Job;
import dev.flowstore.RecordPage;
import dev.flowstore.RecordQuery;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.Worker;
import dev.flowstore.examples.helpdesk.Helpdesk.NewAgent;
import dev.flowstore.examples.helpdesk.Helpdesk.StatusChange;
import dev.flowstore.testkit.SettableClock;
import dev.flowstore.testkit.TestBackends;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The helpdesk end to end on one store; each backend subclasses it with its configuration (SQLite,
 * PostgreSQL, PostgreSQL with the Redis cache).
 */
abstract class HelpdeskContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TenantId ACME = TenantId.of("acme");
  private static final TenantId GLOBEX = TenantId.of("globex");

  /** A fresh, isolated store's configuration. */
  protected abstract FlowstoreConfig config();

  private final SettableClock clock = new SettableClock();
  private FlowstoreConfig config;
  private Flowstore fs;
  private Helpdesk helpdesk;

  @BeforeEach
  void open() {
    config = config();
    fs = Flowstore.open(config, clock);
    helpdesk = new Helpdesk(fs, clock, 4, Helpdesk.Retention.days(30, 60));
  }

  @AfterEach
  void close() {
    if (fs != null) fs.close();
    TestBackends.drop(config);
  }

  private StoredRecord agent(TenantId tenant, String id, String username, String role) {
    return helpdesk.createAgent(
        tenant,
        "admin:root",
        new NewAgent(
            id,
            username,
            "correct horse".toCharArray(),
            "Agent " + username,
            role,
            5,
            List.of("billing", "zh"),
            null));
  }

  private List<AuditEntry> audit(TenantId tenant, String resourceId) {
    return fs.audit(tenant).list(new AuditLog.Query(null, resourceId, null, null, 0, 1000));
  }

  private List<String> actions(TenantId tenant, String resourceId) {
    return audit(tenant, resourceId).stream().map(AuditEntry::action).toList();
  }

  private static ErrorCode codeOf(Throwable t) {
    return ((FlowstoreException) t).code();
  }

  @Test
  void agentsHaveUniqueUsernamesAndHashedPasswordsAndLogIn() {
    StoredRecord ann = agent(ACME, "agent-ann", "ann", "agent");
    String hash = ann.data().path("password_hash").asText();
    assertThat(hash).startsWith("$2a$04$").doesNotContain("correct horse");

    assertThatThrownBy(() -> agent(ACME, "agent-ann2", "ann", "agent"))
        .isInstanceOf(FlowstoreException.class)
        .extracting(HelpdeskContract::codeOf)
        .isEqualTo(ErrorCode.ALREADY_EXISTS);

    StoredRecord in = helpdesk.login(ACME, "ann", "correct horse".toCharArray()).orElseThrow();
    assertThat(in.id()).isEqualTo("agent-ann");
    assertThat(in.version()).isEqualTo(ann.version() + 1);
    assertThat(in.data().path("last_login_at").asText()).isNotEmpty();
    assertThat(helpdesk.login(ACME, "ann", "wrong password".toCharArray())).isEmpty();
    assertThat(helpdesk.login(ACME, "nobody", "correct horse".toCharArray())).isEmpty();

    assertThat(actions(ACME, "agent-ann"))
        .containsExactly("agent.created", "agent.login", "agent.login_failed");
    assertThat(actions(ACME, "username:nobody")).containsExactly("agent.login_failed");
    assertThat(audit(ACME, "agent-ann").get(0).after().has("password_hash"))
        .as("no hash in the audit log")
        .isFalse();
    assertThat(audit(ACME, "agent-ann").get(0).after().path("username").asText()).isEqualTo("ann");
  }

  @Test
  void concurrentLoginsOfOneAgentAllSucceed() throws Exception {
    StoredRecord ann = agent(ACME, "agent-ann", "ann", "agent");
    int racers = 4;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(racers);
    try {
      List<java.util.concurrent.Future<java.util.Optional<StoredRecord>>> logins =
          new ArrayList<>();
      for (int i = 0; i < racers; i++)
        logins.add(
            pool.submit(
                () -> {
                  go.await();
                  return helpdesk.login(ACME, "ann", "correct horse".toCharArray());
                }));
      go.countDown();
      for (var login : logins) assertThat(login.get(60, TimeUnit.SECONDS)).isPresent();
    } finally {
      pool.shutdownNow();
    }
    assertThat(fs.records(ACME).get(HelpdeskSchema.AGENTS, ann.id()).orElseThrow().version())
        .isEqualTo(ann.version() + racers);
    assertThat(actions(ACME, ann.id())).filteredOn("agent.login"::equals).hasSize(racers);
  }

  @Test
  void anAgentsStatusChangeNeedsTheCurrentVersion() {
    StoredRecord ann = agent(ACME, "agent-ann", "ann", "agent");
    StoredRecord busy =
        helpdesk.setAgentStatus(ACME, "agent:ann", ann.id(), ann.version(), "busy", "on a call");
    assertThat(busy.data().path("status").asText()).isEqualTo("busy");
    assertThat(busy.data().path("status_note").asText()).isEqualTo("on a call");

    assertThatThrownBy(
            () ->
                helpdesk.setAgentStatus(
                    ACME, "agent:ann", ann.id(), ann.version(), "online", "stale"))
        .extracting(HelpdeskContract::codeOf)
        .isEqualTo(ErrorCode.VERSION_CONFLICT);
    assertThat(fs.records(ACME).get(HelpdeskSchema.AGENTS, ann.id()).orElseThrow().data())
        .isEqualTo(busy.data());
    assertThat(actions(ACME, ann.id())).containsExactly("agent.created", "agent.status_changed");
    assertThat(audit(ACME, ann.id()).get(1).before().path("status").asText()).isEqualTo("offline");

    StoredRecord renamed =
        helpdesk.updateAgentProfile(
            ACME,
            "admin:root",
            ann.id(),
            busy.version(),
            JSON.createObjectNode().put("name", "Ann B.").put("password_hash", "$2a$04$forged"));
    assertThat(renamed.data().path("name").asText()).isEqualTo("Ann B.");
    assertThat(renamed.data().path("password_hash")).isEqualTo(ann.data().path("password_hash"));
    assertThat(helpdesk.login(ACME, "ann", "correct horse".toCharArray())).isPresent();
  }

  @Test
  void ticketsWithCommentsAndAStatusHistoryReadFromTheRecordHistory() {
    agent(ACME, "agent-bob", "bob", "agent");
    StoredRecord t =
        helpdesk.openTicket(
            ACME, "customer:c1", "TKT-0001", "Cannot log in", "since this morning", 3, "c1");
    helpdesk.addComment(ACME, "customer:c1", t.id(), "c1", "any news?");
    helpdesk.addAttachment(
        ACME, "customer:c1", t.id(), "screen.png", "image/png", 1234, "s3://b/screen.png");
    t = helpdesk.assign(ACME, "agent:bob", t.id(), t.version(), "agent-bob");
    t = helpdesk.changeStatus(ACME, "agent:bob", t.id(), t.version(), "in_progress");
    helpdesk.addComment(ACME, "agent:bob", t.id(), "agent-bob", "looking");
    t = helpdesk.changeStatus(ACME, "agent:bob", t.id(), t.version(), "resolved");
    t = helpdesk.changeStatus(ACME, "customer:c1", t.id(), t.version(), "closed");
    long closedVersion = t.version();

    assertThatThrownBy(
            () -> helpdesk.changeStatus(ACME, "customer:c1", "TKT-0001", closedVersion, "open"))
        .extracting(HelpdeskContract::codeOf)
        .isEqualTo(ErrorCode.UNPROCESSABLE);
    StoredRecord stale = t;
    assertThatThrownBy(
            () -> helpdesk.assign(ACME, "agent:bob", stale.id(), stale.version() - 1, "agent-bob"))
        .extracting(HelpdeskContract::codeOf)
        .isEqualTo(ErrorCode.VERSION_CONFLICT);

    assertThat(helpdesk.comments(ACME, t.id()))
        .extracting(c -> c.data().path("body").asText())
        .containsExactly("any news?", "looking");
    assertThat(helpdesk.attachments(ACME, t.id()))
        .extracting(a -> a.data().path("filename").asText())
        .containsExactly("screen.png");

    List<StatusChange> history = helpdesk.statusHistory(ACME, t.id());
    assertThat(history)
        .extracting(StatusChange::from, StatusChange::to, StatusChange::actor)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(null, "open", "customer:c1"),
            org.assertj.core.groups.Tuple.tuple("open", "in_progress", "agent:bob"),
            org.assertj.core.groups.Tuple.tuple("in_progress", "resolved", "agent:bob"),
            org.assertj.core.groups.Tuple.tuple("resolved", "closed", "customer:c1"));
    assertThat(history.get(0).version()).isZero();

    assertThat(actions(ACME, t.id()))
        .containsExactly(
            "ticket.created",
            "ticket.commented",
            "ticket.attachment_added",
            "ticket.assigned",
            "ticket.status_changed",
            "ticket.commented",
            "ticket.status_changed",
            "ticket.status_changed");
    assertThat(fs.audit(ACME).verify().ok()).isTrue();
  }

  @Test
  void aFailedActionLeavesNeitherItsChangesNorItsAuditEntries() {
    StoredRecord t = helpdesk.openTicket(ACME, "customer:c1", "TKT-0002", "Refund", "", 2, "c1");
    t = helpdesk.changeStatus(ACME, "agent:bob", t.id(), t.version(), "in_progress");
    int auditBefore = audit(ACME, t.id()).size();
    long stale = t.version() - 1;
    String id = t.id();

    assertThatThrownBy(
            () -> helpdesk.resolveWithComment(ACME, "agent:bob", id, stale, "agent-bob", "done"))
        .extracting(HelpdeskContract::codeOf)
        .isEqualTo(ErrorCode.VERSION_CONFLICT);
    assertThat(helpdesk.comments(ACME, id)).as("the comment is rolled back").isEmpty();
    assertThat(audit(ACME, id)).as("its audit entries too").hasSize(auditBefore);

    StoredRecord resolved =
        helpdesk.resolveWithComment(ACME, "agent:bob", id, t.version(), "agent-bob", "done");
    assertThat(resolved.data().path("status").asText()).isEqualTo("resolved");
    assertThat(helpdesk.comments(ACME, id)).hasSize(1);
    assertThat(actions(ACME, id))
        .endsWith("ticket.status_changed", "ticket.commented", "ticket.status_changed");
  }

  @Test
  void adminListsAndSearchesPageThroughIndexedQueries() {
    for (String u : List.of("eve", "dan", "carl", "bea", "alf")) agent(ACME, null, u, "agent");
    agent(ACME, null, "zed", "admin");

    List<String> usernames = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      RecordPage page = helpdesk.listAgents(ACME, "agent", null, null, 2, cursor);
      page.records()
          .forEach(
              r -> {
                assertThat(r.data().has("password_hash")).isFalse();
                usernames.add(r.data().path("username").asText());
              });
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(usernames).containsExactly("alf", "bea", "carl", "dan", "eve");
    assertThat(helpdesk.listAgents(ACME, null, null, "b", 10, null).records())
        .extracting(r -> r.data().path("username").asText())
        .containsExactly("bea");

    for (int i = 1; i <= 5; i++)
      helpdesk.openTicket(ACME, "customer:c", "TKT-" + i, "ticket " + i, "", i, "c");
    StoredRecord t5 = fs.records(ACME).get(HelpdeskSchema.TICKETS, "TKT-5").orElseThrow();
    helpdesk.changeStatus(ACME, "agent:al", "TKT-5", t5.version(), "pending");

    RecordPage first = helpdesk.searchTickets(ACME, List.of("open"), null, 2, 2, null);
    assertThat(first.records()).extracting(StoredRecord::id).containsExactly("TKT-4", "TKT-3");
    RecordPage second =
        helpdesk.searchTickets(ACME, List.of("open"), null, 2, 2, first.nextCursor());
    assertThat(second.records()).extracting(StoredRecord::id).containsExactly("TKT-2");
    assertThat(helpdesk.searchTickets(ACME, List.of("open", "pending"), null, null, 10, null))
        .extracting(RecordPage::records)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .hasSize(5);
  }

  @Test
  void archivesAndEmailRecordsArePurgedByTheRetentionJobOnceOld() throws Exception {
    ArrayNode messages = JSON.createArrayNode();
    messages.addObject().put("from", "customer").put("text", "hello");
    helpdesk.archiveChatSession(ACME, "agent:al", "s1", "agent-al", "c1", null, messages);
    helpdesk.recordEmail(ACME, "system:mailer", "c1@example.com", "Re: hello", null, true, null);
    clock.advance(Duration.ofDays(45));
    StoredRecord fresh =
        helpdesk.archiveChatSession(ACME, "agent:al", "s2", "agent-al", "c2", null, messages);
    StoredRecord otherTenant =
        helpdesk.archiveChatSession(GLOBEX, "agent:x", "s0", "agent-x", "c0", null, messages);
    // GLOBEX's archive is old too, but only ACME's retention runs
    clock.advance(Duration.ofDays(1));

    try (Worker worker = helpdesk.startMaintenanceWorker(ACME)) {
      UUID job = helpdesk.requestRetention(ACME);
      awaitSucceeded(job);
      assertThat(ids(ACME, HelpdeskSchema.SESSION_ARCHIVES)).containsExactly(fresh.id());
      assertThat(ids(ACME, HelpdeskSchema.EMAIL_RECORDS)).as("kept 60 days").hasSize(1);

      clock.advance(Duration.ofDays(20));
      try (AutoCloseable schedule = helpdesk.scheduleRetention(ACME, Duration.ofMillis(100))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> ids(ACME, HelpdeskSchema.EMAIL_RECORDS).isEmpty());
      }
      assertThat(ids(ACME, HelpdeskSchema.SESSION_ARCHIVES)).containsExactly(fresh.id());
    }
    assertThat(ids(GLOBEX, HelpdeskSchema.SESSION_ARCHIVES)).containsExactly(otherTenant.id());
    assertThat(actions(ACME, HelpdeskSchema.SESSION_ARCHIVES)).containsExactly("retention.purged");
    assertThat(actions(ACME, HelpdeskSchema.EMAIL_RECORDS)).containsExactly("retention.purged");
  }

  private void awaitSucceeded(UUID job) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> fs.queue(ACME).get(job).orElseThrow().job().status(), s -> !s.active());
    assertThat(fs.queue(ACME).get(job).orElseThrow().job().status())
        .isEqualTo(Job.Status.SUCCEEDED);
  }

  private List<String> ids(TenantId tenant, String collection) {
    return fs.records(tenant).query(RecordQuery.of(collection).limit(100)).records().stream()
        .map(StoredRecord::id)
        .toList();
  }

  @Test
  void tenantsAreIsolated() {
    agent(ACME, "agent-ann", "ann", "agent");
    StoredRecord t = helpdesk.openTicket(ACME, "customer:c1", "TKT-9", "acme's", "", 1, "c1");

    assertThat(helpdesk.login(GLOBEX, "ann", "correct horse".toCharArray())).isEmpty();
    StoredRecord globexAnn = agent(GLOBEX, "agent-ann", "ann", "agent");
    assertThat(globexAnn.version()).as("same id and username, another tenant").isZero();
    assertThat(fs.records(GLOBEX).get(HelpdeskSchema.TICKETS, t.id())).isEmpty();
    assertThatThrownBy(() -> helpdesk.changeStatus(GLOBEX, "agent:x", t.id(), 0, "pending"))
        .extracting(HelpdeskContract::codeOf)
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(helpdesk.searchTickets(GLOBEX, null, null, null, 10, null).records()).isEmpty();
    assertThat(actions(GLOBEX, t.id())).isEmpty();
    assertThat(helpdesk.statusHistory(ACME, t.id())).hasSize(1);
  }
}
