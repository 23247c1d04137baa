"""Structured logs: one JSON object per line on stderr. Only identifiers and counts
are logged (device id, branch code, sequence numbers, sizes, status): never a token,
an enrollment code, a request body or anything about a customer."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

_LOCK = threading.Lock()


def log(event: str, *, level: str = "info", **fields: Any) -> None:
    record: dict[str, Any] = {
        "ts": round(time.time(), 3),
        "level": level,
        "event": event,
        **fields,
    }
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
    with _LOCK:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def quiet_uvicorn_access() -> Mapping[str, Any]:
    """uvicorn's logging config without its access log (which prints full URLs and
    client addresses in its own format); our middleware logs each request instead."""
    from uvicorn.config import LOGGING_CONFIG

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["loggers"]["uvicorn.access"]["handlers"] = []
    config["loggers"]["uvicorn.access"]["propagate"] = False
    logging.getLogger("uvicorn.access").disabled = True
    return dict(config)
