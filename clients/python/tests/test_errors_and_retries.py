"""Error mapping (one exception per code, with trace id and message) and safe retries."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx
import pytest

import flowstore
from flowstore import (
    ERRORS,
    AsyncClient,
    Client,
    FlowstoreError,
    IdempotencyKeyReused,
    InvalidArgument,
    InvalidId,
    InvalidTenant,
    LeaseLost,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RetryPolicy,
    TransportError,
)
from flowstore._transport import call

from conftest import Server


def test_every_error_code_of_the_contract_has_its_exception(client: Client) -> None:
    document = client.server.openapi()
    enum = re.search(r"code:\s*\n\s*type: string\s*\n\s*enum: \[([^\]]+)\]", document)
    assert enum, "the Error schema's code enum was not found in openapi.yaml"
    codes = {c.strip() for c in enum.group(1).split(",")}
    assert codes == set(ERRORS), "add an exception class per new error code to _errors.py"
    for code, cls in ERRORS.items():
        assert issubclass(cls, FlowstoreError) and cls.code == code
        assert getattr(flowstore, cls.__name__) is cls


def test_errors_carry_code_message_and_trace_id(client: Client, server: Server) -> None:
    cases: list[tuple[type[FlowstoreError], Any]] = [
        (InvalidId, lambda: client.sessions.get("not-a-uuid")),
        (InvalidArgument, lambda: client.events.read_all(limit=0)),
        (NotFound, lambda: client.tasks.get(str(uuid.uuid4()))),
        (LeaseLost, lambda: _stale_ack(client)),
        (PayloadTooLarge, lambda: client.queue.enqueue("q", "big", {"x": "a" * (1 << 20)})),
    ]
    for cls, action in cases:
        with pytest.raises(cls) as caught:
            action()
        err = caught.value
        assert err.code == cls.code and err.message and err.status and err.status >= 400
        assert err.trace_id and re.fullmatch(r"[0-9a-f]{32}", err.trace_id)
        assert err.trace_id in str(err)
    with Client(server.url, tenant="Not A Tenant!") as bad:
        with pytest.raises(InvalidTenant):
            bad.sessions.list()
    with pytest.raises(MethodNotAllowed):
        client.events._run(call("DELETE", "/v1/events", lambda r: None))


def _stale_ack(client: Client) -> None:
    client.queue.enqueue("stale", "x")
    lease = client.queue.lease("stale")[0]
    client.queue.ack(lease.job_id, lease.lease_token)
    client.queue.ack(lease.job_id, lease.lease_token)


def test_a_key_reused_for_another_request_is_refused(client: Client) -> None:
    client.events.append("k-1", [{"type": "a"}], idempotency_key="order-42")
    replay = client.events.append("k-1", [{"type": "a"}], idempotency_key="order-42")
    assert replay.next_expected_version == 0  # the stored answer, not a second append
    assert len(client.events.read("k-1").events) == 1
    with pytest.raises(IdempotencyKeyReused):
        client.events.append("k-1", [{"type": "b"}], idempotency_key="order-42")


class LoseFirstAnswer(httpx.BaseTransport):
    """Sends every request, but drops the answer to the first POST (as a cut connection does)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.posts: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST":
            self.posts.append(request.headers.get("Idempotency-Key"))
            if len(self.posts) == 1:
                response.read()
                raise httpx.ReadError("connection reset after the server answered", request=request)
        return response


def test_a_retry_after_a_lost_answer_does_not_write_twice(server: Server, tenant: str) -> None:
    lossy = LoseFirstAnswer()
    http = httpx.Client(base_url=server.url, headers={"X-Tenant-Id": tenant}, transport=lossy)
    with Client(server.url, http=http) as c:
        job = c.queue.enqueue("once", "send", {"n": 1})
        assert len(lossy.posts) == 2 and lossy.posts[0] == lossy.posts[1]  # one key, two tries
        stats = {s.queue: s for s in c.queue.stats()}["once"]
        assert stats.ready == 1
        assert c.queue.lease("once")[0].job_id == job.job_id


class LoseFirstAnswerAsync(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            self.posts += 1
            if self.posts == 1:
                await response.aread()
                raise httpx.ReadError("connection reset after the server answered", request=request)
        return response


def test_async_retry_after_a_lost_answer_does_not_write_twice(server: Server, tenant: str) -> None:
    async def scenario() -> None:
        lossy = LoseFirstAnswerAsync()
        http = httpx.AsyncClient(
            base_url=server.url, headers={"X-Tenant-Id": tenant}, transport=lossy
        )
        async with AsyncClient(server.url, http=http) as c:
            result = await c.events.append("a-1", [{"type": "x"}], expected_version="no_stream")
            assert lossy.posts == 2 and result.next_expected_version == 0
            assert len((await c.events.read("a-1")).events) == 1

    asyncio.run(scenario())


def test_unreachable_server_raises_transport_error_after_retries() -> None:
    attempts = []

    class Refuse(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            attempts.append(request.method)
            raise httpx.ConnectError("connection refused", request=request)

    policy = RetryPolicy(attempts=3, base_delay_s=0.01)
    http = httpx.Client(base_url="http://127.0.0.1:9", transport=Refuse())
    with Client(retry=policy, http=http) as c:
        with pytest.raises(TransportError):
            c.sessions.list()
        assert attempts == ["GET"] * 3
        attempts.clear()
        with pytest.raises(TransportError) as caught:
            c.queue.enqueue("q", "x")  # a POST with its idempotency key: retried as well
        assert attempts == ["POST"] * 3 and "read before" not in str(caught.value)
