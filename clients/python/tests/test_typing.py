"""Type checkers see results on Client and awaitables of them on AsyncClient (mypy --strict)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_the_package_and_its_users_type_check(tmp_path: Path) -> None:
    mypy = shutil.which("mypy")
    if mypy is None:
        pytest.skip("mypy is not installed (Debian: apt-get install mypy)")
    probe = HERE / "typing_probe.py"
    result = subprocess.run(
        [mypy, "--strict", "--cache-dir", str(tmp_path), str(HERE.parent / "src" / "flowstore"), str(probe)],
        capture_output=True,
        text=True,
        env=dict(os.environ, MYPYPATH=str(HERE.parent / "src")),
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert all("typing_probe.py" in e for e in errors), result.stdout  # the package itself is clean
    expected = {n for n, line in enumerate(probe.read_text().splitlines(), 1) if "# E:" in line}
    reported = {int(m) for m in re.findall(r"typing_probe\.py:(\d+): error", result.stdout)}
    assert reported == expected, result.stdout
