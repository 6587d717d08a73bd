package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.DlqItem;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.JobDetail;
import dev.flowstore.Lease;
import dev.flowstore.QueueStats;
import java.time.Instant;
import java.util.UUID;

/**
 * The wire form of the queue's records: jobs (with the seed 001 message fields {@code message_id,
 * event_id, job_id, tenant_id, trace_id, job_type, attempt} at the top level), leases, attempt
 * history, DLQ items and queue depths. Snake_case, times as ISO-8601, states in lower case.
 */
final class QueueJson {
  private QueueJson() {}

  static ObjectNode job(Job j) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("job_id", j.jobId().toString());
    o.put("message_id", j.messageId().toString());
    o.put("event_id", id(j.eventId()));
    o.put("tenant_id", j.tenantId().value());
    o.put("trace_id", j.traceId());
    o.put("job_type", j.jobType());
    o.put("attempt", j.attempt());
    o.put("queue", j.queue());
    o.set("payload", j.payload());
    o.put("priority", j.priority());
    o.put("run_at", time(j.runAt()));
    o.put("max_attempts", j.maxAttempts());
    o.put("unique_key", j.uniqueKey());
    o.put("status", j.status().wire());
    o.put("lease_expires_at", time(j.leaseExpiresAt()));
    o.put("last_error", j.lastError());
    o.put("created_at", time(j.createdAt()));
    o.put("updated_at", time(j.updatedAt()));
    o.put("finished_at", time(j.finishedAt()));
    return o;
  }

  /** A job as enqueued: {@code duplicate} says an active job held its unique key. */
  static ObjectNode enqueued(Job j, boolean duplicate) {
    ObjectNode o = job(j);
    o.put("duplicate", duplicate);
    return o;
  }

  /** The job as leased, with the fencing token its ack/nack/heartbeat/release must carry. */
  static ObjectNode lease(Lease l) {
    ObjectNode o = job(l.job());
    o.put("lease_token", l.token());
    o.put("lease_expires_at", time(l.expiresAt()));
    return o;
  }

  /** The job with its attempt history and, while it is in the DLQ, its DLQ item. */
  static ObjectNode detail(JobDetail d) {
    ObjectNode o = job(d.job());
    ArrayNode attempts = o.putArray("attempts");
    d.attempts().forEach(a -> attempts.add(attempt(a)));
    o.set("dead_letter", d.deadLetter() == null ? null : dlqItem(d.deadLetter()));
    return o;
  }

  static ObjectNode attempt(JobAttempt a) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("attempt", a.attempt());
    o.put("lease_token", a.token());
    o.put("outcome", RecordsJson.lower(a.outcome()));
    o.put("error", a.error());
    o.put("leased_at", time(a.leasedAt()));
    o.put("finished_at", time(a.finishedAt()));
    return o;
  }

  static ObjectNode dlqItem(DlqItem d) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("job_id", d.jobId().toString());
    o.put("message_id", d.messageId().toString());
    o.put("event_id", id(d.eventId()));
    o.put("trace_id", d.traceId());
    o.put("queue", d.queue());
    o.put("job_type", d.jobType());
    o.set("payload", d.payload());
    o.put("attempts", d.attempts());
    o.put("last_error", d.lastError());
    o.put("dead_lettered_at", time(d.deadLetteredAt()));
    return o;
  }

  static ObjectNode stats(QueueStats s) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("queue", s.queue());
    o.put("depth", s.depth());
    o.put("ready", s.ready());
    o.put("delayed", s.delayed());
    o.put("leased", s.leased());
    o.put("succeeded", s.succeeded());
    o.put("dlq_pending", s.dlqPending());
    o.put("dlq_recorded", s.dlqRecorded());
    o.put("failed", s.failed());
    return o;
  }

  private static String id(UUID id) {
    return id == null ? null : id.toString();
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
