package dev.flowstore.server.internal.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.NewStepAttempt;
import dev.flowstore.Recorded;
import dev.flowstore.StepAttempt;
import dev.flowstore.Steps;
import dev.flowstore.internal.RecordValidation;
import io.javalin.http.Context;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /v1/sessions/{session_id}/steps}: record an attempt (idempotent: the first record wins),
 * check it, finish it, list a session's attempts.
 */
final class StepsEndpoints {
  private static final Set<String> RECORD =
      Set.of("status", "input", "output", "result_hash", "error");
  private static final Set<String> FINISH = Set.of("status", "output", "result_hash", "error");

  private final Flowstore flowstore;
  private final RequestScope scope;

  StepsEndpoints(Flowstore flowstore, RequestScope scope) {
    this.flowstore = flowstore;
    this.scope = scope;
  }

  private Steps steps(Context ctx) {
    return flowstore.steps(scope.tenant(ctx));
  }

  private long bodyLimit() {
    return 4L * flowstore.config().maxPayloadBytes() + 64 * 1024;
  }

  /** 201 with the new attempt, or 200 with the stored one and {@code duplicate: true}. */
  void record(Context ctx) {
    Key key = key(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), RECORD);
    String status = b.string("status");
    NewStepAttempt attempt =
        new NewStepAttempt(
            key.session(),
            key.step(),
            key.attempt(),
            status == null
                ? StepAttempt.Status.RUNNING
                : RecordsJson.parse("status", StepAttempt.Status.class, status),
            b.object("input"),
            b.object("output"),
            b.string("result_hash"),
            b.string("error"));
    Recorded<StepAttempt> recorded = steps(ctx).record(attempt);
    ObjectNode body = RecordsJson.step(recorded.value());
    body.put("duplicate", recorded.duplicate());
    Responses.json(ctx, recorded.duplicate() ? 200 : 201, body);
  }

  void check(Context ctx) {
    Key key = key(ctx);
    StepAttempt a =
        steps(ctx)
            .check(key.session(), key.step(), key.attempt())
            .orElseThrow(
                () ->
                    new FlowstoreException(
                        ErrorCode.NOT_FOUND,
                        "attempt "
                            + key.attempt()
                            + " of step '"
                            + key.step()
                            + "' of session "
                            + key.session()
                            + " is not recorded"));
    Responses.json(ctx, 200, RecordsJson.step(a));
  }

  void finish(Context ctx) {
    Key key = key(ctx);
    BodyFields b = BodyFields.of("body", RequestBody.json(ctx, bodyLimit()), FINISH);
    StepAttempt.Status to =
        RecordsJson.parse("status", StepAttempt.Status.class, b.requiredString("status"));
    StepAttempt a =
        steps(ctx)
            .finish(
                key.session(),
                key.step(),
                key.attempt(),
                to,
                b.object("output"),
                b.string("result_hash"),
                b.string("error"));
    Responses.json(ctx, 200, RecordsJson.step(a));
  }

  void list(Context ctx) {
    UUID session = Ids.uuid("session_id", ctx.pathParam("session_id"));
    int limit = QueryParams.intParam(ctx, "limit", EventsEndpoints.DEFAULT_LIMIT, 1, 1000);
    Responses.json(ctx, 200, ApiBodies.steps(steps(ctx), session, limit));
  }

  private static Key key(Context ctx) {
    UUID session = Ids.uuid("session_id", ctx.pathParam("session_id"));
    String step = RecordValidation.name("step", ctx.pathParam("step"));
    String raw = ctx.pathParam("attempt");
    int attempt;
    try {
      attempt = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      attempt = 0;
    }
    if (attempt < 1)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          "attempt must be an integer >= 1, got '" + QueryParams.shorten(raw) + "'");
    return new Key(session, step, attempt);
  }

  private record Key(UUID session, String step, int attempt) {}
}
