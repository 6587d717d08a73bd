"""Every resource of the client against the real server, good input and the errors it documents."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from flowstore import (
    Client,
    EventIdConflict,
    IdempotencyKeyReused,
    InvalidArgument,
    LeaseLost,
    NotFound,
    Unprocessable,
    VersionConflict,
)


def test_events_append_read_and_feed(client: Client) -> None:
    first = client.events.append(
        "order-1",
        [{"type": "order.placed", "payload": {"total": 42}}, {"type": "order.paid"}],
        expected_version="no_stream",
    )
    assert [e.version for e in first.events] == [0, 1]
    assert first.next_expected_version == 1 and not first.replayed
    client.events.append("order-1", [{"type": "order.shipped"}], expected_version=1)
    client.events.append("invoice-1", [{"type": "invoice.sent", "payload": {"n": 1}}])

    with pytest.raises(VersionConflict) as conflict:
        client.events.append("order-1", [{"type": "late"}], expected_version=1)
    assert conflict.value.status == 409 and "version" in conflict.value.message

    page = client.events.read("order-1")
    assert [e.type for e in page.events] == ["order.placed", "order.paid", "order.shipped"]
    assert page.events[0].payload == {"total": 42}
    assert page.events[0].created_at.tzinfo is not None
    backward = client.events.read("order-1", direction="backward", limit=2)
    assert [e.version for e in backward.events] == [2, 1]
    assert client.events.read("nothing-here").events == []

    feed = client.events.read_all()
    assert [e.stream for e in feed.events] == ["order-1"] * 3 + ["invoice-1"]
    positions = [e.position for e in feed.events]
    assert positions == sorted(positions) and feed.next_after == positions[-1]
    assert [e.type for e in client.events.read_all(category="invoice").events] == ["invoice.sent"]
    assert client.events.read_all(after=feed.next_after).events == []


def test_events_with_ids_are_idempotent(client: Client) -> None:
    event = {"type": "x", "event_id": str(uuid.uuid4())}
    client.events.append("s-1", [event], expected_version="no_stream")
    again = client.events.append("s-1", [event], expected_version="no_stream")
    assert again.replayed
    assert len(client.events.read("s-1").events) == 1
    with pytest.raises(EventIdConflict):
        client.events.append("s-2", [event])


def test_sessions_transition_as_of_and_history(client: Client) -> None:
    flow = client.flows.register("approval", "steps:\n  - review\n", name="Approval")
    assert flow.version == 1
    assert client.flows.register("approval", "steps:\n  - review\n  - sign\n").version == 2
    assert client.flows.get("approval", version=1).yaml_content.startswith("steps")
    assert [f.flow_id for f in client.flows.list().flows] == ["approval"]
    with pytest.raises(NotFound):
        client.flows.get("missing")

    session = client.sessions.create(flow_id="approval", state={"n": 0}, metadata={"by": "py"})
    assert session.version == 0 and session.status == "active" and session.flow_version == 2
    changed = client.sessions.transition(
        session.session_id,
        expected_version=0,
        to_state="review",
        state={"n": 1},
        payload={"why": "ready"},
    )
    assert changed.version == 1 and changed.current_state == "review"
    with pytest.raises(VersionConflict):
        client.sessions.transition(session.session_id, expected_version=0, to_state="lost")

    assert client.sessions.get(session.session_id).state == {"n": 1}
    assert client.sessions.as_of(session.session_id, 0).state == {"n": 0}
    history = client.sessions.history(session.session_id)
    assert [e.version for e in history.events] == [0, 1]
    assert history.events[1].metadata["to_state"] == "review"
    listed = client.sessions.list(status="active", flow_id="approval")
    assert [s.session_id for s in listed.sessions] == [session.session_id]

    ended = client.sessions.transition(session.session_id, expected_version=1, status="completed")
    assert ended.status == "completed"
    with pytest.raises(Unprocessable):
        client.sessions.transition(session.session_id, expected_version=2, to_state="again")
    with pytest.raises(NotFound):
        client.sessions.get(str(uuid.uuid4()))

    # a given session id makes creation idempotent
    sid = str(uuid.uuid4())
    assert client.sessions.create(session_id=sid).session_id == sid
    assert client.sessions.create(session_id=sid).version == 0


def test_steps_are_recorded_once(client: Client) -> None:
    sid = client.sessions.create().session_id
    first = client.steps.record(sid, "fetch", 1, input={"url": "u"})
    assert first.status == "running" and not first.duplicate
    again = client.steps.record(sid, "fetch", 1, status="failed", error="other")
    assert again.duplicate and again.status == "running"
    done = client.steps.finish(sid, "fetch", 1, status="succeeded", output={"ok": True})
    assert done.status == "succeeded" and done.result_hash
    with pytest.raises(Unprocessable):
        client.steps.finish(sid, "fetch", 1, status="failed")
    assert client.steps.get(sid, "fetch", 1).output == {"ok": True}
    client.steps.record(sid, "fetch", 2, status="skipped")
    assert [(s.step, s.attempt) for s in client.steps.list(sid)] == [("fetch", 1), ("fetch", 2)]
    with pytest.raises(NotFound):
        client.steps.get(sid, "fetch", 3)


def test_checkpoints_and_resume_tokens(client: Client) -> None:
    sid = client.sessions.create().session_id
    root = client.checkpoints.save(sid, {"step": 1}, checkpoint_id="c1", blob=b"\x00\x01")
    child = client.checkpoints.save(sid, {"step": 2}, parent_checkpoint_id="c1")
    assert base64.b64decode(root.bytes or "") == b"\x00\x01"
    assert child.parent_checkpoint_id == "c1"
    assert client.checkpoints.latest(sid).checkpoint_id == child.checkpoint_id
    assert client.checkpoints.get(sid, "c1").data == {"step": 1}
    page = client.checkpoints.list(sid, limit=1)
    assert [c.checkpoint_id for c in page.checkpoints] == [child.checkpoint_id]
    older = client.checkpoints.list(sid, before=page.next_before)
    assert [c.checkpoint_id for c in older.checkpoints] == ["c1"]
    assert client.checkpoints.resolve(root.resume_token).checkpoint_id == "c1"
    with pytest.raises(Unprocessable):
        client.checkpoints.save(sid, {"step": 9}, checkpoint_id="c1")
    with pytest.raises(NotFound):
        client.checkpoints.latest(client.sessions.create().session_id)


def test_nodes(client: Client) -> None:
    client.nodes.register("llm/summarize", node_type="builtin", name="Summarize")
    hook = client.nodes.register(
        "notify", node_type="webhook", name="Notify", endpoint="https://example.com/hook"
    )
    assert hook.endpoint == "https://example.com/hook"
    assert client.nodes.get("llm/summarize").node_type == "builtin"
    assert [n.node_id for n in client.nodes.list(type="webhook").nodes] == ["notify"]
    with pytest.raises(InvalidArgument):
        client.nodes.register("bad", node_type="webhook", name="No endpoint")
    with pytest.raises(NotFound):
        client.nodes.get("missing")


def test_tasks(client: Client) -> None:
    sid = client.sessions.create().session_id
    task = client.tasks.create("render", session_id=sid)
    assert task.status == "pending"
    assert client.tasks.start(task.task_id).status == "running"
    assert client.tasks.progress(task.task_id, 12.5).progress == 12.5
    done = client.tasks.complete(task.task_id, {"url": "x"})
    assert done.status == "completed" and done.result == {"url": "x"}
    with pytest.raises(Unprocessable):
        client.tasks.start(task.task_id)
    failed = client.tasks.create("render")
    client.tasks.start(failed.task_id)
    assert client.tasks.fail(failed.task_id, "boom").error == "boom"
    assert client.tasks.cancel(client.tasks.create("x").task_id).status == "cancelled"
    assert [t.task_id for t in client.tasks.list(session_id=sid)] == [task.task_id]
    assert client.tasks.get(task.task_id).completed_at is not None


def test_resume_handles_resume_once(client: Client) -> None:
    sid = client.sessions.create().session_id
    handle = client.resume_handles.create(sid, "approval-7")
    assert handle.status == "pending_pause"
    with pytest.raises(Unprocessable):
        client.resume_handles.create(sid, "approval-7")
    assert client.resume_handles.mark_paused(handle.handle_id).status == "paused"
    resumed = client.resume_handles.resume("approval-7", {"approved": True})
    assert resumed.status == "resumed" and resumed.resume_payload == {"approved": True}
    with pytest.raises(Unprocessable):
        client.resume_handles.resume("approval-7")
    with pytest.raises(NotFound):
        client.resume_handles.resume("never")
    assert client.resume_handles.get(handle.handle_id).resumed_at is not None
    assert len(client.resume_handles.list(session_id=sid)) == 1

    # a resume that arrives before the pause completes is kept
    early = client.resume_handles.create(
        sid, "early", expires_at=datetime.now(timezone.utc) + timedelta(hours=1)
    )
    client.resume_handles.resume("early", {"x": 1})
    paused = client.resume_handles.mark_paused(early.handle_id)
    assert paused.resumed_before_pause and paused.resume_payload == {"x": 1}


def test_commands_one_active_per_type(client: Client) -> None:
    sid = client.sessions.create().session_id
    cmd = client.commands.submit(sid, "approve", {"by": "ann"}, command_key="k1")
    assert cmd.status == "received" and not cmd.duplicate
    assert client.commands.submit(sid, "approve", {"by": "bob"}).duplicate
    with pytest.raises(IdempotencyKeyReused):
        client.commands.submit(sid, "reject", {"by": "ann"}, command_key="k1")
    assert client.commands.start(cmd.command_id).status == "processing"
    assert client.commands.complete(cmd.command_id).status == "completed"
    with pytest.raises(Unprocessable):
        client.commands.start(cmd.command_id)
    other = client.commands.submit(sid, "cancel")
    client.commands.start(other.command_id)
    assert client.commands.fail(other.command_id, "nope").error == "nope"
    assert {c.command_id for c in client.commands.list(sid)} == {cmd.command_id, other.command_id}
    assert client.commands.get(cmd.command_id).command_type == "approve"


def test_queue_lease_ack_nack_heartbeat_release(client: Client) -> None:
    job = client.queue.enqueue("emails", "send", {"to": "a@x"}, unique_key="u1", max_attempts=3)
    assert job.status == "queued" and not job.duplicate
    assert client.queue.enqueue("emails", "send", {"to": "b@x"}, unique_key="u1").duplicate
    batch = client.queue.enqueue_many(
        "emails", [{"job_type": "send", "priority": 5}, {"job_type": "send", "delay_s": 3600}]
    )
    assert [j.status for j in batch] == ["queued", "queued"]

    leases = client.queue.lease("emails", max=10, visibility_timeout_s=30)
    assert [lease.job_id for lease in leases] == [batch[0].job_id, job.job_id]  # priority first
    high, first = leases
    beat = client.queue.heartbeat(first.job_id, first.lease_token, extend_s=60)
    assert beat.lease_token == first.lease_token
    assert client.queue.release(high.job_id, high.lease_token).status == "queued"
    nacked = client.queue.nack(first.job_id, first.lease_token, "smtp down", retry_delay_s=0)
    assert nacked.status == "queued" and nacked.last_error == "smtp down"
    with pytest.raises(LeaseLost):
        client.queue.ack(first.job_id, first.lease_token)

    again = {lease.job_id: lease for lease in client.queue.lease("emails", max=10)}
    assert set(again) == {job.job_id, high.job_id}
    second = again[job.job_id]
    assert second.lease_token != first.lease_token and second.attempt == 2
    assert client.queue.ack(second.job_id, second.lease_token).status == "succeeded"
    detail = client.queue.get(job.job_id)
    assert [a.outcome for a in detail.attempts] == ["failed", "succeeded"]
    assert detail.attempts[0].error == "smtp down"
    stats = {s.queue: s for s in client.queue.stats()}["emails"]
    assert (stats.succeeded, stats.leased, stats.delayed) == (1, 1, 1)
    with pytest.raises(NotFound):
        client.queue.get(str(uuid.uuid4()))


def test_dlq_audit_and_outbox(client: Client) -> None:
    job = client.queue.enqueue("reports", "build", {"n": 1}, max_attempts=1)
    lease = client.queue.lease("reports")[0]
    dead = client.queue.nack(lease.job_id, lease.lease_token, "fatal")
    assert dead.status == "failed"
    page = client.dlq.list(queue="reports")
    assert [i.job_id for i in page.items] == [job.job_id] and page.items[0].last_error == "fatal"
    assert client.dlq.get(job.job_id).dead_letter is not None
    entries = client.audit.list(resource_type="job", resource_id=job.job_id).entries
    assert [e.action for e in entries] == ["job.dead_lettered"]
    assert client.audit.verify().ok

    assert client.dlq.redrive(job.job_id).status == "queued"
    again = client.queue.lease("reports")[0]
    client.queue.nack(again.job_id, again.lease_token, "fatal again")
    client.dlq.purge(job.job_id)
    with pytest.raises(NotFound):
        client.dlq.get(job.job_id)

    # outbox messages are added through the Java API only; over HTTP they are listed and replayed
    assert client.outbox.list(status="failed").messages == []
    with pytest.raises(NotFound):
        client.outbox.replay(str(uuid.uuid4()))


def test_server_endpoints(client: Client) -> None:
    assert client.server.live() == {"status": "up"}
    assert client.server.ready()["status"] == "ready"
    assert "http_server_requests_seconds" in client.server.metrics()
    assert client.server.openapi().startswith("openapi: 3.1")
