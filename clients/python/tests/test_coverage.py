"""The client covers every operation of openapi.yaml, except the ones listed here on purpose."""

from __future__ import annotations

import re
from pathlib import Path

from flowstore import OPERATIONS

from conftest import REPO

OPENAPI = REPO / "flowstore-server/src/main/resources/dev/flowstore/server/openapi.yaml"

# path prefix -> why the client leaves its operations out
LEFT_OUT_PREFIXES = {
    "/admin/": "the operators' write freeze (`flowstore maintenance on|off`), not an application's call",
}


def operations(document: str) -> dict[str, str]:
    """operationId -> "METHOD /path" of every operation in the document."""
    found: dict[str, str] = {}
    path = method = None
    for line in document.splitlines():
        if m := re.match(r"^  (/\S*):\s*$", line):
            path = m.group(1)
        elif m := re.match(r"^    (get|put|post|delete|patch):\s*$", line):
            method = m.group(1).upper()
        elif (m := re.match(r"^      operationId:\s*(\S+)", line)) and path and method:
            found[m.group(1)] = f"{method} {path}"
        elif line.startswith("components:"):
            break
    return found


def test_every_operation_is_covered_or_left_out_on_purpose() -> None:
    ops = operations(Path(OPENAPI).read_text())
    assert len(ops) > 60, "the operation parser found too few operations"
    left_out = {
        op
        for op, where in ops.items()
        if any(where.split(" ", 1)[1].startswith(p) for p in LEFT_OUT_PREFIXES)
    }
    missing = sorted(set(ops) - set(OPERATIONS) - left_out)
    assert not missing, f"operations with no client method: {[f'{m} ({ops[m]})' for m in missing]}"
    unknown = sorted(set(OPERATIONS) - set(ops))
    assert not unknown, f"client methods of operations the document does not have: {unknown}"
