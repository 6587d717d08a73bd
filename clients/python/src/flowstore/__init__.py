"""flowstore: a typed client (sync and async) for the flowstore HTTP API.

    from flowstore import Client
    with Client("http://127.0.0.1:8080", tenant="acme") as fs:
        fs.events.append("order-42", [{"type": "order.placed", "payload": {"total": 42}}],
                         expected_version="no_stream")

See README.md for the tour, the worker, the feed consumer and the errors.
"""

from ._errors import (
    ERRORS,
    BackendUnavailable,
    EventIdConflict,
    FlowstoreError,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InternalError,
    InvalidArgument,
    InvalidId,
    InvalidJson,
    InvalidTenant,
    LeaseLost,
    MethodNotAllowed,
    NotFound,
    OutcomeUnknown,
    PayloadTooLarge,
    TransportError,
    Unauthenticated,
    Unprocessable,
    VersionConflict,
)
from ._resources import OPERATIONS
from ._transport import NO_RETRY, RetryPolicy
from ._types import (
    AppendResult,
    AuditEntry,
    AuditPage,
    AuditVerification,
    Checkpoint,
    CheckpointPage,
    Command,
    DlqItem,
    DlqPage,
    Event,
    FeedPage,
    Flow,
    FlowPage,
    Job,
    JobAttempt,
    JobDetail,
    Lease,
    Node,
    NodePage,
    OutboxMessage,
    OutboxPage,
    QueueStats,
    ResumeHandle,
    Session,
    SessionPage,
    StepAttempt,
    StreamPage,
    Task,
)
from .client import AsyncClient, Client
from .feed import AsyncFeed, Feed
from .worker import AsyncWorker, Worker, WorkerStats

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
