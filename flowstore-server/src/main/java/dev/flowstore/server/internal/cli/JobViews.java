package dev.flowstore.server.internal.cli;

import static dev.flowstore.server.internal.cli.Table.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The tables of the queue commands, rendered from the HTTP API's JSON answers. */
final class JobViews {
  private JobViews() {}

  /** {@code GET /v1/queues}: one row per queue, its jobs by state. */
  static Table queues(JsonNode body) {
    Table t =
        new Table(
            "QUEUE",
            "READY",
            "DELAYED",
            "LEASED",
            "SUCCEEDED",
            "DLQ",
            "DLQ_PENDING",
            "DLQ_RECORDED");
    for (JsonNode q : body.path("queues"))
      t.rowOf(
          q,
          "queue",
          "ready",
          "delayed",
          "leased",
          "succeeded",
          "failed",
          "dlq_pending",
          "dlq_recorded");
    return t;
  }

  /** {@code GET /v1/dlq}: one row per dead-lettered job, oldest first. */
  static Table dlqItems(JsonNode body) {
    Table t =
        new Table("JOB_ID", "QUEUE", "JOB_TYPE", "ATTEMPTS", "DEAD_LETTERED_AT", "LAST_ERROR");
    for (JsonNode i : body.path("items"))
      t.rowOf(i, "job_id", "queue", "job_type", "attempts", "dead_lettered_at", "last_error");
    return t;
  }

  /** Jobs as answered by a redrive: where each one is now. */
  static Table jobs(List<JsonNode> jobs) {
    Table t = new Table("JOB_ID", "QUEUE", "JOB_TYPE", "STATUS", "RUN_AT").status("STATUS");
    for (JsonNode j : jobs) t.rowOf(j, "job_id", "queue", "job_type", "status", "run_at");
    return t;
  }

  /**
   * {@code GET /v1/jobs/{id}} or {@code GET /v1/dlq/{id}}: the job's fields, its attempts, and its
   * DLQ item while it has one.
   */
  static void detail(JsonNode job, PrintWriter out, boolean colour) {
    List<String[]> fields =
        new ArrayList<>(Table.fieldsOf(job, "job_id", "queue", "job_type", "status"));
    fields.add(field("attempt", text(job, "attempt") + " of " + text(job, "max_attempts")));
    fields.addAll(
        Table.fieldsOf(
            job,
            "priority",
            "run_at",
            "lease_expires_at",
            "unique_key",
            "message_id",
            "event_id",
            "trace_id",
            "created_at",
            "updated_at",
            "finished_at",
            "last_error",
            "payload"));
    Table.fields(out, fields);
    Table attempts =
        new Table("ATTEMPT", "LEASE_TOKEN", "OUTCOME", "LEASED_AT", "FINISHED_AT", "ERROR")
            .status("OUTCOME");
    for (JsonNode a : job.path("attempts"))
      attempts.rowOf(a, "attempt", "lease_token", "outcome", "leased_at", "finished_at", "error");
    out.println();
    if (attempts.isEmpty()) out.println("No attempts yet.");
    else {
      out.println("Attempts:");
      attempts.print(out, colour);
    }
    JsonNode dead = job.path("dead_letter");
    if (dead.isObject()) {
      out.println();
      out.println("In the DLQ:");
      Table.fields(
          out, Table.fieldsOf(dead, "dead_lettered_at", "attempts", "message_id", "last_error"));
    }
  }

  static String[] field(String label, String value) {
    return new String[] {label, value};
  }
}
