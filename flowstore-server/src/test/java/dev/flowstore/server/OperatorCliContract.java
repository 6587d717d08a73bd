package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.Job;
import dev.flowstore.Lease;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.NewJob;
import dev.flowstore.NewSession;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.Queue;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.SessionStatus;
import dev.flowstore.StepAttempt;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.server.internal.cli.CliContext;
import dev.flowstore.server.internal.cli.ServeLifecycle;
import dev.flowstore.server.internal.cli.Terminal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator commands ({@code queues}, {@code jobs show}, {@code dlq ...}, {@code sessions show})
 * run in-process in direct mode (no {@code --url}: the command opens the backend the environment
 * configures), on each SQL backend (subclasses). One store per class: read-only tests share tenant
 * {@code acme}'s fixture; tests that redrive or purge use a tenant of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OperatorCliContract {
  static final TenantId ACME = TenantId.of("acme");

  FlowstoreConfig config;
  Flowstore fs;
  List<UUID> emailsDead;
  UUID smsDead;
  UUID readyJob;
  UUID otherTenantsJob;
  UUID session;

  /** A new, empty store of the backend under test. */
  abstract FlowstoreConfig newConfig();

  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }

    List<String> errLines() {
      return err.lines().toList();
    }
  }

  @BeforeAll
  void populate() {
    config = newConfig();
    fs = Flowstore.open(config);
    emailsDead = deadLetter(ACME, "emails", 2, "smtp: connection refused");
    smsDead = deadLetter(ACME, "sms", 1, "gateway down").get(0);
    readyJob =
        fs.queue(ACME)
            .enqueue(NewJob.of("emails", "send", JsonlArchiveContract.json("{}")))
            .value()
            .jobId();
    otherTenantsJob = deadLetter(TenantId.of("other"), "emails", 1, "x").get(0);
    Session s =
        fs.sessions(ACME)
            .create(
                NewSession.builder()
                    .initialState("start")
                    .params(JsonlArchiveContract.json("{}"))
                    .build());
    session = s.sessionId();
    fs.sessions(ACME)
        .change(
            session,
            0,
            new SessionChange("review", null, null, null, JsonlArchiveContract.json("{}")));
    fs.steps(ACME)
        .record(NewStepAttempt.running(session, "fetch", 1, JsonlArchiveContract.json("{}")));
    fs.steps(ACME)
        .finish(session, "fetch", 1, StepAttempt.Status.FAILED, null, null, "upstream timeout");
    fs.checkpoints(ACME)
        .save(
            session,
            new NewCheckpoint("cp-1", null, JsonlArchiveContract.json("{\"k\":1}"), null, null));
    fs.resumeHandles(ACME).create(session, "approval-7", null);
    fs.sessions(ACME)
        .change(session, 1, new SessionChange("done", SessionStatus.COMPLETED, null, null, null));
  }

  @AfterAll
  void close() {
    if (fs != null) fs.close();
  }

  /** {@code n} jobs of {@code queue} that failed their only attempt with {@code error}. */
  List<UUID> deadLetter(TenantId tenant, String queue, int n, String error) {
    Queue q = fs.queue(tenant);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++)
      ids.add(
          q.enqueue(
                  NewJob.of(queue, "send", JsonlArchiveContract.json("{\"n\":" + i + "}"))
                      .withMaxAttempts(1))
              .value()
              .jobId());
    List<Lease> leases = q.lease(queue, n, Duration.ofMinutes(1));
    assertThat(leases).hasSize(n);
    for (Lease l : leases) q.nack(l.job().jobId(), l.token(), error, null);
    return ids;
  }

  /** The environment that configures this class's store. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    for (String key : FlowstoreConfig.keys())
      if (config.given(key) != null) env.put(key, config.given(key));
    return env;
  }

  Run run(String... args) {
    return run(Terminal.NONE, args);
  }

  Run run(Terminal terminal, String... args) {
    return run(env(), terminal, args);
  }

  static Run run(Map<String, String> env, Terminal terminal, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        FlowstoreCli.execute(
            args,
            new CliContext(env, Clock.systemUTC(), ServeLifecycle::new, terminal),
            new PrintWriter(out),
            new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  /** An interactive terminal that answers each question in turn and remembers them. */
  static final class ScriptedTerminal implements Terminal {
    final Deque<String> answers;
    final List<String> questions = new ArrayList<>();

    ScriptedTerminal(String... answers) {
      this.answers = new ArrayDeque<>(List.of(answers));
    }

    @Override
    public boolean interactive() {
      return true;
    }

    @Override
    public String ask(String question) {
      questions.add(question);
      return answers.poll();
    }
  }

  List<AuditEntry> audit(TenantId tenant, UUID job) {
    return fs
        .audit(tenant)
        .list(new AuditLog.Query("job", job.toString(), null, null, 0, 100))
        .stream()
        .toList();
  }

  Job.Status status(TenantId tenant, UUID job) {
    return fs.queue(tenant).get(job).orElseThrow().job().status();
  }

  @Test
  void queuesPrintsATableAndTheApisJson() {
    Run table = run("queues", "--tenant", "acme");
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out().lines())
        .containsExactly(
            "QUEUE   READY  DELAYED  LEASED  SUCCEEDED  DLQ  DLQ_PENDING  DLQ_RECORDED",
            "emails  1      0        0       0          2    0            0",
            "sms     0      0        0       0          1    0            0");
    JsonNode json = run("queues", "--tenant", "acme", "--json").json();
    assertThat(json.path("queues")).hasSize(2);
    assertThat(json.path("queues").get(0).path("queue").asText()).isEqualTo("emails");
    assertThat(json.path("queues").get(0).path("failed").asLong()).isEqualTo(2);
    assertThat(json.path("queues").get(0).path("depth").asLong()).isEqualTo(1);
    Run empty = run("queues");
    assertThat(empty.code()).isZero();
    assertThat(empty.out()).isEqualTo("No queue of tenant default has jobs.\n");
  }

  @Test
  void jobsShowPrintsTheJobItsAttemptsAndItsDlqItem() {
    UUID id = emailsDead.get(0);
    Run r = run("jobs", "show", id.toString(), "--tenant", "acme");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("job_id:", id.toString())
        .containsPattern("status: +failed")
        .containsPattern("attempt: +1 of 1")
        .contains("Attempts:")
        .containsPattern("1 +\\d+ +failed +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")
        .contains("smtp: connection refused")
        .contains("In the DLQ:");
    JsonNode json = run("jobs", "show", id.toString(), "--tenant", "acme", "--json").json();
    assertThat(json.path("job_id").asText()).isEqualTo(id.toString());
    assertThat(json.path("status").asText()).isEqualTo("failed");
    assertThat(json.path("attempts")).hasSize(1);
    assertThat(json.path("attempts").get(0).path("error").asText())
        .isEqualTo("smtp: connection refused");
    assertThat(json.path("dead_letter").path("queue").asText()).isEqualTo("emails");
    Run ready = run("jobs", "show", readyJob.toString(), "--tenant", "acme");
    assertThat(ready.out()).containsPattern("status: +queued").contains("No attempts yet.");
  }

  @Test
  void anUnknownOrAnotherTenantsIdExits1WithTheCodeAndANextStep() {
    for (String[] args :
        List.of(
            new String[] {"jobs", "show", UUID.randomUUID().toString(), "--tenant", "acme"},
            new String[] {"jobs", "show", otherTenantsJob.toString(), "--tenant", "acme"},
            new String[] {"dlq", "show", readyJob.toString(), "--tenant", "acme"},
            new String[] {"sessions", "show", UUID.randomUUID().toString()})) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.errLines())
          .singleElement()
          .asString()
          .startsWith("flowstore: NOT_FOUND: ")
          .contains("looked in tenant ")
          .contains("--tenant");
    }
  }

  @Test
  void dlqListPagesOldestFirstAndFiltersByQueue() {
    Run all = run("dlq", "list", "--tenant", "acme");
    assertThat(all.code()).as(all.err()).isZero();
    List<String> lines = all.out().lines().toList();
    assertThat(lines.get(0)).startsWith("JOB_ID").contains("DEAD_LETTERED_AT", "LAST_ERROR");
    assertThat(lines).hasSize(4);
    assertThat(lines.get(1))
        .startsWith(emailsDead.get(0) + "  emails  send")
        .endsWith("smtp: connection refused");
    assertThat(all.err()).isEmpty();

    Run sms = run("dlq", "list", "--tenant", "acme", "--queue", "sms", "--json");
    assertThat(sms.json().path("items")).hasSize(1);
    assertThat(sms.json().path("items").get(0).path("job_id").asText())
        .isEqualTo(smsDead.toString());
    assertThat(sms.json().path("next_after").isNull()).isTrue();

    Run first = run("dlq", "list", "--tenant", "acme", "--limit", "1");
    assertThat(first.out().lines()).hasSize(2);
    String next = emailsDead.get(0).toString();
    assertThat(first.err()).isEqualTo("more: add --after " + next + "\n");
    Run second = run("dlq", "list", "--tenant", "acme", "--limit", "1", "--after", next);
    assertThat(second.out()).contains(emailsDead.get(1).toString()).doesNotContain(next);

    Run other = run("dlq", "list", "--tenant", "other", "--json");
    assertThat(other.json().path("items")).hasSize(1);
  }

  @Test
  void dlqShowPrintsTheDeadLetteredJob() {
    Run r = run("dlq", "show", smsDead.toString(), "--tenant", "acme");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("gateway down")
        .contains("In the DLQ:")
        .containsPattern("queue: +sms");
    assertThat(
            run("dlq", "show", smsDead.toString(), "--tenant", "acme", "--json")
                .json()
                .path("dead_letter")
                .path("attempts")
                .asInt())
        .isEqualTo(1);
  }

  @Test
  void redriveOfOneJobPutsItBackAndAuditsIt() {
    TenantId t = TenantId.of("redrive-one");
    UUID id = deadLetter(t, "emails", 1, "boom").get(0);
    Run r = run("dlq", "redrive", id.toString(), "--tenant", t.value(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.json();
    assertThat(json.path("redriven")).hasSize(1);
    assertThat(json.path("redriven").get(0).path("job_id").asText()).isEqualTo(id.toString());
    assertThat(json.path("redriven").get(0).path("status").asText()).isEqualTo("queued");
    assertThat(json.path("failed")).isEmpty();
    assertThat(status(t, id)).isEqualTo(Job.Status.QUEUED);
    assertThat(audit(t, id)).extracting(AuditEntry::action).contains("job.redriven");

    Run again = run("dlq", "redrive", id.toString(), "--tenant", t.value());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: NOT_FOUND: job " + id + " is not in the DLQ")
        .contains("flowstore dlq list");
    assertThat(again.out()).contains("Redriven 0 of 1 job; 1 failed");
  }

  @Test
  void redriveOfManyAsksOnATerminalAndRefusesWithoutOne() {
    TenantId t = TenantId.of("redrive-all");
    List<UUID> emails = deadLetter(t, "emails", 2, "boom");
    UUID sms = deadLetter(t, "sms", 1, "boom").get(0);

    Run refused = run("dlq", "redrive", "--all", "--tenant", t.value());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.errLines())
        .singleElement()
        .asString()
        .contains("3 jobs chosen and no terminal to confirm on; add --yes");
    ScriptedTerminal no = new ScriptedTerminal("n");
    Run declined = run(no, "dlq", "redrive", "--all", "--queue", "emails", "--tenant", t.value());
    assertThat(declined.code()).isEqualTo(1);
    assertThat(no.questions)
        .containsExactly(
            "Redrive 2 dead-lettered jobs of tenant redrive-all (queue emails)? [y/N] ");
    assertThat(declined.err()).contains("cancelled: nothing was redriven");
    for (UUID id : emails) assertThat(status(t, id)).isEqualTo(Job.Status.FAILED);

    ScriptedTerminal yes = new ScriptedTerminal("y");
    Run done = run(yes, "dlq", "redrive", "--all", "--queue", "emails", "--tenant", t.value());
    assertThat(done.code()).as(done.err()).isZero();
    assertThat(done.out()).contains(emails.get(0).toString(), emails.get(1).toString());
    assertThat(done.out()).contains("Redriven 2 of 2 jobs.");
    for (UUID id : emails) {
      assertThat(status(t, id)).isEqualTo(Job.Status.QUEUED);
      assertThat(audit(t, id)).extracting(AuditEntry::action).contains("job.redriven");
    }
    assertThat(status(t, sms)).isEqualTo(Job.Status.FAILED);

    Run empty = run("dlq", "redrive", "--all", "--queue", "emails", "--tenant", t.value());
    assertThat(empty.code()).isZero();
    assertThat(empty.out()).contains("is empty: nothing to redrive");
  }

  @Test
  void purgeOfSeveralIdsGoesOnPastAFailureAndExits1() {
    TenantId t = TenantId.of("purge-ids");
    List<UUID> ids = deadLetter(t, "emails", 2, "boom");
    UUID unknown = UUID.randomUUID();
    ScriptedTerminal never = new ScriptedTerminal();
    Run r =
        run(
            never,
            "dlq",
            "purge",
            ids.get(0).toString(),
            unknown.toString(),
            ids.get(1).toString(),
            "--yes",
            "--tenant",
            t.value(),
            "--json");
    assertThat(never.questions).isEmpty();
    assertThat(r.code()).isEqualTo(1);
    JsonNode json = r.json();
    assertThat(json.path("purged"))
        .extracting(JsonNode::asText)
        .containsExactly(ids.get(0).toString(), ids.get(1).toString());
    assertThat(json.path("failed")).hasSize(1);
    assertThat(json.path("failed").get(0).path("job_id").asText()).isEqualTo(unknown.toString());
    assertThat(json.path("failed").get(0).path("error").path("code").asText())
        .isEqualTo("NOT_FOUND");
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: NOT_FOUND: job " + unknown);
    for (UUID id : ids) {
      assertThat(fs.queue(t).get(id)).isEmpty();
      assertThat(audit(t, id)).extracting(AuditEntry::action).contains("job.purged");
    }
  }

  @Test
  void purgeAllPurgesEveryPageOfTheDlq() {
    TenantId t = TenantId.of("purge-all");
    List<UUID> ids = deadLetter(t, "bulk", 3, "boom");
    Run r = run("dlq", "purge", "--all", "--yes", "--tenant", t.value());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("PURGED_JOB_ID\n").contains("Purged 3 of 3 jobs.");
    for (UUID id : ids) assertThat(fs.queue(t).get(id)).isEmpty();
    assertThat(fs.queue(t).deadLetters().list(null, null, 10)).isEmpty();
  }

  @Test
  void sessionsShowPrintsTheTimeline() {
    Run r = run("sessions", "show", session.toString(), "--tenant", "acme");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("status: +completed")
        .containsPattern("current_state: +done")
        .containsPattern("version: +2")
        .contains("Timeline:");
    List<String> timeline = r.out().lines().dropWhile(l -> !l.equals("Timeline:")).skip(2).toList();
    assertThat(timeline)
        .hasSize(7)
        .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  .*"));
    assertThat(String.join("\n", timeline))
        .containsPattern("0 +event +session.created +active +-> start")
        .containsPattern("1 +event +session.changed +- +start -> review")
        .containsPattern("step +fetch #1 +started")
        .containsPattern("step +fetch #1 +failed +upstream timeout")
        .containsPattern("checkpoint +cp-1 +saved +sequence 1")
        .containsPattern("resume handle +approval-7 +created")
        .containsPattern("2 +event +session.completed +completed +review -> done");
    assertThat(timeline.get(0)).contains("session.created");
    assertThat(timeline.get(timeline.size() - 1)).contains("session.completed");

    JsonNode json =
        run("sessions", "show", session.toString(), "--tenant", "acme", "--json").json();
    assertThat(json.path("session").path("session_id").asText()).isEqualTo(session.toString());
    assertThat(json.path("events")).hasSize(3);
    assertThat(json.path("events").get(1).path("metadata").path("to_state").asText())
        .isEqualTo("review");
    assertThat(json.path("steps")).hasSize(1);
    assertThat(json.path("checkpoints")).hasSize(1);
    assertThat(json.path("resume_handles")).hasSize(1);

    Run limited = run("sessions", "show", session.toString(), "--tenant", "acme", "--limit", "2");
    assertThat(limited.code()).isZero();
    assertThat(limited.err()).contains("showing 2 events; there may be more");
  }

  @Test
  void badFlagsExit2() {
    String id = UUID.randomUUID().toString();
    for (String[] args :
        List.of(
            new String[] {"jobs"},
            new String[] {"dlq"},
            new String[] {"sessions"},
            new String[] {"jobs", "show"},
            new String[] {"jobs", "show", "not-a-uuid"},
            new String[] {"queues", "--frobnicate"},
            new String[] {"dlq", "redrive"},
            new String[] {"dlq", "redrive", id, "--all"},
            new String[] {"dlq", "purge", id, "--queue", "emails"},
            new String[] {"dlq", "list", "--limit", "0"},
            new String[] {"dlq", "list", "--after", "x"},
            new String[] {"sessions", "show", id, "--limit", "1001"},
            new String[] {"queues", "--api-key", "k"},
            new String[] {"queues", "--url", "ftp://example.com"},
            new String[] {"queues", "--url", "127.0.0.1:8080"})) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void anUnreachableServerExits3() {
    Run r =
        run("queues", "--url", "http://127.0.0.1:" + dev.flowstore.testkit.TestBackends.freePort());
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith(
            "flowstore: BACKEND_UNAVAILABLE: cannot reach the flowstore server at http://127.0.0.1:")
        .contains("connection refused");
  }

  @Test
  void tablesAreColouredOnlyOnATerminalWithoutNoColor() {
    Run plain = run("queues", "--tenant", "acme");
    assertThat(plain.out()).doesNotContain("\u001b[");
    Run coloured = run(new ScriptedTerminal(), "queues", "--tenant", "acme");
    assertThat(coloured.out()).startsWith("\u001b[1mQUEUE");
    Map<String, String> noColor = new HashMap<>(env());
    noColor.put("NO_COLOR", "1");
    Run asked = run(noColor, new ScriptedTerminal(), "queues", "--tenant", "acme");
    assertThat(asked.out()).isEqualTo(plain.out());
  }
}
