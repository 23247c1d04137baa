"""A branch set up in passphrase mode, for tests whose work runs in another process
(a subprocess cannot share the test's in-memory keyring)."""

from __future__ import annotations

from pathlib import Path

from branchdesk.bootstrap import initialise
from branchdesk.services.context import ServiceContext
from tests.conftest import PASSWORD


def passphrase_branch(
    data_dir: Path, passphrase: str, *, branch_name: str = "广州天河营业厅"
) -> ServiceContext:
    """Branch GZ0012 in `data_dir`, its key derived from `passphrase`, administrator
    A001 signed up with PASSWORD; the caller closes the context it gets."""
    ctx, _ = initialise(
        data_dir,
        branch_code="GZ0012",
        branch_name=branch_name,
        admin_no="A001",
        admin_name="管理员",
        admin_password=PASSWORD,
        passphrase=passphrase,
        use_keyring=False,
    )
    return ctx
