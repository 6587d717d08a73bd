#!/usr/bin/env bash
# Runs the Python client's tests (pytest) against the packaged server (./flowstore serve, started by
# the tests). The Maven module clients/python runs it in `./mvnw verify`; by hand, package the server
# first (./mvnw -B -q -pl flowstore-server -am package -DskipTests). Arguments go to pytest.
#
# It needs a python3 >= 3.10 with httpx and pytest (Debian: python3-httpx python3-pytest; the FastAPI
# example's test also python3-fastapi python3-uvicorn). FLOWSTORE_PYTHON names one; otherwise the
# first of `python3` and /usr/bin/python3 that has them. Without one: a loud warning and a skip on a
# developer machine, a failure under CI=true.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usable() {
  "$1" -c 'import sys, httpx, pytest; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1
}

PY=""
for candidate in ${FLOWSTORE_PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && usable "$candidate"; then
    PY="$candidate"
    break
  fi
done

if [[ -z "$PY" ]]; then
  message="no python3 >= 3.10 with httpx and pytest found (Debian: apt-get install python3-httpx python3-pytest python3-fastapi python3-uvicorn; or set FLOWSTORE_PYTHON)"
  if [[ "${CI:-}" == "true" ]]; then
    echo "clients/python: FAILED: $message" >&2
    exit 1
  fi
  echo "################################################################################" >&2
  echo "# clients/python: Python client tests SKIPPED: $message" >&2
  echo "################################################################################" >&2
  exit 0
fi

echo "clients/python: $("$PY" -c 'import sys, httpx; print(sys.executable, sys.version.split()[0], "httpx", httpx.__version__)')"
cd "$HERE"
exec "$PY" -m pytest -p no:cacheprovider "$@"
