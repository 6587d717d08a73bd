"""The feed consumer: every event after a cursor, waiting for new ones, resuming from a stored cursor."""

from __future__ import annotations

import asyncio
import threading
import time

from flowstore import AsyncClient, Client, Event

from conftest import Server


def test_a_consumer_resumes_from_its_stored_cursor(client: Client) -> None:
    for n in range(5):
        client.events.append(f"order-{n % 2}", [{"type": "placed", "payload": {"n": n}}])
    stored = 0
    handled: list[int] = []
    for event in client.feed(batch=2):
        handled.append(event.payload["n"])
        stored = event.position  # the caller stores the cursor after handling the event
        if len(handled) == 3:
            break
    for n in range(5, 7):
        client.events.append("order-9", [{"type": "placed", "payload": {"n": n}}])

    resumed = [e.payload["n"] for e in client.feed(after=stored, batch=2, stop_when_idle=True)]
    assert handled + resumed == list(range(7))  # nothing skipped, nothing twice


def test_a_waiting_consumer_gets_events_appended_later(client: Client) -> None:
    feed = client.feed(category="late", wait_s=5)
    got: list[Event] = []

    def consume() -> None:
        for event in feed:
            got.append(event)
            if len(got) == 3:
                feed.stop()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    time.sleep(0.5)  # the consumer has found the feed empty and is waiting in a long poll
    client.events.append("other-1", [{"type": "ignored"}])
    appended = time.monotonic()
    for n in range(3):
        client.events.append("late-1", [{"type": "t", "payload": {"n": n}}])
    thread.join(10)
    assert time.monotonic() - appended < 4  # woken by the events, not by the end of the poll
    assert not thread.is_alive()
    assert [e.payload["n"] for e in got] == [0, 1, 2]
    assert feed.cursor == got[-1].position


def test_async_feed(server: Server, tenant: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(server.url, tenant=tenant) as c:
            await c.events.append("s-1", [{"type": "a"}, {"type": "b"}, {"type": "c"}])
            first = c.feed()
            seen = []
            async for event in first:
                seen.append(event.type)
                if len(seen) == 2:
                    break
            rest = [e.type async for e in c.feed(after=first.cursor, stop_when_idle=True)]
            assert seen + rest == ["a", "b", "c"]

    asyncio.run(scenario())


def test_a_long_poll_outlasts_the_client_timeout(server: Server, tenant: str) -> None:
    with Client(server.url, tenant=tenant, timeout=0.5) as c:
        start = time.monotonic()
        page = c.events.read_all(wait_s=1)
        assert page.events == [] and time.monotonic() - start >= 0.95
