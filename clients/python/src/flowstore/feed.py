"""Feed consumers: every event of the tenant after a cursor, in position order, waiting for new ones.

The cursor is the ``position`` of the last event handled. Store it where your side effects live
(ideally in the same transaction) and start the next consumer with ``after=<stored cursor>``: it
resumes exactly after it, neither skipping nor repeating an event (the server's feed never skips an
event that commits late). The server answers at once (it has no long-poll wait), so an idle feed
polls with a backoff from 50 ms up to ``max_wait_s``, and at once again after an event arrived.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, AsyncIterator, Iterator

from ._types import Event

if TYPE_CHECKING:
    from .client import AsyncClient, Client

_MIN_WAIT_S = 0.05


class _Cursor:
    def __init__(self, after: int, category: str | None, batch: int, max_wait_s: float) -> None:
        self.cursor = after
        """The position of the last event yielded (or the ``after`` it started from)."""
        self.category = category
        self.batch = batch
        self.max_wait_s = max_wait_s
        self._wait = _MIN_WAIT_S

    def _next_wait(self, got_events: bool) -> float:
        self._wait = _MIN_WAIT_S if got_events else min(self._wait * 2, self.max_wait_s)
        return 0.0 if got_events else self._wait


class Feed(_Cursor):
    """``for event in client.feed(after=cursor): handle(event); store(event.position)``.

    Runs until ``stop()`` (from another thread or from the loop's body) and, with
    ``stop_when_idle``, when a read finds nothing new.
    """

    def __init__(
        self,
        client: Client,
        *,
        after: int = 0,
        category: str | None = None,
        batch: int = 100,
        max_wait_s: float = 1.0,
        stop_when_idle: bool = False,
    ) -> None:
        super().__init__(after, category, batch, max_wait_s)
        self.client = client
        self.stop_when_idle = stop_when_idle
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def __iter__(self) -> Iterator[Event]:
        while not self._stopped.is_set():
            page = self.client.events.read_all(
                after=self.cursor, limit=self.batch, category=self.category
            )
            for event in page.events:
                self.cursor = event.position
                yield event
                if self._stopped.is_set():
                    return
            if not page.events and self.stop_when_idle:
                return
            self._stopped.wait(self._next_wait(bool(page.events)))


class AsyncFeed(_Cursor):
    """``async for event in client.feed(after=cursor): ...``; see ``Feed``."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        after: int = 0,
        category: str | None = None,
        batch: int = 100,
        max_wait_s: float = 1.0,
        stop_when_idle: bool = False,
    ) -> None:
        super().__init__(after, category, batch, max_wait_s)
        self.client = client
        self.stop_when_idle = stop_when_idle
        self._stopped = False

    def stop(self) -> None:
        self._stopped = True

    async def __aiter__(self) -> AsyncIterator[Event]:
        while not self._stopped:
            page = await self.client.events.read_all(
                after=self.cursor, limit=self.batch, category=self.category
            )
            for event in page.events:
                self.cursor = event.position
                yield event
                if self._stopped:
                    return
            if not page.events and self.stop_when_idle:
                return
            await asyncio.sleep(self._next_wait(bool(page.events)))
