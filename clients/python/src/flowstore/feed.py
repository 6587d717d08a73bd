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
from typing import TYPE_CHECKING, Any, AsyncIterator, Generic, Iterator, TypeVar

from ._types import Event, FeedPage

if TYPE_CHECKING:
    from .client import AsyncClient, Client

_MIN_WAIT_S = 0.05

C = TypeVar("C")


class _Cursor(Generic[C]):
    def __init__(
        self,
        client: C,
        *,
        after: int = 0,
        category: str | None = None,
        batch: int = 100,
        max_wait_s: float = 1.0,
        stop_when_idle: bool = False,
    ) -> None:
        self.client = client
        self.cursor = after
        """The position of the last event yielded (or the ``after`` it started from)."""
        self.category = category
        self.batch = batch
        self.max_wait_s = max_wait_s
        self.stop_when_idle = stop_when_idle
        self._stopped = False
        self._wake = threading.Event()
        self._wait = _MIN_WAIT_S

    def stop(self) -> None:
        """Ends the iteration (from the loop's body, or from another thread)."""
        self._stopped = True
        self._wake.set()

    def _query(self) -> dict[str, Any]:
        return {"after": self.cursor, "limit": self.batch, "category": self.category}

    def _take(self, page: FeedPage) -> Iterator[Event]:
        """The page's events, moving the cursor past each one as it is handed out."""
        for event in page.events:
            if self._stopped:
                return
            self.cursor = event.position
            yield event

    def _pause(self, page: FeedPage) -> float | None:
        """How long to wait before the next read; None to end (stopped, or idle and told to)."""
        if self._stopped or (not page.events and self.stop_when_idle):
            return None
        self._wait = _MIN_WAIT_S if page.events else min(self._wait * 2, self.max_wait_s)
        return 0.0 if page.events else self._wait


class Feed(_Cursor["Client"]):
    """``for event in client.feed(after=cursor): handle(event); store(event.position)``.

    Runs until ``stop()`` (from another thread or from the loop's body) and, with
    ``stop_when_idle``, when a read finds nothing new.
    """

    def __iter__(self) -> Iterator[Event]:
        pause: float | None = 0.0
        while pause is not None:
            page = self.client.events.read_all(**self._query())
            yield from self._take(page)
            pause = self._pause(page)
            self._wake.wait(pause or 0)


class AsyncFeed(_Cursor["AsyncClient"]):
    """``async for event in client.feed(after=cursor): ...``; see ``Feed``."""

    async def __aiter__(self) -> AsyncIterator[Event]:
        pause: float | None = 0.0
        while pause is not None:
            page = await self.client.events.read_all(**self._query())
            for event in self._take(page):
                yield event
            pause = self._pause(page)
            await asyncio.sleep(pause or 0)
