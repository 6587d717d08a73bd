"""Feed consumers: every event of the tenant after a cursor, in position order, waiting for new ones.

The cursor is the ``position`` of the last event handled. Store it where your side effects live
(ideally in the same transaction) and start the next consumer with ``after=<stored cursor>``: it
resumes exactly after it, neither skipping nor repeating an event (the server's feed never skips an
event that commits late). An idle feed long-polls: each read asks the server to hold an empty
answer for up to ``wait_s`` seconds (``GET /v1/events?wait_s=``), so a new event arrives within
about 250 ms without a busy loop. ``stop()`` from another thread takes effect when the read in
flight returns (at most ``wait_s``).
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any, AsyncIterator, Generic, Iterator, TypeVar

from ._types import Event, FeedPage

if TYPE_CHECKING:
    from .client import AsyncClient, Client

# why: a floor between empty reads, so a server that answers at once (no long poll) is not spun on
_EMPTY_PAUSE_S = 0.05

C = TypeVar("C")


class _Cursor(Generic[C]):
    def __init__(
        self,
        client: C,
        *,
        after: int = 0,
        category: str | None = None,
        batch: int = 100,
        wait_s: int = 10,
        stop_when_idle: bool = False,
    ) -> None:
        self.client = client
        self.cursor = after
        """The position of the last event yielded (or the ``after`` it started from)."""
        self.category = category
        self.batch = batch
        self.wait_s = wait_s
        self.stop_when_idle = stop_when_idle
        self._stopped = False
        self._wake = threading.Event()

    def stop(self) -> None:
        """Ends the iteration (from the loop's body, or from another thread)."""
        self._stopped = True
        self._wake.set()

    def _query(self) -> dict[str, Any]:
        wait = 0 if self.stop_when_idle else self.wait_s
        return {"after": self.cursor, "limit": self.batch, "category": self.category, "wait_s": wait}

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
        return 0.0 if page.events else _EMPTY_PAUSE_S


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
