"""The API surface, written once: each method builds a ``Call`` and hands it to its client's executor.

A ``Client`` executes a call at once and returns the result; an ``AsyncClient`` returns an awaitable
of the same result. The ``operation`` descriptor types both (``Sessions[Sync].get`` returns a
``Session``, ``Sessions[Async].get`` an ``Awaitable[Session]``) and records which operation of
openapi.yaml each method drives (``OPERATIONS``, checked by the tests).
"""

from __future__ import annotations

import base64
import functools
import math
from datetime import datetime
from decimal import Decimal
from typing import (
    Any,
    Awaitable,
    Callable,
    Concatenate,
    Generic,
    Iterable,
    Literal,
    Mapping,
    ParamSpec,
    TypeVar,
    Union,
    overload,
)

import httpx

from ._transport import Call, call, drop_none, seg
from ._types import (
    JSON,
    AppendResult,
    AuditPage,
    AuditVerification,
    Checkpoint,
    CheckpointPage,
    Collection,
    Command,
    DlqPage,
    FeedPage,
    Flow,
    FlowPage,
    Job,
    JobDetail,
    Lease,
    Node,
    NodePage,
    OutboxMessage,
    OutboxPage,
    QueueStats,
    RecordPage,
    ResumeHandle,
    Session,
    SessionPage,
    StepAttempt,
    StoredRecord,
    StreamPage,
    Task,
    from_json,
)

P = ParamSpec("P")
T = TypeVar("T")


class Sync:
    """Marker: resources of a ``Client`` return results."""


class Async:
    """Marker: resources of an ``AsyncClient`` return awaitables of results."""


M = TypeVar("M", Sync, Async)

OPERATIONS: dict[str, list[str]] = {}
"""operationId of openapi.yaml -> the client methods that drive it ("sessions.get")."""


class Resource(Generic[M]):
    def __init__(self, run: Callable[[Call[Any]], Any]) -> None:
        self._run = run


def operation(operation_id: str) -> Callable[[Callable[Concatenate[Any, P], Call[T]]], _Op[P, T]]:
    """Marks a method as driving the operation ``operation_id``; see the module docstring."""

    def decorate(fn: Callable[Concatenate[Any, P], Call[T]]) -> _Op[P, T]:
        return _Op(operation_id, fn)

    return decorate


class _Op(Generic[P, T]):
    def __init__(self, operation_id: str, fn: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self.operation_id = operation_id
        self.fn = fn

    def __set_name__(self, owner: type, name: str) -> None:
        resource = owner.__name__[0].lower() + owner.__name__[1:]
        OPERATIONS.setdefault(self.operation_id, []).append(f"{resource}.{name}")

    @overload
    def __get__(self, obj: None, owner: Any) -> _Op[P, T]: ...

    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, T]: ...

    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, Awaitable[T]]: ...

    def __get__(self, obj: Any, owner: Any) -> Any:
        if obj is None:
            return self
        fn = self.fn

        @functools.wraps(fn)
        def bound(*args: Any, **kwargs: Any) -> Any:
            return obj._run(fn(obj, *args, **kwargs))

        return bound


def _one(cls: type[T]) -> Callable[[httpx.Response], T]:
    return lambda r: from_json(cls, r.json())


def _many(cls: type[T], key: str) -> Callable[[httpx.Response], list[T]]:
    return lambda r: [from_json(cls, item) for item in r.json()[key]]


def _nothing(r: httpx.Response) -> None:
    return None


def _text(r: httpx.Response) -> str:
    return r.text


def _json(r: httpx.Response) -> JSON:
    return r.json()  # type: ignore[no-any-return]


def _time(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


class Events(Resource[M]):
    """Append-only streams (optimistic concurrency) and the tenant-wide feed."""

    @operation("appendEvents")
    def append(
        self,
        stream: str,
        events: list[JSON],
        *,
        expected_version: int | Literal["any", "no_stream"] = "any",
        idempotency_key: str | None = None,
    ) -> Call[AppendResult]:
        """Appends ``events`` (``{"type", "payload"?, "metadata"?, "event_id"?}``) atomically.

        Raises ``VersionConflict`` when the stream is not at ``expected_version`` (an int, ``"any"``
        or ``"no_stream"``); ``EventIdConflict`` when a supplied event id is stored elsewhere.
        Supplied event ids make the append itself idempotent (``replayed`` is then True).
        """
        body = {"expected_version": expected_version, "events": events}
        return call(
            "POST",
            f"/v1/streams/{seg(stream)}/events",
            _one(AppendResult),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("readStream")
    def read(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        limit: int | None = None,
        direction: Literal["forward", "backward"] | None = None,
    ) -> Call[StreamPage]:
        """A page of one stream (an unknown stream reads as an empty page)."""
        params = {"from_version": from_version, "limit": limit, "direction": direction}
        return call("GET", f"/v1/streams/{seg(stream)}/events", _one(StreamPage), params=params)

    @operation("readAll")
    def read_all(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        category: str | None = None,
        wait_s: int | None = None,
    ) -> Call[FeedPage]:
        """Events of the tenant with position > ``after``, in order; page on with ``next_after``.

        ``wait_s`` (up to 20): when nothing is after ``after``, the server holds the answer until an
        event arrives or ``wait_s`` runs out (long polling)."""
        params = {"after": after, "limit": limit, "category": category, "wait_s": wait_s}
        return call("GET", "/v1/events", _one(FeedPage), params=params, extra_wait_s=wait_s or 0)


class Flows(Resource[M]):
    @operation("registerFlow")
    def register(
        self,
        flow_id: str,
        yaml_content: str,
        *,
        name: str | None = None,
        description: str | None = None,
        param_schema: JSON | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Flow]:
        """Registers version 1 of a flow, or its next version."""
        body = drop_none(
            {
                "flow_id": flow_id,
                "yaml_content": yaml_content,
                "name": name,
                "description": description,
                "param_schema": param_schema,
            }
        )
        return call("POST", "/v1/flows", _one(Flow), body=body, idempotency_key=idempotency_key)

    @operation("listFlows")
    def list(self, *, after: str | None = None, limit: int | None = None) -> Call[FlowPage]:
        return call("GET", "/v1/flows", _one(FlowPage), params={"after": after, "limit": limit})

    @operation("getFlow")
    def get(self, flow_id: str, *, version: int | None = None) -> Call[Flow]:
        """Raises ``NotFound``."""
        return call("GET", f"/v1/flows/{seg(flow_id)}", _one(Flow), params={"version": version})


class Sessions(Resource[M]):
    """Sessions (runs): a state machine with an expected version and a replayable history."""

    @operation("createSession")
    def create(
        self,
        *,
        session_id: str | None = None,
        flow_id: str | None = None,
        flow_version: int | None = None,
        initial_state: str | None = None,
        stage: str | None = None,
        state: JSON | None = None,
        params: JSON | None = None,
        metadata: JSON | None = None,
        schedule_id: str | None = None,
        parent_session_id: str | None = None,
        ttl_seconds: int | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Session]:
        """Creates an active session at version 0 (a given ``session_id`` makes it idempotent).

        Raises ``NotFound`` (no such flow), ``InvalidArgument`` (params against the flow's schema),
        ``VersionConflict`` (the session id exists with other values).
        """
        body = drop_none(
            {
                "session_id": session_id,
                "flow_id": flow_id,
                "flow_version": flow_version,
                "initial_state": initial_state,
                "stage": stage,
                "state": state,
                "params": params,
                "metadata": metadata,
                "schedule_id": schedule_id,
                "parent_session_id": parent_session_id,
                "ttl_seconds": ttl_seconds,
            }
        )
        return call("POST", "/v1/sessions", _one(Session), body=body, idempotency_key=idempotency_key)

    @operation("getSession")
    def get(self, session_id: str) -> Call[Session]:
        """The session now. Raises ``NotFound``."""
        return call("GET", f"/v1/sessions/{seg(session_id)}", _one(Session))

    @operation("getSession")
    def as_of(self, session_id: str, version: int) -> Call[Session]:
        """The session as it was at ``version``, rebuilt by replaying its events."""
        return call(
            "GET",
            f"/v1/sessions/{seg(session_id)}",
            _one(Session),
            params={"as_of_version": version},
        )

    @operation("listSessions")
    def list(
        self,
        *,
        status: str | None = None,
        flow_id: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Call[SessionPage]:
        params = {"status": status, "flow_id": flow_id, "cursor": cursor, "limit": limit}
        return call("GET", "/v1/sessions", _one(SessionPage), params=params)

    @operation("changeSession")
    def transition(
        self,
        session_id: str,
        *,
        expected_version: int,
        to_state: str | None = None,
        status: Literal["completed", "failed", "abandoned"] | None = None,
        stage: str | None = None,
        state: JSON | None = None,
        payload: JSON | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Session]:
        """Changes an active session; the change and its event commit together.

        Raises ``VersionConflict`` (someone changed it since ``expected_version``: read it again),
        ``NotFound``, ``Unprocessable`` (the session has ended).
        """
        body = drop_none(
            {
                "expected_version": expected_version,
                "to_state": to_state,
                "status": status,
                "stage": stage,
                "state": state,
                "payload": payload,
            }
        )
        return call(
            "POST",
            f"/v1/sessions/{seg(session_id)}/transitions",
            _one(Session),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("sessionHistory")
    def history(
        self, session_id: str, *, from_version: int | None = None, limit: int | None = None
    ) -> Call[StreamPage]:
        """The session's events, oldest first. Raises ``NotFound``."""
        return call(
            "GET",
            f"/v1/sessions/{seg(session_id)}/events",
            _one(StreamPage),
            params={"from_version": from_version, "limit": limit},
        )


class Steps(Resource[M]):
    """The step log: ``(session, step, attempt)`` is recorded at most once."""

    @operation("recordStepAttempt")
    def record(
        self,
        session_id: str,
        step: str,
        attempt: int,
        *,
        status: Literal["running", "succeeded", "failed", "skipped"] = "running",
        input: JSON | None = None,
        output: JSON | None = None,
        result_hash: str | None = None,
        error: str | None = None,
    ) -> Call[StepAttempt]:
        """Records the attempt unless it is recorded already: then ``duplicate`` is True and the
        result is the attempt stored first (also when a retry of this very call finds its own)."""
        body = drop_none(
            {
                "status": status,
                "input": input,
                "output": output,
                "result_hash": result_hash,
                "error": error,
            }
        )
        return call("PUT", _step_path(session_id, step, attempt), _one(StepAttempt), body=body)

    @operation("checkStepAttempt")
    def get(self, session_id: str, step: str, attempt: int) -> Call[StepAttempt]:
        """Raises ``NotFound`` when the attempt was never recorded."""
        return call("GET", _step_path(session_id, step, attempt), _one(StepAttempt))

    @operation("finishStepAttempt")
    def finish(
        self,
        session_id: str,
        step: str,
        attempt: int,
        *,
        status: Literal["succeeded", "failed", "skipped"],
        output: JSON | None = None,
        result_hash: str | None = None,
        error: str | None = None,
        idempotency_key: str | None = None,
    ) -> Call[StepAttempt]:
        """Finishes a running attempt. Raises ``Unprocessable`` when it is not running."""
        body = drop_none(
            {"status": status, "output": output, "result_hash": result_hash, "error": error}
        )
        return call(
            "POST",
            _step_path(session_id, step, attempt) + "/finish",
            _one(StepAttempt),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("listSteps")
    def list(self, session_id: str, *, limit: int | None = None) -> Call[list[StepAttempt]]:
        return call(
            "GET",
            f"/v1/sessions/{seg(session_id)}/steps",
            _many(StepAttempt, "steps"),
            params={"limit": limit},
        )


def _step_path(session_id: str, step: str, attempt: int) -> str:
    return f"/v1/sessions/{seg(session_id)}/steps/{seg(step)}/attempts/{int(attempt)}"


class Checkpoints(Resource[M]):
    """Append-only checkpoints of a session and their opaque resume tokens."""

    @operation("saveCheckpoint")
    def save(
        self,
        session_id: str,
        data: JSON,
        *,
        checkpoint_id: str | None = None,
        parent_checkpoint_id: str | None = None,
        blob: bytes | None = None,
        metadata: JSON | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Checkpoint]:
        """Saves a checkpoint (``blob``: optional binary state). Raises ``Unprocessable`` for a
        parent of another session, or an existing ``checkpoint_id`` saved with other values."""
        body = drop_none(
            {
                "checkpoint_id": checkpoint_id,
                "parent_checkpoint_id": parent_checkpoint_id,
                "data": data,
                "bytes": base64.b64encode(blob).decode() if blob is not None else None,
                "metadata": metadata,
            }
        )
        return call(
            "POST",
            f"/v1/sessions/{seg(session_id)}/checkpoints",
            _one(Checkpoint),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("listCheckpoints")
    def list(
        self, session_id: str, *, before: int | None = None, limit: int | None = None
    ) -> Call[CheckpointPage]:
        """Newest first; page on with ``next_before``."""
        return call(
            "GET",
            f"/v1/sessions/{seg(session_id)}/checkpoints",
            _one(CheckpointPage),
            params={"before": before, "limit": limit},
        )

    @operation("latestCheckpoint")
    def latest(self, session_id: str) -> Call[Checkpoint]:
        """Raises ``NotFound`` when the session has none."""
        return call("GET", f"/v1/sessions/{seg(session_id)}/checkpoints/latest", _one(Checkpoint))

    @operation("getCheckpoint")
    def get(self, session_id: str, checkpoint_id: str) -> Call[Checkpoint]:
        return call(
            "GET",
            f"/v1/sessions/{seg(session_id)}/checkpoints/{seg(checkpoint_id)}",
            _one(Checkpoint),
        )

    @operation("resolveResumeToken")
    def resolve(self, resume_token: str) -> Call[Checkpoint]:
        """The checkpoint a resume token names (in this tenant only). Raises ``NotFound``,
        ``InvalidArgument`` (a malformed token)."""
        return call("GET", "/v1/checkpoints/resume", _one(Checkpoint), params={"token": resume_token})


class Nodes(Resource[M]):
    @operation("registerNode")
    def register(
        self,
        node_id: str,
        *,
        node_type: Literal["builtin", "webhook"],
        name: str,
        description: str | None = None,
        endpoint: str | None = None,
        param_schema: JSON | None = None,
        status: Literal["active", "disabled"] | None = None,
    ) -> Call[Node]:
        """Creates or replaces a node (a webhook needs an http(s) ``endpoint``)."""
        body = drop_none(
            {
                "node_type": node_type,
                "name": name,
                "description": description,
                "endpoint": endpoint,
                "param_schema": param_schema,
                "status": status,
            }
        )
        return call("PUT", f"/v1/nodes/{seg(node_id)}", _one(Node), body=body)

    @operation("getNode")
    def get(self, node_id: str) -> Call[Node]:
        return call("GET", f"/v1/nodes/{seg(node_id)}", _one(Node))

    @operation("listNodes")
    def list(
        self,
        *,
        type: Literal["builtin", "webhook"] | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> Call[NodePage]:
        params = {"type": type, "after": after, "limit": limit}
        return call("GET", "/v1/nodes", _one(NodePage), params=params)


class Tasks(Resource[M]):
    """Asynchronous tasks with progress: pending -> running -> completed | failed | cancelled."""

    @operation("createTask")
    def create(
        self, task_type: str, *, session_id: str | None = None, idempotency_key: str | None = None
    ) -> Call[Task]:
        body = drop_none({"task_type": task_type, "session_id": session_id})
        return call("POST", "/v1/tasks", _one(Task), body=body, idempotency_key=idempotency_key)

    @operation("listTasks")
    def list(
        self,
        *,
        session_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> Call[list[Task]]:
        params = {"session_id": session_id, "status": status, "limit": limit}
        return call("GET", "/v1/tasks", _many(Task, "tasks"), params=params)

    @operation("getTask")
    def get(self, task_id: str) -> Call[Task]:
        return call("GET", f"/v1/tasks/{seg(task_id)}", _one(Task))

    def _move(self, task_id: str, action: str, body: JSON, key: str | None) -> Call[Task]:
        return call(
            "POST", f"/v1/tasks/{seg(task_id)}/{action}", _one(Task), body=body, idempotency_key=key
        )

    @operation("startTask")
    def start(self, task_id: str, *, idempotency_key: str | None = None) -> Call[Task]:
        """Raises ``Unprocessable`` when the task is not pending."""
        return self._move(task_id, "start", {}, idempotency_key)

    @operation("setTaskProgress")
    def progress(
        self, task_id: str, progress: float, *, idempotency_key: str | None = None
    ) -> Call[Task]:
        """``progress`` in 0..100."""
        return self._move(task_id, "progress", {"progress": progress}, idempotency_key)

    @operation("completeTask")
    def complete(
        self, task_id: str, result: JSON | None = None, *, idempotency_key: str | None = None
    ) -> Call[Task]:
        return self._move(task_id, "complete", drop_none({"result": result}), idempotency_key)

    @operation("failTask")
    def fail(self, task_id: str, error: str, *, idempotency_key: str | None = None) -> Call[Task]:
        return self._move(task_id, "fail", {"error": error}, idempotency_key)

    @operation("cancelTask")
    def cancel(self, task_id: str, *, idempotency_key: str | None = None) -> Call[Task]:
        return self._move(task_id, "cancel", {}, idempotency_key)


class ResumeHandles(Resource[M]):
    """Pause a session and resume it by correlation id, exactly once."""

    @operation("createResumeHandle")
    def create(
        self,
        session_id: str,
        correlation_id: str,
        *,
        expires_at: datetime | str | None = None,
        idempotency_key: str | None = None,
    ) -> Call[ResumeHandle]:
        """Raises ``Unprocessable`` when a waiting handle has this correlation id."""
        body = drop_none(
            {
                "session_id": session_id,
                "correlation_id": correlation_id,
                "expires_at": _time(expires_at),
            }
        )
        return call(
            "POST",
            "/v1/resume-handles",
            _one(ResumeHandle),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("listResumeHandles")
    def list(
        self,
        *,
        session_id: str | None = None,
        correlation_id: str | None = None,
        limit: int | None = None,
    ) -> Call[list[ResumeHandle]]:
        params = {"session_id": session_id, "correlation_id": correlation_id, "limit": limit}
        return call(
            "GET", "/v1/resume-handles", _many(ResumeHandle, "resume_handles"), params=params
        )

    @operation("getResumeHandle")
    def get(self, handle_id: str) -> Call[ResumeHandle]:
        return call("GET", f"/v1/resume-handles/{seg(handle_id)}", _one(ResumeHandle))

    @operation("markResumeHandlePaused")
    def mark_paused(
        self, handle_id: str, *, idempotency_key: str | None = None
    ) -> Call[ResumeHandle]:
        """The session has stopped. If a resume came first, the answer is the resumed handle
        (``resumed_before_pause``): continue with its ``resume_payload`` instead of stopping."""
        return call(
            "POST",
            f"/v1/resume-handles/{seg(handle_id)}/paused",
            _one(ResumeHandle),
            body={},
            idempotency_key=idempotency_key,
        )

    @operation("resume")
    def resume(
        self,
        correlation_id: str,
        payload: JSON | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Call[ResumeHandle]:
        """Resumes exactly once: a second resume raises ``Unprocessable``; ``NotFound`` when the
        correlation id never had a handle."""
        return call(
            "POST",
            f"/v1/resume-handles/{seg(correlation_id)}/resume",
            _one(ResumeHandle),
            body={"payload": payload or {}},
            idempotency_key=idempotency_key,
        )


class Commands(Resource[M]):
    """The command inbox: at most one active command per (session, command type)."""

    @operation("submitCommand")
    def submit(
        self,
        session_id: str,
        command_type: str,
        payload: JSON | None = None,
        *,
        command_key: str | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Command]:
        """``duplicate`` is True when an active command of the type (or ``command_key``, the
        command's own idempotency key) exists. Raises ``IdempotencyKeyReused``."""
        body = drop_none(
            {
                "session_id": session_id,
                "command_type": command_type,
                "payload": payload,
                "idempotency_key": command_key,
            }
        )
        return call(
            "POST", "/v1/commands", _one(Command), body=body, idempotency_key=idempotency_key
        )

    @operation("listCommands")
    def list(
        self, session_id: str, *, status: str | None = None, limit: int | None = None
    ) -> Call[list[Command]]:
        params = {"session_id": session_id, "status": status, "limit": limit}
        return call("GET", "/v1/commands", _many(Command, "commands"), params=params)

    @operation("getCommand")
    def get(self, command_id: str) -> Call[Command]:
        return call("GET", f"/v1/commands/{seg(command_id)}", _one(Command))

    def _move(self, command_id: str, action: str, body: JSON, key: str | None) -> Call[Command]:
        return call(
            "POST",
            f"/v1/commands/{seg(command_id)}/{action}",
            _one(Command),
            body=body,
            idempotency_key=key,
        )

    @operation("startCommand")
    def start(self, command_id: str, *, idempotency_key: str | None = None) -> Call[Command]:
        """received -> processing; raises ``Unprocessable`` from any other status."""
        return self._move(command_id, "start", {}, idempotency_key)

    @operation("completeCommand")
    def complete(self, command_id: str, *, idempotency_key: str | None = None) -> Call[Command]:
        return self._move(command_id, "complete", {}, idempotency_key)

    @operation("failCommand")
    def fail(
        self, command_id: str, error: str, *, idempotency_key: str | None = None
    ) -> Call[Command]:
        return self._move(command_id, "fail", {"error": error}, idempotency_key)


class Queue(Resource[M]):
    """Job queues: at-least-once delivery, leases with fencing tokens, retries, the DLQ."""

    @operation("enqueueJobs")
    def enqueue(
        self,
        queue: str,
        job_type: str,
        payload: JSON | None = None,
        *,
        priority: int | None = None,
        run_at: datetime | str | None = None,
        delay_s: int | None = None,
        max_attempts: int | None = None,
        unique_key: str | None = None,
        trace_id: str | None = None,
        event_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Job]:
        """Enqueues one job. With ``unique_key`` held by an active job, nothing is written and the
        result is that job with ``duplicate`` True."""
        body = drop_none(
            {
                "job_type": job_type,
                "payload": payload,
                "priority": priority,
                "run_at": _time(run_at),
                "delay_s": delay_s,
                "max_attempts": max_attempts,
                "unique_key": unique_key,
                "trace_id": trace_id,
                "event_id": event_id,
            }
        )
        return call(
            "POST",
            f"/v1/queues/{seg(queue)}/jobs",
            _one(Job),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("enqueueJobs")
    def enqueue_many(
        self, queue: str, jobs: list[JSON], *, idempotency_key: str | None = None
    ) -> Call[list[Job]]:
        """Enqueues a batch (each ``{"job_type", "payload"?, ...}`` as for ``enqueue``) in one
        transaction; the result is in request order."""
        return call(
            "POST",
            f"/v1/queues/{seg(queue)}/jobs",
            _many(Job, "jobs"),
            body={"jobs": jobs},
            idempotency_key=idempotency_key,
        )

    @operation("leaseJobs")
    def lease(
        self,
        queue: str,
        *,
        max: int = 1,
        visibility_timeout_s: int | None = None,
        idempotency_key: str | None = None,
    ) -> Call[list[Lease]]:
        """Leases up to ``max`` ready jobs (empty when none is). Each lease counts an attempt and
        carries a new ``lease_token``. A retried lease call replays its first answer, so a lost
        answer does not strand leases."""
        body = drop_none({"max": max, "visibility_timeout_s": visibility_timeout_s})
        return call(
            "POST",
            f"/v1/queues/{seg(queue)}/leases",
            _many(Lease, "leases"),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("ackJob")
    def ack(
        self, job_id: str, lease_token: int, *, idempotency_key: str | None = None
    ) -> Call[Job]:
        """Marks the job succeeded. Raises ``LeaseLost`` when ``lease_token`` is stale (the job
        was leased again after the lease expired); nothing changes then."""
        return self._settle(job_id, "ack", {"lease_token": lease_token}, idempotency_key)

    @operation("nackJob")
    def nack(
        self,
        job_id: str,
        lease_token: int,
        error: str,
        *,
        retry_delay_s: int | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Job]:
        """A failed attempt: retried with backoff, or dead-lettered after ``max_attempts``.
        Raises ``LeaseLost``."""
        body = drop_none(
            {"lease_token": lease_token, "error": error[:65536], "retry_delay_s": retry_delay_s}
        )
        return self._settle(job_id, "nack", body, idempotency_key)

    @operation("heartbeatJob")
    def heartbeat(
        self,
        job_id: str,
        lease_token: int,
        *,
        extend_s: int | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Lease]:
        """Extends the lease by ``extend_s`` from now. Raises ``LeaseLost``."""
        body = drop_none({"lease_token": lease_token, "extend_s": extend_s})
        return call(
            "POST",
            f"/v1/jobs/{seg(job_id)}/heartbeat",
            _one(Lease),
            body=body,
            idempotency_key=idempotency_key,
        )

    @operation("releaseJob")
    def release(
        self, job_id: str, lease_token: int, *, idempotency_key: str | None = None
    ) -> Call[Job]:
        """Gives the job back without counting a failure. Raises ``LeaseLost``."""
        return self._settle(job_id, "release", {"lease_token": lease_token}, idempotency_key)

    def _settle(self, job_id: str, action: str, body: JSON, key: str | None) -> Call[Job]:
        return call(
            "POST", f"/v1/jobs/{seg(job_id)}/{action}", _one(Job), body=body, idempotency_key=key
        )

    @operation("getJob")
    def get(self, job_id: str) -> Call[JobDetail]:
        """The job with every attempt and its DLQ item. Raises ``NotFound``."""
        return call("GET", f"/v1/jobs/{seg(job_id)}", _one(JobDetail))

    @operation("queueStats")
    def stats(self) -> Call[list[QueueStats]]:
        return call("GET", "/v1/queues", _many(QueueStats, "queues"))


class Dlq(Resource[M]):
    @operation("listDlq")
    def list(
        self, *, queue: str | None = None, after: str | None = None, limit: int | None = None
    ) -> Call[DlqPage]:
        params = {"queue": queue, "after": after, "limit": limit}
        return call("GET", "/v1/dlq", _one(DlqPage), params=params)

    @operation("inspectDlq")
    def get(self, job_id: str) -> Call[JobDetail]:
        return call("GET", f"/v1/dlq/{seg(job_id)}", _one(JobDetail))

    @operation("redriveDlq")
    def redrive(self, job_id: str, *, idempotency_key: str | None = None) -> Call[Job]:
        """Queues the job again (new message id, attempts from 0). Raises ``Unprocessable`` when
        an active job holds its unique key."""
        return call(
            "POST",
            f"/v1/dlq/{seg(job_id)}/redrive",
            _one(Job),
            body={},
            idempotency_key=idempotency_key,
        )

    @operation("purgeDlq")
    def purge(self, job_id: str) -> Call[None]:
        """Deletes the job and its DLQ item. Raises ``NotFound``."""
        return call("DELETE", f"/v1/dlq/{seg(job_id)}", _nothing)


class Outbox(Resource[M]):
    @operation("listOutbox")
    def list(
        self,
        *,
        status: Literal["pending", "published", "failed"] | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> Call[OutboxPage]:
        params = {"status": status, "after": after, "limit": limit}
        return call("GET", "/v1/outbox", _one(OutboxPage), params=params)

    @operation("replayOutbox")
    def replay(self, message_id: str, *, idempotency_key: str | None = None) -> Call[OutboxMessage]:
        """Makes a failed message pending again. Raises ``NotFound``, ``Unprocessable``."""
        return call(
            "POST",
            f"/v1/outbox/{seg(message_id)}/replay",
            _one(OutboxMessage),
            body={},
            idempotency_key=idempotency_key,
        )


class Audit(Resource[M]):
    @operation("listAudit")
    def list(
        self,
        *,
        resource_type: str | None = None,
        resource_id: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> Call[AuditPage]:
        """Entries (``since`` <= created_at < ``until``), in seq order; page on with ``next_after``."""
        params = {
            "resource_type": resource_type,
            "resource_id": resource_id,
            "from": _time(since),
            "to": _time(until),
            "after": after,
            "limit": limit,
        }
        return call("GET", "/v1/audit", _one(AuditPage), params=params)

    @operation("verifyAudit")
    def verify(self) -> Call[AuditVerification]:
        return call("GET", "/v1/audit/verify", _one(AuditVerification))


# why: ops and values are checked when the parameter is built (ValueError); typed loosely so a dict
# or list built in a variable (mypy infers dict[str, object], tuple[str, ...]) passes as it is
Where = Union[Mapping[str, Any], Iterable[tuple[str, str, Any]], str]
"""Filters on indexed fields, all of which must hold: ``{"/status": ("in", ["open", "pending"]),
"/priority": ("gte", 3), "/kind": "bug"}`` (a bare value is ``eq``), or a list of
``(pointer, op, value)`` (two conditions on one field: ``[("/priority", "gte", 2), ("/priority",
"lte", 4)]``), or the API's own ``where`` string."""

_OPS = frozenset({"eq", "in", "gt", "gte", "lt", "lte", "prefix"})


def where_param(where: Where | None) -> str | None:
    """The API's ``where`` parameter (``/status:in:open,pending;/priority:gte:3``) of ``where``.

    The API has no escaping: a pointer cannot hold ``:`` or ``;``, a value cannot hold ``;``, nor
    ``,`` inside an ``in`` list; such filters raise ``ValueError`` here rather than meaning
    something else on the server."""
    if where is None or isinstance(where, str):
        return where
    if isinstance(where, Mapping):
        conditions = [
            (p, *c) if isinstance(c, tuple) else (p, "eq", c) for p, c in where.items()
        ]
    else:
        conditions = list(where)
    parts = []
    for condition in conditions:
        if len(condition) != 3:
            raise ValueError(f"a filter is (pointer, op, value), got {condition!r}")
        pointer, op, value = condition
        if not isinstance(pointer, str) or not pointer.startswith("/") or set(pointer) & {":", ";"}:
            raise ValueError(f"a filter's field is a JSON pointer without ':' or ';': {pointer!r}")
        if op not in _OPS:
            raise ValueError(f"unknown filter op {op!r}: use one of {sorted(_OPS)}")
        if op == "in":
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise ValueError(f"'in' on {pointer} takes a list of values, got {value!r}")
            texts = [_filter_value(pointer, v, ",") for v in value]
            if not texts:
                raise ValueError(f"'in' on {pointer} needs at least one value")
            text = ",".join(texts)
        else:
            text = _filter_value(pointer, value, "")
        parts.append(f"{pointer}:{op}:{text}")
    return ";".join(parts) if parts else None


def _filter_value(pointer: str, value: Any, also_forbidden: str) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"filter on {pointer}: {value} is not a number the API can compare")
    elif isinstance(value, (str, int, float, Decimal)):
        text = str(value)
    else:
        raise ValueError(f"filter on {pointer}: unsupported value {value!r}")
    for c in ";" + also_forbidden:
        if c in text:
            raise ValueError(f"filter on {pointer}: a value cannot hold {c!r} (the API has no escaping)")
    return text


def _bool(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


class Collections(Resource[M]):
    """Collections of JSON records: declared once for every tenant (the application's data model)."""

    @operation("declareCollection")
    def declare(
        self,
        name: str,
        *,
        schema: JSON | None = None,
        indexed: Mapping[str, Literal["string", "number", "boolean", "timestamp"]] | None = None,
        unique: list[str] | None = None,
        parent: str | None = None,
        full_text: list[str] | None = None,
        idempotency_key: str | None = None,
    ) -> Call[Collection]:
        """Declares the collection, or changes its declaration (the same spec keeps its version).

        ``indexed`` maps JSON pointers to their type (``{"/status": "string", "/priority":
        "number"}``): the fields queries filter and sort on. ``unique``: indexed pointers whose
        non-null values are unique per tenant. ``parent``: the collection whose records own these.
        ``full_text``: pointers of string fields that ``query(search=...)`` finds words in.
        Declarations are global: every tenant's, so on a server with API keys only an ``admin``
        key may declare (``Forbidden`` otherwise). Indexes of records already stored are built
        before the answer. Raises ``InvalidArgument``, ``NotFound`` (undeclared parent),
        ``AlreadyExists`` (a new unique field holds a value twice in a tenant).
        """
        body = drop_none(
            {
                "name": name,
                "schema": schema,
                "indexed": None
                if indexed is None
                else [{"pointer": p, "type": t} for p, t in indexed.items()],
                "unique": unique,
                "parent": parent,
                "full_text": full_text,
            }
        )
        return call(
            "POST", "/v1/collections", _one(Collection), body=body, idempotency_key=idempotency_key
        )

    @operation("listCollections")
    def list(self) -> Call[list[Collection]]:
        """Every declared collection, by name."""
        return call("GET", "/v1/collections", _many(Collection, "collections"))

    @operation("getCollection")
    def get(self, name: str) -> Call[Collection]:
        """Raises ``NotFound`` when it is not declared."""
        return call("GET", f"/v1/collections/{seg(name)}", _one(Collection))


def _page_params(
    where: Where | None,
    sort_by: str | None,
    order: Literal["asc", "desc"] | None,
    include_archived: bool | None,
    with_count: bool | None,
    limit: int | None,
    cursor: str | None,
    offset: int | None,
) -> dict[str, Any]:
    return {
        "where": where_param(where),
        "sort_by": sort_by,
        "order": order,
        "include_archived": _bool(include_archived),
        "with_count": _bool(with_count),
        "limit": limit,
        "cursor": cursor,
        "offset": offset,
    }


class Records(Resource[M]):
    """A tenant's JSON records: versions (expected on every change), history, indexed queries."""

    @operation("createRecord")
    def create(
        self,
        collection: str,
        data: JSON,
        *,
        record_id: str | None = None,
        parent_id: str | None = None,
        idempotency_key: str | None = None,
        actor: str | None = None,
    ) -> Call[StoredRecord]:
        """Creates a record at version 0 (``record_id``: yours, else a generated UUID).
        ``actor`` (here and on every change): who it is made for, written into the event's metadata
        (the client's ``actor`` when None).

        Raises ``AlreadyExists`` (the id exists, or a unique field's value is another record's),
        ``InvalidArgument`` (the data breaks the schema or an indexed field's type: the message
        names each failing JSON pointer), ``NotFound`` (undeclared collection, missing parent).
        """
        body = drop_none({"id": record_id, "data": data, "parent_id": parent_id})
        return call(
            "POST",
            f"/v1/collections/{seg(collection)}/records",
            _one(StoredRecord),
            body=body,
            idempotency_key=idempotency_key,
            actor=actor,
        )

    @operation("getRecord")
    def get(
        self, collection: str, record_id: str, *, as_of_version: int | None = None
    ) -> Call[StoredRecord]:
        """The record now, or as it was at ``as_of_version`` (rebuilt from its events).
        Raises ``NotFound``."""
        return call(
            "GET",
            _record_path(collection, record_id),
            _one(StoredRecord),
            params={"as_of_version": as_of_version},
        )

    @operation("getRecordByUnique")
    def get_by_unique(
        self, collection: str, field: str, value: str | int | float | Decimal | bool | datetime
    ) -> Call[StoredRecord]:
        """The record, archived or not, holding ``value`` in the unique field ``field`` (a JSON
        pointer: an agent by ``"/username"``): one lookup, not a query. Raises ``NotFound`` (no
        record holds it, or an undeclared collection), ``InvalidArgument`` (``field`` is not a
        unique field, or the value is not of its type), ``Unprocessable`` (its index is still
        being built)."""
        return call(
            "GET",
            f"/v1/collections/{seg(collection)}/unique",
            _one(StoredRecord),
            params={"field": field, "value": _unique_value(field, value)},
        )

    @operation("replaceRecord")
    def replace(
        self,
        collection: str,
        record_id: str,
        data: JSON,
        *,
        expected_version: int,
        actor: str | None = None,
    ) -> Call[StoredRecord]:
        """Replaces the data. Raises ``VersionConflict`` (changed since ``expected_version``: read
        it again), ``InvalidArgument``, ``AlreadyExists`` (a unique value), ``NotFound``."""
        body = {"expected_version": expected_version, "data": data}
        return call(
            "PUT", _record_path(collection, record_id), _one(StoredRecord), body=body, actor=actor
        )

    @operation("patchRecord")
    def patch(
        self,
        collection: str,
        record_id: str,
        patch: JSON,
        *,
        expected_version: int,
        actor: str | None = None,
    ) -> Call[StoredRecord]:
        """Applies a JSON merge patch (RFC 7396: ``None`` removes a field). Raises as ``replace``."""
        body = {"expected_version": expected_version, "patch": patch}
        return call(
            "PATCH", _record_path(collection, record_id), _one(StoredRecord), body=body, actor=actor
        )

    def _archive(
        self,
        collection: str,
        record_id: str,
        archived: bool,
        expected: int,
        key: str | None,
        actor: str | None,
    ) -> Call[StoredRecord]:
        return call(
            "POST",
            _record_path(collection, record_id) + "/archive",
            _one(StoredRecord),
            body={"expected_version": expected, "archived": archived},
            idempotency_key=key,
            actor=actor,
        )

    @operation("archiveRecord")
    def archive(
        self,
        collection: str,
        record_id: str,
        *,
        expected_version: int,
        idempotency_key: str | None = None,
        actor: str | None = None,
    ) -> Call[StoredRecord]:
        """Archives the record (queries leave it out unless ``include_archived``). Raises
        ``VersionConflict``, ``NotFound``, ``Unprocessable``."""
        return self._archive(collection, record_id, True, expected_version, idempotency_key, actor)

    @operation("archiveRecord")
    def unarchive(
        self,
        collection: str,
        record_id: str,
        *,
        expected_version: int,
        idempotency_key: str | None = None,
        actor: str | None = None,
    ) -> Call[StoredRecord]:
        """Brings an archived record back. Raises as ``archive``."""
        return self._archive(
            collection, record_id, False, expected_version, idempotency_key, actor
        )

    @operation("deleteRecord")
    def delete(
        self,
        collection: str,
        record_id: str,
        *,
        expected_version: int,
        actor: str | None = None,
    ) -> Call[None]:
        """Deletes the record (its history stays). Raises ``VersionConflict``, ``NotFound``,
        ``Unprocessable`` (it has children: delete them first)."""
        return call(
            "DELETE",
            _record_path(collection, record_id),
            _nothing,
            params={"expected_version": expected_version},
            actor=actor,
        )

    @operation("queryRecords")
    def query(
        self,
        collection: str,
        *,
        where: Where | None = None,
        sort_by: str | None = None,
        order: Literal["asc", "desc"] | None = None,
        parent_id: str | None = None,
        search: str | None = None,
        include_archived: bool | None = None,
        with_count: bool | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        offset: int | None = None,
    ) -> Call[RecordPage]:
        """A page of records matching every filter of ``where`` (indexed fields only; see
        ``Where``), sorted by ``sort_by`` (``created_at``, the default, ``updated_at`` or an indexed
        pointer; ``relevance``, the default with ``search``). ``search``: words that must all occur
        in the collection's ``full_text`` fields. Page on with ``cursor=page.next_cursor`` (same
        filters and sort), or ``offset``
        (up to 10000; not with a cursor). Raises ``InvalidArgument`` (a field not indexed, a value
        not of its type), ``Unprocessable`` (the field's index is still being built)."""
        params = _page_params(
            where, sort_by, order, include_archived, with_count, limit, cursor, offset
        )
        params["parent_id"] = parent_id
        params["q"] = search
        return call(
            "GET", f"/v1/collections/{seg(collection)}/records", _one(RecordPage), params=params
        )

    @operation("recordHistory")
    def history(
        self,
        collection: str,
        record_id: str,
        *,
        from_version: int | None = None,
        limit: int | None = None,
    ) -> Call[StreamPage]:
        """The record's events (``record.created``, ``record.patched``, ...), oldest first: each
        change's fields set and removed, and its indexed fields before and after. Raises
        ``NotFound``."""
        return call(
            "GET",
            _record_path(collection, record_id) + "/history",
            _one(StreamPage),
            params={"from_version": from_version, "limit": limit},
        )

    @operation("recordChildren")
    def children(
        self,
        collection: str,
        record_id: str,
        child_collection: str,
        *,
        where: Where | None = None,
        sort_by: str | None = None,
        order: Literal["asc", "desc"] | None = None,
        search: str | None = None,
        include_archived: bool | None = None,
        with_count: bool | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        offset: int | None = None,
    ) -> Call[RecordPage]:
        """The record's children in ``child_collection``, paged as ``query`` pages. Raises
        ``NotFound`` (no such parent record)."""
        params = _page_params(
            where, sort_by, order, include_archived, with_count, limit, cursor, offset
        )
        params["collection"] = child_collection
        params["q"] = search
        return call(
            "GET",
            _record_path(collection, record_id) + "/children",
            _one(RecordPage),
            params=params,
        )


def _unique_value(field: str, value: Any) -> str:
    """The ``value`` parameter of a unique lookup: the server reads it as the field's type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"lookup on {field}: {value} is not a value a record can hold")
    if isinstance(value, (str, int, float, Decimal)):
        return str(value)
    raise ValueError(f"lookup on {field}: unsupported value {value!r}")


def _record_path(collection: str, record_id: str) -> str:
    return f"/v1/collections/{seg(collection)}/records/{seg(record_id)}"


class Server(Resource[M]):
    """Operations endpoints (no tenant, no key needed)."""

    @operation("live")
    def live(self) -> Call[JSON]:
        return call("GET", "/health/live", _json)

    @operation("ready")
    def ready(self) -> Call[JSON]:
        """Raises ``BackendUnavailable`` when the storage backend cannot be reached."""
        return call("GET", "/health/ready", _json)

    @operation("metrics")
    def metrics(self) -> Call[str]:
        """The Prometheus text exposition."""
        return call("GET", "/metrics", _text)

    @operation("openapi")
    def openapi(self) -> Call[str]:
        """The server's OpenAPI document (YAML text)."""
        return call("GET", "/openapi.yaml", _text)
