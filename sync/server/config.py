"""HQ server settings, from the command line or the environment (so that uvicorn's
worker processes, which import the app by name, see the same ones)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sync.protocol import MAX_COMPRESSED_BYTES, MAX_DECOMPRESSED_BYTES

ENV_DB = "BRANCHDESK_HQ_DB"
DEFAULT_DB = "branchdesk-hq.sqlite3"


@dataclass(frozen=True)
class HqConfig:
    db_url: str = DEFAULT_DB
    max_compressed: int = MAX_COMPRESSED_BYTES
    max_decompressed: int = MAX_DECOMPRESSED_BYTES
    #: Requests per second a device may make on average, and how many it may make in
    #: one window of burst / rate seconds (`ratelimit`; shared by all HQ processes).
    rate_per_second: float = 20.0
    rate_burst: float = 60.0
    #: How often (at most, per process) the windows that are over are deleted.
    rate_sweep_seconds: float = 60.0
    pool_size: int = 8
    application_name: str = "branchdesk-hq"

    @classmethod
    def from_env(cls) -> HqConfig:
        env = os.environ
        return cls(
            db_url=env.get(ENV_DB, DEFAULT_DB),
            max_compressed=int(env.get("BRANCHDESK_HQ_MAX_COMPRESSED", MAX_COMPRESSED_BYTES)),
            max_decompressed=int(env.get("BRANCHDESK_HQ_MAX_DECOMPRESSED", MAX_DECOMPRESSED_BYTES)),
            rate_per_second=float(env.get("BRANCHDESK_HQ_RATE", "20")),
            rate_burst=float(env.get("BRANCHDESK_HQ_BURST", "60")),
            rate_sweep_seconds=float(env.get("BRANCHDESK_HQ_RATE_SWEEP", "60")),
            pool_size=int(env.get("BRANCHDESK_HQ_POOL", "8")),
            application_name=env.get("BRANCHDESK_HQ_APP_NAME", "branchdesk-hq"),
        )

    def to_env(self) -> dict[str, str]:
        return {
            ENV_DB: self.db_url,
            "BRANCHDESK_HQ_MAX_COMPRESSED": str(self.max_compressed),
            "BRANCHDESK_HQ_MAX_DECOMPRESSED": str(self.max_decompressed),
            "BRANCHDESK_HQ_RATE": str(self.rate_per_second),
            "BRANCHDESK_HQ_BURST": str(self.rate_burst),
            "BRANCHDESK_HQ_RATE_SWEEP": str(self.rate_sweep_seconds),
            "BRANCHDESK_HQ_POOL": str(self.pool_size),
            "BRANCHDESK_HQ_APP_NAME": self.application_name,
        }
