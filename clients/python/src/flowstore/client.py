"""``Client`` (blocking) and ``AsyncClient`` (asyncio): the same resources over one transport model."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Generic, TypeVar

import httpx

from ._resources import (
    Async,
    Audit,
    Checkpoints,
    Commands,
    Dlq,
    Events,
    Flows,
    M,
    Nodes,
    Outbox,
    Queue,
    ResumeHandles,
    Server,
    Sessions,
    Steps,
    Sync,
    Tasks,
)
from ._transport import AsyncTransport, Call, RetryPolicy, SyncTransport, client_headers
from ._types import Lease
from .feed import AsyncFeed, Feed
from .worker import AsyncWorker, Worker

H = TypeVar("H")


class _Base(Generic[M]):
    def _resources(self, run: Callable[[Call[Any]], Any]) -> None:
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
        self.server: Server[M] = Server(run)


class Client(_Base[Sync]):
    """A blocking client of one flowstore server, bound to one tenant.

    ``tenant`` is sent as ``X-Tenant-Id`` (dev mode: a loopback server without API keys); with an
    ``api_key`` the tenant is the key's. Safe calls are retried (see ``flowstore._transport``);
    errors raise the ``FlowstoreError`` subclass of their code. Use it as a context manager, or
    ``close()`` it. Thread-safe: one client can serve many threads.
    """

    def __init__(
        self,
        url: str = "http://127.0.0.1:8080",
        api_key: str | None = None,
        tenant: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        http: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.tenant = tenant
        self._http = http or httpx.Client(
            base_url=url, headers=client_headers(api_key, tenant), timeout=timeout
        )
        self._resources(SyncTransport(self._http, retry))

    def worker(
        self,
        queue: str,
        *,
        concurrency: int = 4,
        visibility_timeout_s: int = 30,
        poll_interval_s: float = 0.5,
        heartbeat: bool = True,
        shutdown_timeout_s: float = 30.0,
    ) -> Callable[[Callable[[Lease], Any]], Worker]:
        """Decorates ``handler(lease)`` into a ``Worker`` of ``queue``; ``worker.run()`` serves it."""
        def decorate(handler: Callable[[Lease], Any]) -> Worker:
            return Worker(
                self,
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
        max_wait_s: float = 1.0,
        stop_when_idle: bool = False,
    ) -> Feed:
        """A ``Feed``: iterate it for every event after ``after``, waiting for new ones."""
        return Feed(
            self,
            after=after,
            category=category,
            batch=batch,
            max_wait_s=max_wait_s,
            stop_when_idle=stop_when_idle,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncClient(_Base[Async]):
    """The asyncio twin of ``Client``: the same resources, each method returning an awaitable."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:8080",
        api_key: str | None = None,
        tenant: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.tenant = tenant
        self._http = http or httpx.AsyncClient(
            base_url=url, headers=client_headers(api_key, tenant), timeout=timeout
        )
        self._resources(AsyncTransport(self._http, retry))

    def worker(
        self,
        queue: str,
        *,
        concurrency: int = 4,
        visibility_timeout_s: int = 30,
        poll_interval_s: float = 0.5,
        heartbeat: bool = True,
        shutdown_timeout_s: float = 30.0,
    ) -> Callable[[Callable[[Lease], Awaitable[Any]]], AsyncWorker]:
        """Decorates ``async handler(lease)`` into an ``AsyncWorker``; ``await worker.run()``."""
        def decorate(handler: Callable[[Lease], Awaitable[Any]]) -> AsyncWorker:
            return AsyncWorker(
                self,
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
        max_wait_s: float = 1.0,
        stop_when_idle: bool = False,
    ) -> AsyncFeed:
        """An ``AsyncFeed``: ``async for`` every event after ``after``, waiting for new ones."""
        return AsyncFeed(
            self,
            after=after,
            category=category,
            batch=batch,
            max_wait_s=max_wait_s,
            stop_when_idle=stop_when_idle,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
