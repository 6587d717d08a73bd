package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.OutboxMessage;
import java.time.Instant;

/** The wire form of outbox messages, audit entries and audit chain verifications. */
final class MessagingJson {
  private MessagingJson() {}

  static ObjectNode outboxMessage(OutboxMessage m) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("message_id", m.messageId().toString());
    o.put("event_id", m.eventId() == null ? null : m.eventId().toString());
    o.put("destination", m.destination());
    o.set("payload", m.payload());
    o.set("headers", m.headers());
    o.put("status", RecordsJson.lower(m.status()));
    o.put("attempts", m.attempts());
    o.put("next_attempt_at", time(m.nextAttemptAt()));
    o.put("last_error", m.lastError());
    o.put("created_at", time(m.createdAt()));
    o.put("published_at", time(m.publishedAt()));
    return o;
  }

  static ObjectNode auditEntry(AuditEntry e) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("seq", e.seq());
    o.put("actor", e.actor());
    o.put("action", e.action());
    o.put("resource_type", e.resourceType());
    o.put("resource_id", e.resourceId());
    o.put("trace_id", e.traceId());
    o.set("before", e.before());
    o.set("after", e.after());
    o.put("created_at", time(e.createdAt()));
    o.put("prev_hash", e.prevHash());
    o.put("hash", e.hash());
    return o;
  }

  /** {@code first_bad_seq} and {@code problem} are null when the chain is intact. */
  static ObjectNode verification(AuditLog.Verification v) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("ok", v.ok());
    o.put("checked", v.checked());
    if (v.ok()) o.putNull("first_bad_seq");
    else o.put("first_bad_seq", v.firstBadSeq());
    o.put("problem", v.problem());
    return o;
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
