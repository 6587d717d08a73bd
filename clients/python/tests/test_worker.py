"""Workers against the real queue: acks, nacks, heartbeats, a lease that runs out, SIGKILL, SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from flowstore import AsyncClient, Client, Lease, Worker

from conftest import Server, run_python

HERE = Path(__file__).parent


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


def serve(worker: Worker) -> threading.Thread:
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    return thread


def test_worker_acks_returns_and_nacks_exceptions(client: Client) -> None:
    ok = client.queue.enqueue_many("mail", [{"job_type": "send", "payload": {"n": n}} for n in range(6)])
    bad = client.queue.enqueue("mail", "send", {"fail": True}, max_attempts=1)
    seen: list[int] = []

    @client.worker("mail", concurrency=3, visibility_timeout_s=10, poll_interval_s=0.1)
    def handle(job: Lease) -> None:
        if job.payload.get("fail"):
            raise ValueError("bad address")
        seen.append(job.payload["n"])

    thread = serve(handle)
    wait_until(lambda: handle.stats.acked + handle.stats.nacked == 7, what="7 settled jobs")
    handle.stop()
    thread.join(10)
    assert sorted(seen) == list(range(6)) and handle.stats.lease_lost == 0
    assert all(client.queue.get(j.job_id).status == "succeeded" for j in ok)
    dead = client.dlq.get(bad.job_id)
    assert dead.status == "failed" and "ValueError: bad address" in (dead.last_error or "")


def test_heartbeats_keep_a_long_handler_leased(client: Client) -> None:
    job = client.queue.enqueue("slow", "x")
    runs = []

    @client.worker("slow", concurrency=2, visibility_timeout_s=1, poll_interval_s=0.1)
    def handle(lease: Lease) -> None:
        runs.append(lease.lease_token)
        time.sleep(2.5)

    thread = serve(handle)
    wait_until(lambda: handle.stats.acked == 1, what="the ack")
    handle.stop()
    thread.join(10)
    assert len(runs) == 1
    assert [a.outcome for a in client.queue.get(job.job_id).attempts] == ["succeeded"]


def test_a_handler_that_outlives_its_lease_is_not_acked_and_the_job_runs_again(
    client: Client,
) -> None:
    job = client.queue.enqueue("late", "x")
    runs: list[int] = []
    first_may_return = threading.Event()

    @client.worker(
        "late", concurrency=2, visibility_timeout_s=1, poll_interval_s=0.1, heartbeat=False
    )
    def handle(lease: Lease) -> None:
        runs.append(lease.attempt)
        if lease.attempt == 1:
            first_may_return.wait(20)

    thread = serve(handle)
    wait_until(lambda: handle.stats.acked == 1, what="the second delivery's ack")
    first_may_return.set()
    wait_until(lambda: handle.stats.lease_lost == 1, what="the first delivery's refused ack")
    handle.stop()
    thread.join(10)
    assert runs == [1, 2] and handle.stats.acked == 1
    detail = client.queue.get(job.job_id)
    assert detail.status == "succeeded" and detail.attempt == 2
    assert [a.outcome for a in detail.attempts] == ["expired", "succeeded"]


def marks(client: Client, kind: str) -> list[dict]:
    return [e.payload for e in client.events.read("marks").events if e.type == kind]


def test_a_worker_killed_mid_job_leaves_it_to_another(
    client: Client, server: Server, tenant: str
) -> None:
    job = client.queue.enqueue("crash", "x")
    proc = run_python(HERE / "worker_proc.py", server.url, tenant, "crash", "60", "2")
    try:
        wait_until(lambda: marks(client, "started"), what="the job to start")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    finished = []

    @client.worker("crash", concurrency=1, visibility_timeout_s=5, poll_interval_s=0.1)
    def handle(lease: Lease) -> None:
        finished.append(lease.attempt)

    thread = serve(handle)
    wait_until(lambda: handle.stats.acked == 1, what="the redelivery")
    handle.stop()
    thread.join(10)
    assert finished == [2]
    detail = client.queue.get(job.job_id)
    assert detail.status == "succeeded"
    assert [a.outcome for a in detail.attempts] == ["expired", "succeeded"]


def test_sigterm_finishes_the_running_job_then_stops(
    client: Client, server: Server, tenant: str
) -> None:
    job = client.queue.enqueue("term", "x")
    proc = run_python(HERE / "worker_proc.py", server.url, tenant, "term", "2", "5")
    try:
        wait_until(lambda: marks(client, "started"), what="the job to start")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        proc.kill()
    assert [m["job_id"] for m in marks(client, "finished")] == [job.job_id]
    detail = client.queue.get(job.job_id)
    assert detail.status == "succeeded" and len(detail.attempts) == 1


def test_async_worker(server: Server, tenant: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(server.url, tenant=tenant) as c:
            await c.queue.enqueue_many("aio", [{"job_type": "x", "payload": {"n": n}} for n in range(5)])
            failing = await c.queue.enqueue("aio", "x", {"fail": True}, max_attempts=1)
            running = 0
            peak = 0

            @c.worker("aio", concurrency=3, visibility_timeout_s=2, poll_interval_s=0.1)
            async def handle(job: Lease) -> None:
                nonlocal running, peak
                running += 1
                peak = max(peak, running)
                try:
                    await asyncio.sleep(0.3)
                    if job.payload.get("fail"):
                        raise RuntimeError("no")
                finally:
                    running -= 1

            task = asyncio.ensure_future(handle.run())
            for _ in range(400):
                if handle.stats.acked + handle.stats.nacked == 6:
                    break
                await asyncio.sleep(0.05)
            handle.stop()
            stats = await asyncio.wait_for(task, 10)
            assert (stats.acked, stats.nacked, stats.lease_lost) == (5, 1, 0)
            assert 1 < peak <= 3
            assert (await c.queue.get(failing.job_id)).status == "failed"

    asyncio.run(scenario())


def test_a_handler_of_the_wrong_kind_is_refused(client: Client, server: Server) -> None:
    async def coroutine(job: Lease) -> None: ...

    def function(job: Lease) -> None: ...

    with pytest.raises(TypeError, match="AsyncClient.worker"):
        client.worker("q")(coroutine)
    with pytest.raises(TypeError, match="Client.worker"):
        AsyncClient(server.url).worker("q")(function)
