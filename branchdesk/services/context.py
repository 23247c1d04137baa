"""What every service call needs: the open database, the branch's rules (SLA policy,
calendar, catalogue, time zone) and a clock. One object, built once when the app or
CLI opens a branch, passed to every use case."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from branchdesk.calendars import WorkingCalendar, load_default_calendar
from branchdesk.domain.catalogue import Catalogue, load_default_catalogue
from branchdesk.domain.permissions import PermissionMatrix, load_default_matrix
from branchdesk.domain.sla_policy import SlaPolicy, load_default_policy
from branchdesk.persistence.database import Database

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    db: Database
    branch_code: str
    tz: ZoneInfo = DEFAULT_TZ
    calendar: WorkingCalendar = field(default_factory=load_default_calendar)
    policy: SlaPolicy = field(default_factory=load_default_policy)
    catalogue: Catalogue = field(default_factory=load_default_catalogue)
    permissions: PermissionMatrix = field(default_factory=load_default_matrix)
    workstation: str = field(default_factory=socket.gethostname)
    clock: Callable[[], datetime] = _utc_now

    def now(self) -> datetime:
        """The current time in the branch's zone (tests replace `clock`)."""
        return self.clock().astimezone(self.tz)
