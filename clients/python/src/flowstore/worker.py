"""Queue workers: lease in batches, heartbeat while a handler runs, ack on return, nack on an exception.

Guarantees (at-least-once, as the queue's): a job is acked only after its handler returned, with
the lease token it was leased with — never after a heartbeat was refused with ``LEASE_LOST`` (the
job was leased again: the other delivery settles it), and the server's fencing refuses an ack whose
token went stale anyway (counted in ``stats.lease_lost``, the job runs again elsewhere). A handler
that raises is nacked with its exception, so the queue retries it with backoff and dead-letters it
after ``max_attempts``. SIGTERM or SIGINT (or ``stop()``) stops leasing and lets running handlers
finish, heartbeating, for up to ``shutdown_timeout_s``; a handler still running then is left to its
lease (the job is delivered again once it expires).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
import threading
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from ._errors import FlowstoreError, LeaseLost
from ._types import Lease

if TYPE_CHECKING:
    from .client import AsyncClient, Client

log = logging.getLogger("flowstore.worker")

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass
class WorkerStats:
    leased: int = 0
    acked: int = 0
    nacked: int = 0
    lease_lost: int = 0
    """Jobs whose lease was lost before they could be settled (they run again elsewhere)."""
    settle_errors: int = 0
    """Acks or nacks that failed otherwise (the lease expires and the job runs again)."""


def _error_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return text[-65536:]


class _Common:
    def __init__(
        self,
        client: Any,
        queue: str,
        handler: Callable[[Lease], Any],
        *,
        concurrency: int,
        visibility_timeout_s: int,
        poll_interval_s: float,
        heartbeat: bool,
        shutdown_timeout_s: float,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if visibility_timeout_s < 1:
            raise ValueError("visibility_timeout_s must be at least 1")
        self.client = client
        self.queue = queue
        self.handler = handler
        self.concurrency = concurrency
        self.visibility_timeout_s = visibility_timeout_s
        self.poll_interval_s = poll_interval_s
        self.heartbeat = heartbeat
        self.shutdown_timeout_s = shutdown_timeout_s
        self.stats = WorkerStats()
        self.heartbeat_interval_s = max(visibility_timeout_s / 3, 0.2)
        self._counting = threading.Lock()

    def __call__(self, lease: Lease) -> Any:
        """The handler itself: decorating a function keeps it callable."""
        return self.handler(lease)

    def _settle(self, lease: Lease, error: BaseException | None) -> Any:
        """The ack (``error`` None) or nack call: a result for a Client, an awaitable for an
        AsyncClient."""
        if error is None:
            return self.client.queue.ack(lease.job_id, lease.lease_token)
        return self.client.queue.nack(lease.job_id, lease.lease_token, _error_text(error))

    def _count(self, lease: Lease, error: BaseException | None, failure: Exception | None) -> None:
        with self._counting:
            self._tally(lease, error, failure)

    def _tally(self, lease: Lease, error: BaseException | None, failure: Exception | None) -> None:
        if failure is None:
            if error is None:
                self.stats.acked += 1
            else:
                self.stats.nacked += 1
        elif isinstance(failure, LeaseLost):
            self.stats.lease_lost += 1
            log.warning(
                "job %s: lease %s lost before it was settled; it runs again elsewhere (%s)",
                lease.job_id,
                lease.lease_token,
                failure,
            )
        else:
            self.stats.settle_errors += 1
            log.warning("job %s: could not settle (%s); its lease will expire", lease.job_id, failure)


class Worker(_Common):
    """A blocking worker: handlers run in threads (up to ``concurrency`` at once)."""

    client: Client

    def __init__(self, client: Client, queue: str, handler: Callable[[Lease], Any], **kw: Any):
        if inspect.iscoroutinefunction(handler):
            raise TypeError(f"{handler.__name__} is async: use AsyncClient.worker for it")
        super().__init__(client, queue, handler, **kw)
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._running = 0
        self._abandoned = False

    def stop(self) -> None:
        """Stops leasing; ``run`` returns once the running handlers finished."""
        self._stop.set()
        with self._idle:
            self._idle.notify_all()

    def run(self) -> WorkerStats:
        """Serves the queue until ``stop()``, SIGTERM or SIGINT; returns the counts."""
        previous = self._install_signals()
        try:
            self._loop()
            with self._idle:
                if not self._idle.wait_for(lambda: self._running == 0, self.shutdown_timeout_s):
                    self._abandoned = True
                    log.warning(
                        "%d handler(s) still running after %.0f s: left to their leases",
                        self._running,
                        self.shutdown_timeout_s,
                    )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.stats

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous: dict[int, Any] = {}
        for sig in _STOP_SIGNALS:
            previous[sig] = signal.signal(sig, lambda *_: self.stop())
        return previous

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            with self._idle:
                self._idle.wait_for(
                    lambda: self._running < self.concurrency or self._stop.is_set()
                )
                free = self.concurrency - self._running
            if self._stop.is_set():
                return
            try:
                leases = self.client.queue.lease(
                    self.queue, max=free, visibility_timeout_s=self.visibility_timeout_s
                )
                failures = 0
            except FlowstoreError as e:
                failures += 1
                log.warning("lease from %s failed (%s); retrying", self.queue, e)
                self._stop.wait(min(self.poll_interval_s * 2**failures, 10.0))
                continue
            if not leases:
                self._stop.wait(self.poll_interval_s)
                continue
            self.stats.leased += len(leases)
            with self._idle:
                self._running += len(leases)
            for lease in leases:
                threading.Thread(
                    target=self._process, args=(lease,), name=f"job-{lease.job_id}", daemon=True
                ).start()

    def _process(self, lease: Lease) -> None:
        done = threading.Event()
        lost = threading.Event()
        beat = None
        if self.heartbeat:
            beat = threading.Thread(target=self._beat, args=(lease, done, lost), daemon=True)
            beat.start()
        error: BaseException | None = None
        try:
            self.handler(lease)
        except Exception as e:  # noqa: BLE001 - any handler failure is a nack
            error = e
        finally:
            done.set()
            if beat is not None:
                beat.join()
        try:
            if self._abandoned:
                return
            failure: Exception | None = None
            if lost.is_set():
                failure = LeaseLost("a heartbeat was refused: the job was leased again")
            else:
                try:
                    self._settle(lease, error)
                except FlowstoreError as e:
                    failure = e
            self._count(lease, error, failure)
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _beat(self, lease: Lease, done: threading.Event, lost: threading.Event) -> None:
        while not done.wait(self.heartbeat_interval_s):
            try:
                self.client.queue.heartbeat(
                    lease.job_id, lease.lease_token, extend_s=self.visibility_timeout_s
                )
            except LeaseLost:
                lost.set()
                return
            except FlowstoreError as e:
                log.warning("job %s: heartbeat failed (%s); trying again", lease.job_id, e)


class AsyncWorker(_Common):
    """An asyncio worker: handlers are coroutines, up to ``concurrency`` running at once."""

    client: AsyncClient

    def __init__(
        self,
        client: AsyncClient,
        queue: str,
        handler: Callable[[Lease], Awaitable[Any]],
        **kw: Any,
    ):
        if not inspect.iscoroutinefunction(handler):
            raise TypeError(f"{handler.__name__} is not async: use Client.worker for it")
        super().__init__(client, queue, handler, **kw)
        self._stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    async def run(self) -> WorkerStats:
        """Serves the queue until ``stop()``, SIGTERM or SIGINT; returns the counts."""
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        installed = []
        if threading.current_thread() is threading.main_thread():
            for sig in _STOP_SIGNALS:
                try:
                    loop.add_signal_handler(sig, self.stop)
                    installed.append(sig)
                except (NotImplementedError, RuntimeError):
                    pass
        try:
            await self._loop()
            if self._tasks:
                _, pending = await asyncio.wait(self._tasks, timeout=self.shutdown_timeout_s)
                for task in pending:
                    task.cancel()
                if pending:
                    log.warning("%d handler(s) cancelled after the shutdown timeout", len(pending))
                    await asyncio.wait(pending)
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
        return self.stats

    async def _pause(self, seconds: float) -> None:
        assert self._stop is not None
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    async def _loop(self) -> None:
        assert self._stop is not None
        failures = 0
        slot_freed = asyncio.Event()
        while not self._stop.is_set():
            free = self.concurrency - len(self._tasks)
            if free == 0:
                slot_freed.clear()
                stop = asyncio.ensure_future(self._stop.wait())
                freed = asyncio.ensure_future(slot_freed.wait())
                await asyncio.wait({stop, freed}, return_when=asyncio.FIRST_COMPLETED)
                stop.cancel()
                freed.cancel()
                continue
            try:
                leases = await self.client.queue.lease(
                    self.queue, max=free, visibility_timeout_s=self.visibility_timeout_s
                )
                failures = 0
            except FlowstoreError as e:
                failures += 1
                log.warning("lease from %s failed (%s); retrying", self.queue, e)
                await self._pause(min(self.poll_interval_s * 2**failures, 10.0))
                continue
            if not leases:
                await self._pause(self.poll_interval_s)
                continue
            self.stats.leased += len(leases)
            for lease in leases:
                task = asyncio.ensure_future(self._process(lease))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                task.add_done_callback(lambda _: slot_freed.set())

    async def _process(self, lease: Lease) -> None:
        lost = asyncio.Event()
        beat = asyncio.ensure_future(self._beat(lease, lost)) if self.heartbeat else None
        error: BaseException | None = None
        try:
            await self.handler(lease)
        except asyncio.CancelledError:
            # why: shutdown timed out; give the job back now rather than when the lease expires
            if beat is not None:
                beat.cancel()
            try:
                await self.client.queue.release(lease.job_id, lease.lease_token)
            except FlowstoreError:
                pass
            raise
        except Exception as e:  # noqa: BLE001 - any handler failure is a nack
            error = e
        if beat is not None:
            beat.cancel()
            try:
                await beat
            except asyncio.CancelledError:
                pass
        failure: Exception | None = None
        if lost.is_set():
            failure = LeaseLost("a heartbeat was refused: the job was leased again")
        else:
            try:
                await self._settle(lease, error)
            except FlowstoreError as e:
                failure = e
        self._count(lease, error, failure)

    async def _beat(self, lease: Lease, lost: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval_s)
            try:
                await self.client.queue.heartbeat(
                    lease.job_id, lease.lease_token, extend_s=self.visibility_timeout_s
                )
            except LeaseLost:
                lost.set()
                return
            except FlowstoreError as e:
                log.warning("job %s: heartbeat failed (%s); trying again", lease.job_id, e)
