package dev.flowstore.server.internal.http;

import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.Task;
import dev.flowstore.Tasks;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/tasks}: create, get, list, and one POST per transition of the task state machine
 * (start, progress, complete, fail, cancel). An illegal transition is 422 UNPROCESSABLE.
 */
final class TasksEndpoints {
  private static final Set<String> CREATE = Set.of("task_type", "session_id");
  private static final Set<String> NONE = Set.of();

  private final Flowstore flowstore;
  private final RequestScope scope;

  TasksEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private Tasks tasks(Context ctx) {
    return flowstore.tasks(scope.tenant(ctx));
  }

  private long bodyLimit() {
    return flowstore.config().maxPayloadBytes() + 64L * 1024;
  }

  void create(Context ctx) {
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, 64 * 1024), CREATE);
    Task task = tasks(ctx).create(b.requiredString("task_type"), b.uuid("session_id"));
    Responses.json(ctx, 201, RecordsJson.task(task));
  }

  void get(Context ctx) {
    UUID id = id(ctx);
    Task task =
        tasks(ctx)
            .get(id)
            .orElseThrow(
                () -> new FlowstoreException(ErrorCode.NOT_FOUND, "task " + id + " not found"));
    Responses.json(ctx, 200, RecordsJson.task(task));
  }

  void list(Context ctx) {
    String session = QueryParams.string(ctx, "session_id");
    String status = QueryParams.string(ctx, "status");
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    Responses.json(
        ctx,
        200,
        RecordsJson.page(
            "tasks",
            tasks(ctx)
                .list(
                    session == null ? null : Ids.uuid("session_id", session),
                    status == null ? null : RecordsJson.parse("status", Task.Status.class, status),
                    limit),
            RecordsJson::task));
  }

  /** PENDING -> RUNNING; the body is empty or {}. */
  void start(Context ctx) {
    UUID id = id(ctx);
    noFields(ctx);
    Responses.json(ctx, 200, RecordsJson.task(tasks(ctx).start(id)));
  }

  /** {@code {"progress": 0..100}} while RUNNING. */
  void progress(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, 64 * 1024), Set.of("progress"));
    BigDecimal progress = b.decimal("progress");
    if (progress == null) throw BodyFields.invalid("body.progress: required");
    Responses.json(ctx, 200, RecordsJson.task(tasks(ctx).progress(id, progress)));
  }

  /** RUNNING -> COMPLETED with an optional {@code result} object; progress becomes 100. */
  void complete(Context ctx) {
    UUID id = id(ctx);
    BodyFields b =
        BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, bodyLimit()), Set.of("result"));
    Responses.json(ctx, 200, RecordsJson.task(tasks(ctx).complete(id, b.object("result"))));
  }

  /** RUNNING -> FAILED with {@code {"error": "..."}}. */
  void fail(Context ctx) {
    UUID id = id(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), Set.of("error"));
    Responses.json(ctx, 200, RecordsJson.task(tasks(ctx).fail(id, b.requiredString("error"))));
  }

  /** PENDING | RUNNING -> CANCELLED; the body is empty or {}. */
  void cancel(Context ctx) {
    UUID id = id(ctx);
    noFields(ctx);
    Responses.json(ctx, 200, RecordsJson.task(tasks(ctx).cancel(id)));
  }

  private static void noFields(Context ctx) {
    BodyFields.of("body", RequestBody.jsonOrEmpty(ctx, 64 * 1024), NONE);
  }

  private static UUID id(Context ctx) {
    return Ids.uuid("task_id", ctx.pathParam("task_id"));
  }
}
