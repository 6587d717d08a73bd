package dev.flowstore.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.IndexedField;
import dev.flowstore.Lease;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.NewCheckpoint;
import dev.flowstore.NewJob;
import dev.flowstore.NewRecord;
import dev.flowstore.NewSession;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.NodeDefinition;
import dev.flowstore.Session;
import dev.flowstore.SessionChange;
import dev.flowstore.StepAttempt;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Writes rows into every table a tenant has, through the public API only: what backend copy and
 * compare tests start from. A table this leaves empty is a table those tests do not cover (they
 * check that each catalog table got rows), so a new store adds its rows here.
 */
public final class EveryTable {
  private EveryTable() {}

  /**
   * Fills {@code tenant}'s tables of {@code fs}: events on two streams, a flow and a session that
   * changed state, step attempts, checkpoints (one the parent of another), a node, a task with
   * progress, a resume handle, a command, audit entries, jobs in every state (queued, delayed,
   * leased, succeeded, dead-lettered), an outbox message, a processed message, an idempotency key
   * and an API key; a collection's record with its index entry, unique value and text.
   */
  public static void fill(Flowstore fs, TenantId t) {
    // records: one declaration for every tenant (the same again is a no-op), a record with an
    // index entry, a unique value and a searchable text
    fs.collections()
        .declare(
            CollectionSpec.of("every_table_notes")
                .withIndexed(IndexedField.string("/ref"))
                .withUnique("/ref")
                .withFullText("/text"));
    fs.records(t)
        .create(
            "every_table_notes",
            NewRecord.of("n1", json("{\"ref\": \"R-1\", \"text\": \"caf\\u00e9 au lait\"}")));
    fs.events(t)
        .append(
            "order-1",
            ExpectedVersion.NO_STREAM,
            List.of(
                EventData.of("order.created", json("{\"total\": 12.50, \"items\": [1, 2]}")),
                EventData.of("order.paid", json("{\"ok\": true, \"note\": \"caf\\u00e9\"}"))));
    fs.events(t).append("order-2", ExpectedVersion.ANY, List.of(EventData.of("x", json("{}"))));
    fs.flows(t)
        .register(
            "review", "Review", "reviews things", "steps: []\n", json("{\"type\":\"object\"}"));
    Session s =
        fs.sessions(t)
            .create(
                NewSession.builder()
                    .flow("review", 1)
                    .initialState("draft")
                    .params(json("{\"b\": 1, \"a\": [true, null]}"))
                    .ttlSeconds(3600)
                    .build());
    fs.sessions(t).change(s.sessionId(), s.version(), SessionChange.to("review"));
    fs.steps(t).record(NewStepAttempt.running(s.sessionId(), "fetch", 1, json("{\"u\": 1}")));
    fs.steps(t)
        .finish(
            s.sessionId(),
            "fetch",
            1,
            StepAttempt.Status.SUCCEEDED,
            json("{\"r\": 2}"),
            null,
            null);
    fs.steps(t).record(NewStepAttempt.running(s.sessionId(), "fetch", 2, null));
    fs.checkpoints(t).save(s.sessionId(), NewCheckpoint.of(null, json("{\"n\": 1}"), json("{}")));
    String parent = fs.checkpoints(t).latest(s.sessionId()).orElseThrow().checkpointId();
    fs.checkpoints(t)
        .save(s.sessionId(), NewCheckpoint.of(parent, json("{\"n\": 2}"), json("{\"m\": 1}")));
    fs.nodes(t).register(NodeDefinition.builtin("echo", "Echo", json("{}")));
    UUID task = fs.tasks(t).create("render", s.sessionId()).taskId();
    fs.tasks(t).start(task);
    fs.tasks(t).progress(task, new BigDecimal("42.50"));
    UUID handle =
        fs.resumeHandles(t)
            .create(s.sessionId(), "corr-1", Instant.now().plus(Duration.ofDays(1)))
            .handleId();
    fs.resumeHandles(t).markPaused(handle);
    fs.commands(t).submit(s.sessionId(), "approve", json("{\"by\": \"ann\"}"), "idem-1");
    fs.audit(t)
        .append(
            new NewAuditEntry(
                "ann",
                "session.approve",
                "session",
                s.sessionId().toString(),
                "tr-1",
                null,
                json("{\"z\": 1, \"a\": 2}")));
    fs.audit(t)
        .append(new NewAuditEntry("bob", "node.register", "node", "echo", null, json("{}"), null));
    fs.queue(t).enqueue(NewJob.of("mail", "send", json("{\"to\": \"a\"}")));
    fs.queue(t)
        .enqueue(
            NewJob.of("mail", "send", json("{\"to\": \"later\"}"))
                .withRunAt(Instant.now().plus(Duration.ofHours(1)))
                .withPriority(5)
                .withUniqueKey("later"));
    fs.queue(t).enqueue(NewJob.of("work", "leased", json("{}")));
    Lease leased = fs.queue(t).lease("work", 1, Duration.ofMinutes(10)).get(0);
    fs.queue(t).enqueue(NewJob.of("done", "ok", json("{}")));
    Lease ok = fs.queue(t).lease("done", 1, Duration.ofMinutes(10)).get(0);
    fs.queue(t).ack(ok.job().jobId(), ok.token());
    fs.queue(t).enqueue(NewJob.of("dead", "boom", json("{\"n\": 1}")).withMaxAttempts(1));
    Lease dead = fs.queue(t).lease("dead", 1, Duration.ofMinutes(10)).get(0);
    fs.queue(t).nack(dead.job().jobId(), dead.token(), "it broke", Duration.ZERO);
    if (leased.token() < 1) throw new IllegalStateException("a lease has a token");
    fs.outbox(t).add("queue:hooks", json("{\"e\": 1}"), json("{\"h\": \"v\"}"), UUID.randomUUID());
    fs.processed(t).markProcessed(UUID.randomUUID(), "billing");
    fs.idempotencyKeys(t).begin("key-1", "hash-1", Duration.ofHours(1), Duration.ofMinutes(1));
    fs.idempotencyKeys(t).complete("key-1", 201, "{\"ok\":true}");
    fs.apiKeys().create(t, "copy-test");
  }

  private static ObjectNode json(String text) {
    return Json.parseObject("test", text);
  }
}
