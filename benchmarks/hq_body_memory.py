"""HQ's memory while it refuses a large body on an endpoint that needs no token.

Starts `branchdesk-hq serve` (one process, a SQLite file) and sends a body of
`--mb` MiB to `POST /v1/enroll`, once with a Content-Length and once chunked (no
length), each to a fresh HQ, then prints the process's resident memory before, after and at its peak
(VmHWM from /proc, Linux only) and the status HQ answered.

    .venv/bin/python benchmarks/hq_body_memory.py [--mb 400]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sync.support import HqServer

_CHUNK = 1024 * 1024


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _body(mb: int) -> Iterator[bytes]:
    piece = b"x" * _CHUNK
    for _ in range(mb):
        yield piece


def _send(url: str, mb: int, *, chunked: bool) -> str:
    headers = {"BranchDesk-Protocol": "2", "Content-Type": "application/json"}
    if not chunked:
        headers["Content-Length"] = str(mb * _CHUNK)
    try:
        answer = httpx.post(url + "/v1/enroll", content=_body(mb), headers=headers, timeout=600)
    except httpx.TransportError as exc:  # HQ may answer and close before it read it all
        return f"connection closed ({type(exc).__name__})"
    return str(answer.status_code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=400)
    args = parser.parse_args()
    for chunked in (False, True):
        # A fresh HQ for each, so that one run's peak does not hide the other's.
        with tempfile.TemporaryDirectory() as tmp:
            server = HqServer(str(Path(tmp) / "hq.sqlite3"), Path(tmp) / "hq.log").start()
            try:
                assert server.proc is not None
                pid = server.proc.pid
                before = _kib(pid, "VmRSS")
                status = _send(server.url, args.mb, chunked=chunked)
                after, peak = _kib(pid, "VmRSS"), _kib(pid, "VmHWM")
                print(
                    f"{args.mb} MiB {'chunked' if chunked else 'with Content-Length'}: "
                    f"answer {status}; RSS before {before / 1024:.0f} MiB, "
                    f"after {after / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB"
                )
            finally:
                server.close()


if __name__ == "__main__":
    main()
