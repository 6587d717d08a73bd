"""Starts the packaged server the way the README does (``./flowstore serve --port 0``, configured by
environment) once per backend per session: SQLite, and PostgreSQL with the queue on Redis.

Every test gets a fresh tenant. PostgreSQL runs in a schema of this run and Redis keys live under an
``FLOWSTORE_ENV`` of this run; both are removed afterwards (the servers are shared: never flushed).
Without ``POSTGRES_DSN``/``REDIS_DSN`` the PostgreSQL runs are skipped with a warning, except under
``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from flowstore import Client

REPO = Path(__file__).resolve().parents[3]
LAUNCHER = REPO / "flowstore"
LISTENING = re.compile(r"listening on (http://\S+)")
# the keys a server reads: dropped from the inherited environment, so the server runs the deployment
# a fixture describes whatever the shell exported (as flowstore-testkit's ServerProcess does)
CONFIG_PREFIXES = ("FLOWSTORE_", "POSTGRES_", "REDIS_", "IDEMPOTENCY_", "OUTBOX_", "JOB_")


class Server:
    """A ``./flowstore serve`` child process."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = workdir / "server.log"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(CONFIG_PREFIXES)}
        clean.pop("FLOWSTORE_CONFIG", None)
        # why: a test must never start a Maven build; a stale jar fails with the launcher's message
        clean["FLOWSTORE_NO_BUILD"] = "1"
        clean.update(env)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [str(LAUNCHER), "serve", "--port", "0"],
                cwd=workdir,
                env=clean,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.url = self._await_listening(90)
        self._await_ready(30)

    def _await_listening(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = LISTENING.search(self.log.read_text(errors="replace"))
            if m:
                return m.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"flowstore serve did not start listening; its log:\n{self.tail()}")

    def _await_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"flowstore serve never became ready; its log:\n{self.tail()}")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _postgres_env(run: str) -> dict[str, str]:
    dsn, redis = os.environ.get("POSTGRES_DSN"), os.environ.get("REDIS_DSN")
    if not dsn or not redis:
        message = "POSTGRES_DSN and REDIS_DSN must be set to run the PostgreSQL + Redis tests"
        if _in_ci():
            pytest.fail(message + " (CI=true: not skipped)")
        warnings.warn(message + ": SKIPPED")
        pytest.skip(message)
    return {
        "FLOWSTORE_STORE_BACKEND": "postgres",
        "POSTGRES_DSN": dsn,
        "POSTGRES_SCHEMA": f"pyclient_{run}",
        "POSTGRES_POOL_MAX": "4",
        "FLOWSTORE_QUEUE_BACKEND": "redis",
        "REDIS_DSN": redis,
        "FLOWSTORE_ENV": f"pyclient-{run}",
    }


def _drop_postgres(env: dict[str, str]) -> None:
    """Drops the run's schema and deletes the run's Redis keys."""
    if shutil.which("psql"):
        subprocess.run(
            [
                "psql",
                env["POSTGRES_DSN"],
                "-qc",
                f"DROP SCHEMA IF EXISTS {env['POSTGRES_SCHEMA']} CASCADE",
            ],
            check=False,
            capture_output=True,
        )
    else:
        warnings.warn(f"psql not found: schema {env['POSTGRES_SCHEMA']} left behind")
    if shutil.which("redis-cli"):
        pattern = f"flowstore:{env['FLOWSTORE_ENV']}:*"
        keys = subprocess.run(
            ["redis-cli", "-u", env["REDIS_DSN"], "--scan", "--pattern", pattern],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        for i in range(0, len(keys), 500):
            subprocess.run(
                ["redis-cli", "-u", env["REDIS_DSN"], "UNLINK", *keys[i : i + 500]],
                capture_output=True,
                check=False,
            )
    else:
        warnings.warn(f"redis-cli not found: keys {env['FLOWSTORE_ENV']} left behind")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    run = uuid.uuid4().hex[:10]
    env = {} if request.param == "sqlite" else _postgres_env(run)
    started = Server(tmp_path_factory.mktemp(f"server-{request.param}"), env)
    try:
        yield started
    finally:
        started.stop()
        if env:
            _drop_postgres(env)


@pytest.fixture
def tenant() -> str:
    return "py-" + uuid.uuid4().hex[:16]


@pytest.fixture
def client(server: Server, tenant: str) -> Iterator[Client]:
    with Client(server.url, tenant=tenant) as c:
        yield c


def run_python(
    script: Path, *args: str, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.Popen[bytes]:
    """A child Python process with this package importable (for worker processes)."""
    env = dict(env or os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "clients" / "python" / "src"), env.get("PYTHONPATH", "")])
    return subprocess.Popen([sys.executable, str(script), *args], env=env, **kwargs)  # type: ignore[call-overload]


# --- every operation of the client is driven by the suite -------------------------------------------
# test_coverage.py proves each operation of openapi.yaml has a client method; this proves the suite
# calls each of them against a server (good or bad request). Checked when the whole suite ran.

from flowstore import OPERATIONS  # noqa: E402
from flowstore._resources import _Op  # noqa: E402

DRIVEN: set[str] = set()
_unwrapped_get = _Op.__get__


def _tracking_get(self: _Op, obj: object, owner: object) -> object:  # type: ignore[type-arg]
    bound = _unwrapped_get(self, obj, owner)  # type: ignore[call-overload]
    if obj is None:
        return bound
    operation_id = self.operation_id

    def tracked(*args: object, **kwargs: object) -> object:
        DRIVEN.add(operation_id)
        return bound(*args, **kwargs)

    return tracked


_Op.__get__ = _tracking_get  # type: ignore[assignment,method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    whole_suite = not session.config.option.keyword and all(
        Path(a).resolve() == Path(__file__).parent for a in session.config.args
    )
    if not whole_suite or exitstatus != 0 or session.testscollected == 0:
        return
    missing = sorted(set(OPERATIONS) - DRIVEN)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"FAILED: operations no test drove: {missing}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
