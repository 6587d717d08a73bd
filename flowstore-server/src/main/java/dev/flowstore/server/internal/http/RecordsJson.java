package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Checkpoint;
import dev.flowstore.Command;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Node;
import dev.flowstore.ResumeHandle;
import dev.flowstore.StepAttempt;
import dev.flowstore.Task;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The wire form of the workflow records (steps, checkpoints, nodes, tasks, resume handles,
 * commands): snake_case, times as ISO-8601, statuses and types in lower case, binary as base64.
 */
final class RecordsJson {
  private RecordsJson() {}

  static ObjectNode step(StepAttempt a) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("session_id", a.sessionId().toString());
    o.put("step", a.step());
    o.put("attempt", a.attempt());
    o.put("status", lower(a.status()));
    o.set("input", a.input());
    o.set("output", a.output());
    o.put("result_hash", a.resultHash());
    o.put("error", a.error());
    o.put("started_at", time(a.startedAt()));
    o.put("finished_at", time(a.finishedAt()));
    return o;
  }

  static ObjectNode checkpoint(Checkpoint c) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("session_id", c.sessionId().toString());
    o.put("checkpoint_id", c.checkpointId());
    o.put("parent_checkpoint_id", c.parentCheckpointId());
    o.put("sequence", c.sequence());
    o.set("data", c.data());
    o.put("bytes", c.bytes() == null ? null : Base64.getEncoder().encodeToString(c.bytes()));
    o.set("metadata", c.metadata());
    o.put("resume_token", c.resumeToken());
    o.put("created_at", time(c.createdAt()));
    return o;
  }

  static ObjectNode node(Node n) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("node_id", n.nodeId());
    o.put("node_type", lower(n.type()));
    o.put("name", n.name());
    o.put("description", n.description());
    o.put("endpoint", n.endpoint());
    o.set("param_schema", n.paramSchema());
    o.put("status", lower(n.status()));
    o.put("created_at", time(n.createdAt()));
    o.put("updated_at", time(n.updatedAt()));
    return o;
  }

  static ObjectNode task(Task t) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("task_id", t.taskId().toString());
    o.put("task_type", t.taskType());
    o.put("session_id", id(t.sessionId()));
    o.put("status", lower(t.status()));
    o.put("progress", t.progress());
    o.set("result", t.result());
    o.put("error", t.error());
    o.put("created_at", time(t.createdAt()));
    o.put("updated_at", time(t.updatedAt()));
    o.put("started_at", time(t.startedAt()));
    o.put("completed_at", time(t.completedAt()));
    return o;
  }

  static ObjectNode handle(ResumeHandle h) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("handle_id", h.handleId().toString());
    o.put("session_id", h.sessionId().toString());
    o.put("correlation_id", h.correlationId());
    o.put("status", lower(h.status()));
    o.set("resume_payload", h.resumePayload());
    o.put("resumed_before_pause", h.resumedBeforePause());
    o.put("expires_at", time(h.expiresAt()));
    o.put("created_at", time(h.createdAt()));
    o.put("updated_at", time(h.updatedAt()));
    o.put("paused_at", time(h.pausedAt()));
    o.put("resumed_at", time(h.resumedAt()));
    return o;
  }

  static ObjectNode command(Command c) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("command_id", c.commandId().toString());
    o.put("session_id", c.sessionId().toString());
    o.put("command_type", c.commandType());
    o.set("payload", c.payload());
    o.put("idempotency_key", c.idempotencyKey());
    o.put("status", lower(c.status()));
    o.put("error", c.error());
    o.put("created_at", time(c.createdAt()));
    o.put("updated_at", time(c.updatedAt()));
    return o;
  }

  /** {@code {"<name>": [...]}} with each item in its wire form. */
  static <T> ObjectNode page(String name, List<T> items, Function<T, ObjectNode> wire) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ArrayNode array = body.putArray(name);
    items.forEach(i -> array.add(wire.apply(i)));
    return body;
  }

  /** An enum constant from its wire form (case-insensitive); INVALID_ARGUMENT naming the values. */
  static <E extends Enum<E>> E parse(String what, Class<E> type, String raw) {
    for (E v : type.getEnumConstants()) if (v.name().equalsIgnoreCase(raw)) return v;
    throw new FlowstoreException(
        ErrorCode.INVALID_ARGUMENT,
        what
            + " must be one of "
            + Arrays.stream(type.getEnumConstants())
                .map(RecordsJson::lower)
                .collect(Collectors.joining(", "))
            + "; got '"
            + QueryParams.shorten(raw)
            + "'");
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String id(UUID id) {
    return id == null ? null : id.toString();
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
