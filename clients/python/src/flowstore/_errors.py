"""Errors: one exception class per stable error code of the flowstore HTTP API."""

from __future__ import annotations

from typing import Any


class FlowstoreError(Exception):
    """Base of every error the client raises.

    ``code`` is the server's stable error code (``"VERSION_CONFLICT"``, ...); ``trace_id`` names the
    request in the server's log; ``status`` is the HTTP status (``None`` when no answer came).
    """

    code: str = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        trace_id: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.trace_id = trace_id
        self.status = status

    def __str__(self) -> str:
        trace = f" (trace id {self.trace_id})" if self.trace_id else ""
        return f"{self.code}: {self.message}{trace}"


class TransportError(FlowstoreError):
    """No answer from the server (connection refused, reset or timed out), after any safe retries.

    A write without an idempotency key may or may not have happened: read before writing again.
    """

    code = "TRANSPORT"


# One class per code of the server's ErrorCode (openapi.yaml components/schemas/Error).
class InvalidArgument(FlowstoreError):
    code = "INVALID_ARGUMENT"


class InvalidJson(FlowstoreError):
    code = "INVALID_JSON"


class InvalidTenant(FlowstoreError):
    code = "INVALID_TENANT"


class InvalidId(FlowstoreError):
    code = "INVALID_ID"


class PayloadTooLarge(FlowstoreError):
    code = "PAYLOAD_TOO_LARGE"


class Unauthenticated(FlowstoreError):
    code = "UNAUTHENTICATED"


class Forbidden(FlowstoreError):
    """The key may not do this (a read-only key that writes): use a key of scope tenant or admin."""

    code = "FORBIDDEN"


class NotFound(FlowstoreError):
    code = "NOT_FOUND"


class MethodNotAllowed(FlowstoreError):
    code = "METHOD_NOT_ALLOWED"


class VersionConflict(FlowstoreError):
    """The expected version did not match: read the current version and decide again."""

    code = "VERSION_CONFLICT"


class EventIdConflict(FlowstoreError):
    code = "EVENT_ID_CONFLICT"


class AlreadyExists(FlowstoreError):
    """The record id or a unique value is taken: choose another (retrying cannot succeed)."""

    code = "ALREADY_EXISTS"


class LeaseLost(FlowstoreError):
    """The lease token is stale: the job was leased again (or finished); nothing changed."""

    code = "LEASE_LOST"


class IdempotencyInProgress(FlowstoreError):
    code = "IDEMPOTENCY_IN_PROGRESS"


class IdempotencyKeyReused(FlowstoreError):
    code = "IDEMPOTENCY_KEY_REUSED"


class Unprocessable(FlowstoreError):
    code = "UNPROCESSABLE"


class BackendUnavailable(FlowstoreError):
    code = "BACKEND_UNAVAILABLE"


class Maintenance(FlowstoreError):
    """Writes are frozen for maintenance (a backend switch): retry after the Retry-After delay."""

    code = "MAINTENANCE"


class OutcomeUnknown(FlowstoreError):
    """The write may or may not be stored: read what is stored before writing again."""

    code = "OUTCOME_UNKNOWN"


class InternalError(FlowstoreError):
    code = "INTERNAL"


ERRORS: dict[str, type[FlowstoreError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        InvalidJson,
        InvalidTenant,
        InvalidId,
        PayloadTooLarge,
        Unauthenticated,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        VersionConflict,
        EventIdConflict,
        AlreadyExists,
        LeaseLost,
        IdempotencyInProgress,
        IdempotencyKeyReused,
        Unprocessable,
        BackendUnavailable,
        Maintenance,
        OutcomeUnknown,
        InternalError,
    )
}


def error_from(status: int, body: Any, trace_header: str | None) -> FlowstoreError:
    """The exception for an error answer (the body ``{"error": {"code", "message", "trace_id"}}``)."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return FlowstoreError(
            f"HTTP {status} without a flowstore error body", trace_id=trace_header, status=status
        )
    code = str(err.get("code", "UNKNOWN"))
    cls = ERRORS.get(code, FlowstoreError)
    return cls(
        str(err.get("message", "")),
        code=code,
        trace_id=err.get("trace_id") or trace_header,
        status=status,
    )
