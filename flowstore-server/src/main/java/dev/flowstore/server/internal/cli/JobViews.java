package dev.flowstore.server.internal.cli;

import static dev.flowstore.server.internal.cli.Table.text;
import static dev.flowstore.server.internal.cli.Table.time;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
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
      t.row(
          text(q, "queue"),
          text(q, "ready"),
          text(q, "delayed"),
          text(q, "leased"),
          text(q, "succeeded"),
          text(q, "failed"),
          text(q, "dlq_pending"),
          text(q, "dlq_recorded"));
    return t;
  }

  /** {@code GET /v1/dlq}: one row per dead-lettered job, oldest first. */
  static Table dlqItems(JsonNode body) {
    Table t =
        new Table("JOB_ID", "QUEUE", "JOB_TYPE", "ATTEMPTS", "DEAD_LETTERED_AT", "LAST_ERROR");
    for (JsonNode i : body.path("items"))
      t.row(
          text(i, "job_id"),
          text(i, "queue"),
          text(i, "job_type"),
          text(i, "attempts"),
          time(i, "dead_lettered_at"),
          text(i, "last_error"));
    return t;
  }

  /** Jobs as answered by a redrive: where each one is now. */
  static Table jobs(List<JsonNode> jobs) {
    Table t = new Table("JOB_ID", "QUEUE", "JOB_TYPE", "STATUS", "RUN_AT").status("STATUS");
    for (JsonNode j : jobs)
      t.row(
          text(j, "job_id"),
          text(j, "queue"),
          text(j, "job_type"),
          text(j, "status"),
          time(j, "run_at"));
    return t;
  }

  /**
   * {@code GET /v1/jobs/{id}} or {@code GET /v1/dlq/{id}}: the job's fields, its attempts, and its
   * DLQ item while it has one.
   */
  static void detail(JsonNode job, PrintWriter out, boolean colour) {
    Table.fields(
        out,
        List.of(
            field("job_id", text(job, "job_id")),
            field("queue", text(job, "queue")),
            field("job_type", text(job, "job_type")),
            field("status", text(job, "status")),
            field("attempt", text(job, "attempt") + " of " + text(job, "max_attempts")),
            field("priority", text(job, "priority")),
            field("run_at", time(job, "run_at")),
            field("lease_expires_at", time(job, "lease_expires_at")),
            field("unique_key", text(job, "unique_key")),
            field("message_id", text(job, "message_id")),
            field("event_id", text(job, "event_id")),
            field("trace_id", text(job, "trace_id")),
            field("created_at", time(job, "created_at")),
            field("updated_at", time(job, "updated_at")),
            field("finished_at", time(job, "finished_at")),
            field("last_error", text(job, "last_error")),
            field("payload", text(job, "payload"))));
    Table attempts =
        new Table("ATTEMPT", "LEASE_TOKEN", "OUTCOME", "LEASED_AT", "FINISHED_AT", "ERROR")
            .status("OUTCOME");
    for (JsonNode a : job.path("attempts"))
      attempts.row(
          text(a, "attempt"),
          text(a, "lease_token"),
          text(a, "outcome"),
          time(a, "leased_at"),
          time(a, "finished_at"),
          text(a, "error"));
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
          out,
          List.of(
              field("dead_lettered_at", time(dead, "dead_lettered_at")),
              field("attempts", text(dead, "attempts")),
              field("message_id", text(dead, "message_id")),
              field("last_error", text(dead, "last_error"))));
    }
  }

  static String[] field(String label, String value) {
    return new String[] {label, value};
  }
}
