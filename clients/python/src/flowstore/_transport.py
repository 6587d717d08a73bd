"""One request model (``Call``) and two thin executors over it, sync and async.

Every operation of the client builds a ``Call`` once: method, path, query, the JSON body encoded
once, how to read the answer, and whether a retry is safe. The executors only send it and apply
the one retry policy below, so the sync and async clients cannot drift apart.

Retry policy: a call is retried (with exponential backoff and full jitter) only when repeating it
cannot do twice what it did once — a GET or PUT, or a POST carrying an ``Idempotency-Key`` (the
client generates one per logical call, so every retry of that call carries the same key and the
server replays the first answer). What is retried: no answer at all (connection refused, reset,
timed out), ``BACKEND_UNAVAILABLE`` (nothing was written) and ``IDEMPOTENCY_IN_PROGRESS`` (the
first try of this very call is still running). Never retried: ``OUTCOME_UNKNOWN`` (the server keeps
that answer under the key: read before writing again) and every other error.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Generic, Mapping, TypeVar
from urllib.parse import quote

import httpx

from ._errors import FlowstoreError, TransportError, error_from

T = TypeVar("T")

RETRYABLE_CODES = frozenset({"BACKEND_UNAVAILABLE", "IDEMPOTENCY_IN_PROGRESS"})


def seg(value: Any) -> str:
    """A path segment, percent-encoded ('/' too: ids such as node ids may contain it)."""
    return quote(str(value), safe="")


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP request of the API and how to read its answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: dict[str, Any] = field(default_factory=dict)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    extra_wait_s: float = 0.0
    """How much longer than the client's timeout the server may take on purpose (long polls)."""

    @property
    def retry_safe(self) -> bool:
        return self.method in ("GET", "PUT") or "Idempotency-Key" in self.headers


def call(
    method: str,
    path: str,
    parse: Callable[[httpx.Response], T],
    *,
    params: Mapping[str, Any] | None = None,
    body: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    actor: str | None = None,
    extra_wait_s: float = 0.0,
) -> Call[T]:
    """A ``Call``; every POST gets an ``Idempotency-Key`` (``idempotency_key`` or a new UUID).
    ``actor`` is sent as ``X-Actor`` (see ``with_actor``)."""
    headers: dict[str, str] = {}
    if method == "POST":
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
    if actor is not None:
        headers[ACTOR_HEADER] = actor
    encoded = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        encoded = json.dumps(body, separators=(",", ":"), default=_json_default).encode()
    return Call(method, path, parse, drop_none(params or {}), encoded, headers, extra_wait_s)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently safe calls are retried (see the module docstring)."""

    attempts: int = 5
    base_delay_s: float = 0.1
    max_delay_s: float = 3.0

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2^attempt)]."""
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * (2**attempt)))


NO_RETRY = RetryPolicy(attempts=1)


def _request(c: Call[Any], http: httpx.Client | httpx.AsyncClient) -> dict[str, Any]:
    """The arguments of ``http.request`` for ``c``."""
    args: dict[str, Any] = {
        "method": c.method,
        "url": c.path,
        "params": c.params,
        "content": c.body,
        "headers": c.headers,
    }
    if c.extra_wait_s:
        t = http.timeout
        args["timeout"] = httpx.Timeout(
            connect=t.connect,
            read=None if t.read is None else t.read + c.extra_wait_s,
            write=t.write,
            pool=t.pool,
        )
    return args


def _outcome(c: Call[T], response: httpx.Response) -> T | FlowstoreError:
    if response.status_code < 400:
        return c.parse(response)
    try:
        body = response.json()
    except ValueError:
        body = None
    return error_from(response.status_code, body, response.headers.get("X-Trace-Id"))


def _retry(c: Call[Any], policy: RetryPolicy, attempt: int, error: FlowstoreError) -> bool:
    if attempt + 1 >= policy.attempts or not c.retry_safe:
        return False
    return isinstance(error, TransportError) or error.code in RETRYABLE_CODES


def _transport_error(c: Call[Any], e: httpx.TransportError) -> TransportError:
    hint = (
        ""
        if c.retry_safe
        else "; the write may or may not have happened: read before writing again"
    )
    return TransportError(f"{c.method} {c.path}: {type(e).__name__}: {e}{hint}")


class SyncTransport:
    def __init__(self, http: httpx.Client, policy: RetryPolicy) -> None:
        self.http = http
        self.policy = policy

    def __call__(self, c: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                result = _outcome(c, self.http.request(**_request(c, self.http)))
            except httpx.TransportError as e:
                result = _transport_error(c, e)
            if not isinstance(result, FlowstoreError):
                return result
            if not _retry(c, self.policy, attempt, result):
                raise result
            time.sleep(self.policy.delay(attempt))
            attempt += 1


class AsyncTransport:
    def __init__(self, http: httpx.AsyncClient, policy: RetryPolicy) -> None:
        self.http = http
        self.policy = policy

    async def __call__(self, c: Call[T]) -> T:
        attempt = 0
        while True:
            try:
                result = _outcome(c, await self.http.request(**_request(c, self.http)))
            except httpx.TransportError as e:
                result = _transport_error(c, e)
            if not isinstance(result, FlowstoreError):
                return result
            if not _retry(c, self.policy, attempt, result):
                raise result
            await asyncio.sleep(self.policy.delay(attempt))
            attempt += 1


ACTOR_HEADER = "X-Actor"


def with_actor(run: Callable[[Call[Any]], Any], actor: str | None) -> Callable[[Call[Any]], Any]:
    """``run``, sending ``actor`` as ``X-Actor`` on every call that names no actor of its own.

    The server reads it on the records routes: who a change is made for, written as ``actor`` into
    the record event's metadata (1-200 printable ASCII characters, such as ``user:ann``)."""
    if actor is None:
        return run

    def run_as(c: Call[Any]) -> Any:
        if ACTOR_HEADER in c.headers:
            return run(c)
        return run(replace(c, headers={**c.headers, ACTOR_HEADER: actor}))

    return run_as


def client_headers(api_key: str | None, tenant: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": "flowstore-python/0.1"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if tenant:
        headers["X-Tenant-Id"] = tenant
    return headers
