"""Crash points for the fault tests: with BRANCHDESK_SYNC_CRASH=<name> (or
<name>:<n> for the n-th time it is reached) the process kills itself with SIGKILL at
that point, exactly as a power cut or `kill -9` would. Unset, nothing happens."""

from __future__ import annotations

import os
import signal

ENV = "BRANCHDESK_SYNC_CRASH"
_seen: dict[str, int] = {}


def crash_point(name: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def armed(name: str) -> bool:
    return os.environ.get(ENV, "").partition(":")[0] == name
