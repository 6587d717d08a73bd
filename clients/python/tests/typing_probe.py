"""Checked by mypy in test_typing.py (never imported): the types users see, sync and async."""

from flowstore import AsyncClient, Client, Event, Lease, RecordPage, Session, StoredRecord, WorkerStats


async def probe(c: Client, a: AsyncClient) -> None:
    s: Session = c.sessions.get("x")
    t: Session = await a.sessions.get("x")
    leases: list[Lease] = c.queue.lease("q", max=2)
    events: list[Event] = (await a.events.read_all(after=0)).events
    wrong: Session = a.sessions.get("x")  # E: an awaitable, not a Session
    c.sessions.get(42)  # E: a session id is a str
    c.queue.lease("q", maximum=2)  # E: no such keyword
    print(s, t, leases, events, wrong)
    where = {"/status": ("in", ["open", "pending"]), "/priority": ("gte", 3)}
    page: RecordPage = c.records.query("tickets", where=where, sort_by="/priority", order="desc")
    ranged: RecordPage = await a.records.query("tickets", where=[("/priority", "gte", 2)])
    r: StoredRecord = c.records.patch("tickets", "t-1", {"status": "closed"}, expected_version=0)
    c.records.patch("tickets", "t-1", {"status": "closed"})  # E: expected_version is required
    print(page, ranged, r)

    @c.worker("q", concurrency=8)
    def handle(job: Lease) -> None:
        print(job.lease_token)

    @a.worker("q")
    async def handle_async(job: Lease) -> None:
        print(job.payload)

    stats: WorkerStats = handle.run()
    async_stats: WorkerStats = await handle_async.run()
    not_awaited: WorkerStats = handle_async.run()  # E: a coroutine
    positions = [e.position for e in c.feed(after=0)]
    async for event in a.feed(after=positions[-1]):
        print(event.stream, stats, async_stats, not_awaited)
