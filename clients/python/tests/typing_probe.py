"""Checked by mypy in test_typing.py (never imported): the types users see, sync and async."""

from flowstore import AsyncClient, Client, Event, Lease, Session


async def probe(c: Client, a: AsyncClient) -> None:
    s: Session = c.sessions.get("x")
    t: Session = await a.sessions.get("x")
    leases: list[Lease] = c.queue.lease("q", max=2)
    events: list[Event] = (await a.events.read_all(after=0)).events
    wrong: Session = a.sessions.get("x")  # E: an awaitable, not a Session
    c.sessions.get(42)  # E: a session id is a str
    c.queue.lease("q", maximum=2)  # E: no such keyword
    print(s, t, leases, events, wrong)
