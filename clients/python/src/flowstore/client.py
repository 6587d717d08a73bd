"""``Client`` (blocking) and ``AsyncClient`` (asyncio): the same resources over one transport model."""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

import httpx

from ._resources import (
    Async,
    Audit,
    Checkpoints,
    Collections,
    Commands,
    Dlq,
    Events,
    Flows,
    M,
    Nodes,
    Outbox,
    Queue,
    Records,
    ResumeHandles,
    Server,
    Sessions,
    Steps,
    Sync,
    Tasks,
)
from ._transport import (
    AsyncTransport,
    Call,
    RetryPolicy,
    SyncTransport,
    client_headers,
    with_actor,
)
from ._types import Lease
from .feed import AsyncFeed, Feed
from .worker import AsyncWorker, Worker

W = TypeVar("W", Worker, AsyncWorker)
F = TypeVar("F", Feed, AsyncFeed)
H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _Base(Generic[M, W, F, H]):
    _http_type: type[H]
    _transport_type: Callable[[H, RetryPolicy], Callable[[Call[Any]], Any]]
    _worker_type: type[W]
    _feed_type: type[F]

    def __init__(
        self,
        url: str = "http://127.0.0.1:8080",
        api_key: str | None = None,
        tenant: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        http: H | None = None,
        actor: str | None = None,
    ) -> None:
        if actor is not None and (not isinstance(actor, str) or not actor):
            raise ValueError(f"actor is a non-empty string such as 'user:ann', got {actor!r}")
        self.url = url
        self.tenant = tenant
        self.actor = actor
        self._http: H = http or self._http_type(
            base_url=url, headers=client_headers(api_key, tenant), timeout=timeout
        )
        run = with_actor(type(self)._transport_type(self._http, retry), actor)
        self.events: Events[M] = Events(run)
        self.flows: Flows[M] = Flows(run)
        self.sessions: Sessions[M] = Sessions(run)
        self.steps: Steps[M] = Steps(run)
        self.checkpoints: Checkpoints[M] = Checkpoints(run)
        self.nodes: Nodes[M] = Nodes(run)
        self.tasks: Tasks[M] = Tasks(run)
        self.resume_handles: ResumeHandles[M] = ResumeHandles(run)
        self.commands: Commands[M] = Commands(run)
        self.queue: Queue[M] = Queue(run)
        self.dlq: Dlq[M] = Dlq(run)
        self.outbox: Outbox[M] = Outbox(run)
        self.audit: Audit[M] = Audit(run)
        self.collections: Collections[M] = Collections(run)
        self.records: Records[M] = Records(run)
        self.server: Server[M] = Server(run)

    def worker(
        self,
        queue: str,
        *,
        concurrency: int = 4,
        visibility_timeout_s: int = 30,
        poll_interval_s: float = 0.5,
        heartbeat: bool = True,
        shutdown_timeout_s: float = 30.0,
    ) -> Callable[[Callable[[Lease], Any]], W]:
        """Decorates ``handler(lease)`` (``async def`` on an ``AsyncClient``) into a worker of
        ``queue``: ``worker.run()`` (``await worker.run()``) serves it; see ``flowstore.worker``."""

        def decorate(handler: Callable[[Lease], Any]) -> W:
            return self._worker_type(
                self,  # type: ignore[arg-type]
                queue,
                handler,
                concurrency=concurrency,
                visibility_timeout_s=visibility_timeout_s,
                poll_interval_s=poll_interval_s,
                heartbeat=heartbeat,
                shutdown_timeout_s=shutdown_timeout_s,
            )

        return decorate

    def feed(
        self,
        *,
        after: int = 0,
        category: str | None = None,
        batch: int = 100,
        wait_s: int = 10,
        stop_when_idle: bool = False,
    ) -> F:
        """Every event of the tenant after ``after``, waiting for new ones (long polls of up to
        ``wait_s``, at most 20): iterate it (``async for`` on an ``AsyncClient``); see
        ``flowstore.feed``."""
        return self._feed_type(
            self,  # type: ignore[arg-type]
            after=after,
            category=category,
            batch=batch,
            wait_s=wait_s,
            stop_when_idle=stop_when_idle,
        )


class Client(_Base[Sync, Worker, Feed, httpx.Client]):
    """A blocking client of one flowstore server, bound to one tenant:
    ``Client(url="http://127.0.0.1:8080", api_key=None, tenant=None, *, timeout=30.0,
    retry=RetryPolicy(), http=None, actor=None)`` (``http``: an ``httpx.Client`` of your own, with
    its base URL).

    ``actor`` (such as ``"user:ann"`` or ``"agent:triage-bot"``) is sent as ``X-Actor``: the
    server writes it as ``actor`` into the metadata of every record change's event; a records
    write's own ``actor=`` wins over it. Without either, a server with API keys writes
    ``api-key:<key id>``.

    ``tenant`` is sent as ``X-Tenant-Id`` (dev mode: a loopback server without API keys); with an
    ``api_key`` the tenant is the key's. Safe calls are retried (see ``flowstore._transport``);
    errors raise the ``FlowstoreError`` subclass of their code. Use it as a context manager, or
    ``close()`` it. Thread-safe: one client can serve many threads.
    """

    _http_type = httpx.Client
    _transport_type = SyncTransport
    _worker_type = Worker
    _feed_type = Feed

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncClient(_Base[Async, AsyncWorker, AsyncFeed, httpx.AsyncClient]):
    """The asyncio twin of ``Client``: the same resources, each method returning an awaitable."""

    _http_type = httpx.AsyncClient
    _transport_type = AsyncTransport
    _worker_type = AsyncWorker
    _feed_type = AsyncFeed

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
