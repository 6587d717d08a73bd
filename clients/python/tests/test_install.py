"""The package installs from the repository with pip (offline, no build isolation), as the README says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]


def test_pip_installs_the_package_into_a_venv(tmp_path: Path) -> None:
    source = tmp_path / "src-copy"  # why a copy: setuptools writes build/ and *.egg-info beside it
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"))
    venv = tmp_path / "venv"
    made = subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        message = f"python3 -m venv failed (install python3-venv): {made.stderr.strip()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-build-isolation", "--no-index", str(source)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import flowstore, pathlib; p = pathlib.Path(flowstore.__file__).parent;"
            "print(p); print((p / 'py.typed').exists()); print(flowstore.__version__)",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    where, typed, version = probe.stdout.split()
    assert where.startswith(str(venv)) and typed == "True" and version == "0.1.0"
