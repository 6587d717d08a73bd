"""Typed results: frozen dataclasses built from the server's JSON (snake_case, as on the wire).

JSON payloads (``payload``, ``state``, ``metadata``, ...) stay plain dicts; times are timezone-aware
``datetime``s. Fields the server adds later are ignored, so a newer server does not break the client.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")

JSON = dict[str, Any]

_FRACTION = re.compile(r"\.(\d+)")


def parse_time(text: str) -> datetime:
    """An RFC 3339 instant (``...Z`` or with an offset, any number of fraction digits)."""
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    # why: Python 3.10's fromisoformat wants exactly 3 or 6 fraction digits
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    return datetime.fromisoformat(text)


_HINTS: dict[type, dict[str, Any]] = {}


def from_json(cls: type[T], data: Any) -> T:
    """``cls`` (a dataclass below) from a decoded JSON object."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = typing.get_type_hints(cls, vars(sys.modules[__name__]))
        _HINTS[cls] = hints
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**values)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if origin is list and args:
        return [_convert(args[0], v) for v in value]
    if hint is datetime:
        return parse_time(value)
    if dataclasses.is_dataclass(hint):
        return from_json(hint, value)
    return value


_frozen = dataclass(frozen=True, kw_only=True)


# --- events -------------------------------------------------------------------------------------


@_frozen
class Event:
    event_id: str
    stream: str
    version: int
    position: int
    type: str
    payload: JSON
    metadata: JSON
    created_at: datetime


@_frozen
class AppendResult:
    stream: str
    next_expected_version: int
    replayed: bool
    """True when every event id was stored at these versions already: nothing was written."""
    events: list[Event]


@_frozen
class StreamPage:
    events: list[Event]
    next_from_version: int | None
    """The ``from_version`` of the next page, or None when this page is the last."""


@_frozen
class FeedPage:
    events: list[Event]
    next_after: int
    """The cursor to read after next: the position of the last event, or the given ``after``."""


# --- workflow -----------------------------------------------------------------------------------


@_frozen
class Flow:
    flow_id: str
    version: int
    name: str
    description: str
    yaml_content: str
    param_schema: JSON
    created_at: datetime


@_frozen
class FlowPage:
    flows: list[Flow]
    next_after: str | None


@_frozen
class Session:
    session_id: str
    status: str
    current_state: str
    state: JSON
    params: JSON
    metadata: JSON
    version: int
    """The expected version of the next transition."""
    created_at: datetime
    updated_at: datetime
    flow_id: str | None = None
    flow_version: int | None = None
    stage: str | None = None
    schedule_id: str | None = None
    parent_session_id: str | None = None
    completed_at: datetime | None = None
    ttl_seconds: int | None = None
    expires_at: datetime | None = None


@_frozen
class SessionPage:
    sessions: list[Session]
    next_cursor: str | None


@_frozen
class StepAttempt:
    session_id: str
    step: str
    attempt: int
    status: str
    started_at: datetime
    input: JSON | None = None
    output: JSON | None = None
    result_hash: str | None = None
    error: str | None = None
    finished_at: datetime | None = None
    duplicate: bool = False
    """On record: the attempt was recorded before (this is the stored one) and nothing was written."""


@_frozen
class Checkpoint:
    session_id: str
    checkpoint_id: str
    sequence: int
    data: JSON
    metadata: JSON
    resume_token: str
    created_at: datetime
    parent_checkpoint_id: str | None = None
    bytes: str | None = None
    """Binary state, base64 (``base64.b64decode`` it)."""


@_frozen
class CheckpointPage:
    checkpoints: list[Checkpoint]
    next_before: int | None


@_frozen
class Node:
    node_id: str
    node_type: str
    name: str
    param_schema: JSON
    status: str
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    endpoint: str | None = None


@_frozen
class NodePage:
    nodes: list[Node]
    next_after: str | None


@_frozen
class Task:
    task_id: str
    task_type: str
    status: str
    progress: float
    created_at: datetime
    updated_at: datetime
    session_id: str | None = None
    result: JSON | None = None
    error: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


@_frozen
class ResumeHandle:
    handle_id: str
    session_id: str
    correlation_id: str
    status: str
    resumed_before_pause: bool
    created_at: datetime
    updated_at: datetime
    resume_payload: JSON | None = None
    expires_at: datetime | None = None
    paused_at: datetime | None = None
    resumed_at: datetime | None = None


@_frozen
class Command:
    command_id: str
    session_id: str
    command_type: str
    payload: JSON
    status: str
    created_at: datetime
    updated_at: datetime
    idempotency_key: str | None = None
    error: str | None = None
    duplicate: bool = False
    """On submit: an active command (or the same idempotency key) exists; nothing was written."""


# --- queue --------------------------------------------------------------------------------------


@_frozen
class Job:
    job_id: str
    message_id: str
    tenant_id: str
    job_type: str
    attempt: int
    queue: str
    payload: JSON
    priority: int
    run_at: datetime
    max_attempts: int
    status: str
    created_at: datetime
    updated_at: datetime
    event_id: str | None = None
    trace_id: str | None = None
    unique_key: str | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    finished_at: datetime | None = None
    duplicate: bool = False
    """On enqueue: an active job held the unique key; this is that job and nothing was written."""


@_frozen
class Lease(Job):
    lease_token: int
    """The fencing token ack, nack, heartbeat and release must carry."""


@_frozen
class JobAttempt:
    attempt: int
    lease_token: int
    outcome: str
    leased_at: datetime
    error: str | None = None
    finished_at: datetime | None = None


@_frozen
class DlqItem:
    job_id: str
    message_id: str
    queue: str
    job_type: str
    payload: JSON
    attempts: int
    dead_lettered_at: datetime
    event_id: str | None = None
    trace_id: str | None = None
    last_error: str | None = None


@_frozen
class JobDetail(Job):
    attempts: list[JobAttempt] = field(default_factory=list)
    """Every delivery, oldest first."""
    dead_letter: DlqItem | None = None


@_frozen
class DlqPage:
    items: list[DlqItem]
    next_after: str | None


@_frozen
class QueueStats:
    queue: str
    depth: int
    ready: int
    delayed: int
    leased: int
    succeeded: int
    dlq_pending: int
    dlq_recorded: int
    failed: int


# --- records ------------------------------------------------------------------------------------


@_frozen
class IndexedField:
    pointer: str
    """A JSON pointer into a record's data (``/status``)."""
    type: str
    """``string``, ``number``, ``boolean`` or ``timestamp``."""


@_frozen
class Collection:
    name: str
    indexed: list[IndexedField]
    unique: list[str]
    """Pointers of indexed fields whose non-null values are unique per tenant."""
    version: int
    """The declaration's version (declaring the same spec again keeps it)."""
    ready_fields: list[IndexedField]
    """The indexed fields whose index is built: queries may filter and sort on these only."""
    ready: bool
    created_at: datetime
    updated_at: datetime
    schema: JSON | None = None
    parent: str | None = None
    full_text: list[str] | None = None
    """Pointers of string fields whose words ``query(search=...)`` finds."""
    full_text_ready: bool = True
    """Whether every record's searchable text is built from ``full_text``: False after a change of
    ``full_text`` until its build went through every tenant (searches meanwhile find the records
    rebuilt so far); declaring the same spec again resumes a build that stopped."""


@_frozen
class StoredRecord:
    collection: str
    id: str
    data: JSON
    version: int
    """The expected version of the next replace, patch, archive or delete."""
    archived: bool
    created_at: datetime
    updated_at: datetime
    parent_id: str | None = None
    archived_at: datetime | None = None


@_frozen
class RecordPage:
    records: list[StoredRecord]
    next_cursor: str | None
    """The ``cursor`` of the next page (same filters and sort), or None when this page is the last."""
    count: int | None = None
    """With ``with_count=True``: how many records match (not only this page)."""


# --- outbox, audit ------------------------------------------------------------------------------


@_frozen
class OutboxMessage:
    message_id: str
    event_id: str
    destination: str
    payload: JSON
    headers: JSON
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    published_at: datetime | None = None


@_frozen
class OutboxPage:
    messages: list[OutboxMessage]
    next_after: str | None


@_frozen
class AuditEntry:
    seq: int
    actor: str
    action: str
    resource_type: str
    resource_id: str
    before: JSON
    after: JSON
    created_at: datetime
    prev_hash: str
    hash: str
    trace_id: str | None = None


@_frozen
class AuditPage:
    entries: list[AuditEntry]
    next_after: int


@_frozen
class AuditVerification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
