"""Signed-in sessions for desktop tests: signed in for real through the service (the
test accounts of tests/conftest.py all have PASSWORD)."""

from __future__ import annotations

from branchdesk.services import auth
from branchdesk.services.context import ServiceContext
from tests.conftest import PASSWORD
from ui.session import UserSession


def signed_in(ctx: ServiceContext, staff_no: str) -> UserSession:
    """A session of `staff_no`, as the sign-in screen would start it."""
    return UserSession(ctx.permissions, auth.sign_in(ctx, staff_no=staff_no, password=PASSWORD))
