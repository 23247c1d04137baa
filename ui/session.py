"""Who is signed in at this workstation: one object shared by every window and panel.

Panels read `staff_no` when they call a service (never a copy taken when they were
built), and listen to `changed` to re-read what they show when another person signs
in. `allows` asks the same permission matrix the services check, so the desktop hides
exactly what the services would refuse; it never grants anything by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

from branchdesk import i18n as messages
from branchdesk.domain.permissions import PermissionMatrix, Role
from branchdesk.services.auth import Session
from ui import i18n


def roles_text(roles: Iterable[str]) -> str:
    """Role names in the interface language, listed its way ("营业员、处理人")."""
    separator = messages.messages(i18n.current()).get("list.separator", ", ")
    return separator.join(i18n.word("label.Role", str(r)) for r in roles)


class UserSession(QObject):
    """The signed-in staff member (or nobody, before the first sign-in)."""

    # Another person signed in: lists, details and drafts must follow.
    changed = Signal()

    def __init__(
        self,
        permissions: PermissionMatrix,
        session: Session | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._permissions = permissions
        self._session = session

    @property
    def current(self) -> Session | None:
        return self._session

    @property
    def staff_no(self) -> str:
        """The acting staff number ("" while nobody is signed in: every service refuses it)."""
        return self._session.staff_no if self._session is not None else ""

    @property
    def name(self) -> str:
        return self._session.name if self._session is not None else ""

    @property
    def roles(self) -> tuple[Role, ...]:
        return self._session.roles if self._session is not None else ()

    def allows(self, permission: str) -> bool:
        """Whether the signed-in person may use `permission` on any case (or where no
        case is involved: staff, audit, settings). Cases they own may allow more; the
        case detail gets those from the service."""
        if self._session is None:
            return False
        return self._permissions.allows(permission, actor=self.staff_no, roles=self.roles)

    def start(self, session: Session) -> None:
        """`session` is now the one acting; `changed` if it is another person."""
        other = self._session is None or self._session.staff_no != session.staff_no
        self._session = session
        if other:
            self.changed.emit()

    def describe(self) -> str:
        """ "吴海涛 (M301) · 营业厅经理" in the interface language."""
        if self._session is None:
            return ""
        return f"{self.name} ({self.staff_no}) · {roles_text(self.roles)}"
