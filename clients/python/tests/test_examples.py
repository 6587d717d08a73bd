"""The README's FastAPI example and its worker, against the real server."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from flowstore import Client

from conftest import REPO, Server, run_python

EXAMPLES = REPO / "clients" / "python" / "examples"


def test_fastapi_service_and_its_worker(
    server: Server, tenant: str, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        from fastapi.testclient import TestClient
    except ImportError as e:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the FastAPI example needs fastapi (Debian: python3-fastapi): {e}")
        pytest.skip(f"fastapi is not installed: {e}")

    monkeypatch.setenv("FLOWSTORE_URL", server.url)
    monkeypatch.setenv("FLOWSTORE_TENANT", tenant)
    spec = importlib.util.spec_from_file_location("orders_app", EXAMPLES / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    order = {"order_id": uuid.uuid4().hex[:8], "email": "ann@example.com", "total": 42.0}
    with TestClient(module.app) as http:
        first = http.post("/orders", json=order)
        retried = http.post("/orders", json=order)  # the caller's retry: nothing twice
    assert first.status_code == 201, first.text
    assert retried.json() == first.json()
    assert first.json()["session_state"] == "awaiting_payment"
    assert len(client.events.read(f"order-{order['order_id']}").events) == 1
    assert [s.ready for s in client.queue.stats() if s.queue == "emails"] == [1]

    env = dict(os.environ, FLOWSTORE_URL=server.url, FLOWSTORE_TENANT=tenant)
    worker = run_python(EXAMPLES / "worker.py", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not client.events.read(f"email-{order['order_id']}").events:
            assert time.monotonic() < deadline, "the worker never sent the email"
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0, out
    finally:
        worker.kill()
    assert client.queue.get(first.json()["job_id"]).status == "succeeded"
