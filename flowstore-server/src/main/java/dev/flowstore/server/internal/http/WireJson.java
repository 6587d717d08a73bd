package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.Checkpoint;
import dev.flowstore.Collection;
import dev.flowstore.DlqItem;
import dev.flowstore.Job;
import dev.flowstore.JobAttempt;
import dev.flowstore.OutboxMessage;
import dev.flowstore.QueueStats;
import dev.flowstore.RecordedEvent;
import dev.flowstore.ResumeHandle;
import dev.flowstore.Session;
import dev.flowstore.StepAttempt;
import dev.flowstore.StoredRecord;

/**
 * The API's JSON of each record, for the dashboard: it shows exactly what {@code /v1} answers, so
 * an operator reads the same field names in the page, in its JSON panels and in the API.
 */
public final class WireJson {
  private WireJson() {}

  public static ObjectNode job(Job j) {
    return QueueJson.job(j);
  }

  public static ObjectNode attempt(JobAttempt a) {
    return QueueJson.attempt(a);
  }

  public static ObjectNode dlqItem(DlqItem d) {
    return QueueJson.dlqItem(d);
  }

  public static ObjectNode stats(QueueStats s) {
    return QueueJson.stats(s);
  }

  public static ObjectNode outboxMessage(OutboxMessage m) {
    return MessagingJson.outboxMessage(m);
  }

  public static ObjectNode auditEntry(AuditEntry e) {
    return MessagingJson.auditEntry(e);
  }

  public static ObjectNode verification(AuditLog.Verification v) {
    return MessagingJson.verification(v);
  }

  public static ObjectNode session(Session s) {
    return WorkflowJson.session(s);
  }

  public static ObjectNode event(RecordedEvent e) {
    return EventJson.of(e);
  }

  public static ObjectNode step(StepAttempt a) {
    return RecordsJson.step(a);
  }

  public static ObjectNode checkpoint(Checkpoint c) {
    return RecordsJson.checkpoint(c);
  }

  public static ObjectNode handle(ResumeHandle h) {
    return RecordsJson.handle(h);
  }

  public static ObjectNode collection(Collection c) {
    return CollectionJson.collection(c);
  }

  public static ObjectNode record(StoredRecord r) {
    return CollectionJson.record(r);
  }
}
