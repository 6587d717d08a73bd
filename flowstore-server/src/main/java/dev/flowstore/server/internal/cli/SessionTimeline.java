package dev.flowstore.server.internal.cli;

import static dev.flowstore.server.internal.cli.JobViews.field;
import static dev.flowstore.server.internal.cli.Table.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.internal.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A session and everything that happened to it, in one table ordered by time: its events (each
 * transition with its version and from/to state), step attempts started and finished, checkpoints
 * saved, resume handles created, paused and resumed. Rendered from the JSON of {@code sessions show
 * --json}.
 */
final class SessionTimeline {
  private SessionTimeline() {}

  /** One line of the timeline; {@code order} keeps ties in the order the parts are added. */
  private record Entry(
      Instant at,
      int order,
      String version,
      String what,
      String item,
      String status,
      String detail) {}

  static void print(JsonNode all, PrintWriter out, boolean colour) {
    JsonNode s = all.path("session");
    String flow = text(s, "flow_id");
    String flowVersion = text(s, "flow_version");
    List<String[]> fields = new ArrayList<>(Table.fieldsOf(s, "session_id"));
    fields.add(
        field(
            "flow", flow == null ? null : flowVersion == null ? flow : flow + " v" + flowVersion));
    fields.addAll(
        Table.fieldsOf(
            s,
            "status",
            "current_state",
            "stage",
            "version",
            "parent_session_id",
            "created_at",
            "updated_at",
            "completed_at",
            "expires_at",
            "state"));
    Table.fields(out, fields);
    List<Entry> entries = new ArrayList<>();
    for (JsonNode e : all.path("events")) {
      JsonNode meta = e.path("metadata");
      String from = text(meta, "from_state");
      String to = text(meta, "to_state");
      String transition =
          from == null && to == null ? null : (from == null ? "" : from + " ") + "-> " + to;
      JsonNode payload = e.path("payload");
      // why: a transition's status and state are its own columns; the rest of its changes is detail
      String status =
          payload.has("session")
              ? text(payload.path("session"), "status")
              : text(payload.path("changes"), "status");
      ObjectNode rest =
          payload.path("changes").isObject()
              ? ((ObjectNode) payload.get("changes")).deepCopy()
              : Json.MAPPER.createObjectNode();
      rest.remove(List.of("status", "current_state"));
      entries.add(
          entry(
              e,
              "created_at",
              entries,
              text(e, "version"),
              "event",
              text(e, "type"),
              status == null ? null : status.toLowerCase(Locale.ROOT),
              join(transition, rest.isEmpty() ? null : rest.toString())));
    }
    for (JsonNode a : all.path("steps")) {
      String item = text(a, "step") + " #" + text(a, "attempt");
      entries.add(entry(a, "started_at", entries, null, "step", item, "started", null));
      if (text(a, "finished_at") != null)
        entries.add(
            entry(
                a,
                "finished_at",
                entries,
                null,
                "step",
                item,
                text(a, "status"),
                text(a, "error")));
      else if (!"running".equals(text(a, "status")))
        entries.add(entry(a, "started_at", entries, null, "step", item, text(a, "status"), null));
    }
    for (JsonNode c : all.path("checkpoints")) {
      String parent = text(c, "parent_checkpoint_id");
      entries.add(
          entry(
              c,
              "created_at",
              entries,
              null,
              "checkpoint",
              text(c, "checkpoint_id"),
              "saved",
              join("sequence " + text(c, "sequence"), parent == null ? null : "parent " + parent)));
    }
    for (JsonNode h : all.path("resume_handles")) {
      String item = text(h, "correlation_id");
      entries.add(entry(h, "created_at", entries, null, "resume handle", item, "created", null));
      if (text(h, "paused_at") != null)
        entries.add(entry(h, "paused_at", entries, null, "resume handle", item, "paused", null));
      if (text(h, "resumed_at") != null)
        entries.add(
            entry(
                h,
                "resumed_at",
                entries,
                null,
                "resume handle",
                item,
                "resumed",
                join(
                    h.path("resumed_before_pause").asBoolean(false)
                        ? "before the pause completed"
                        : null,
                    text(h, "resume_payload"))));
      String status = text(h, "status");
      if (!List.of("pending_pause", "paused", "resumed").contains(status))
        entries.add(entry(h, "updated_at", entries, null, "resume handle", item, status, null));
    }
    entries.sort(Comparator.comparing(Entry::at).thenComparingInt(Entry::order));
    Table t = new Table("AT", "VERSION", "WHAT", "ITEM", "STATUS", "DETAIL").status("STATUS");
    for (Entry e : entries)
      t.row(
          e.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          e.version(),
          e.what(),
          e.item(),
          e.status(),
          e.detail());
    out.println();
    out.println("Timeline:");
    t.print(out, colour);
  }

  private static Entry entry(
      JsonNode node,
      String timeField,
      List<Entry> sofar,
      String version,
      String what,
      String item,
      String status,
      String detail) {
    String at = text(node, timeField);
    return new Entry(
        at == null ? Instant.EPOCH : Instant.parse(at),
        sofar.size(),
        version,
        what,
        item,
        status,
        detail);
  }

  private static String join(String a, String b) {
    if (a == null) return b;
    return b == null ? a : a + "; " + b;
  }
}
