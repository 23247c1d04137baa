"""Shared by the archive and backup tests: closed cases made through the real
services, HQ's acknowledgement of the outbox (what a sync would record), and the
archive key source of a test branch."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from branchdesk.archive.master import ArchiveKeys, archive_keys
from branchdesk.persistence.schema import outbox, sync_epochs
from branchdesk.services import cases, printing
from branchdesk.services.context import ServiceContext
from tests.conftest import Branch, complaint_form
from tests.unit.domain.test_process import VALID

CLOSED_PATH = (
    "acknowledge",
    "assign",
    "record_investigation",
    "determine_responsibility",
    "plan",
    "resolve",
    "record_feedback",
    "close",
)


def closed_case(
    ctx: ServiceContext,
    *,
    name: str = "张三",
    print_documents: bool = True,
    steps: tuple[str, ...] = CLOSED_PATH,
) -> str:
    """A complaint taken in and worked through to `steps[-1]` by the administrator."""
    from tests.conftest import complaint_form as form

    customer = form().customer
    from dataclasses import replace

    view = cases.intake(ctx, form=form(customer=replace(customer, name=name)), actor="A001")
    number = view.case.number
    if print_documents:
        printing.print_document(ctx, number=number, kind="receipt", actor="A001")
    for step in steps:
        params = dict(VALID[step])
        if step == "assign":
            params["to"] = "H201"
        cases.act(ctx, number=number, action=step, params=params, actor="A001")
    if print_documents and "resolve" in steps:
        printing.print_document(ctx, number=number, kind="closure_letter", actor="A001")
    return number


def acknowledge_outbox(ctx: ServiceContext) -> int:
    """Mark every outbox row sent, as HQ's acknowledgement of a sync does (with the
    epoch's starting point recorded)."""
    with ctx.db.write() as conn:
        epochs = set(conn.execute(select(outbox.c.device_epoch).distinct()).scalars())
        known = set(conn.execute(select(sync_epochs.c.epoch)).scalars())
        for epoch in epochs - known:
            conn.execute(insert(sync_epochs).values(epoch=epoch, base_seq=0))
        return int(
            conn.execute(
                update(outbox).where(outbox.c.sent_at.is_(None)).values(sent_at=ctx.now())
            ).rowcount
        )


def keys_of(branch: Branch) -> ArchiveKeys:
    return archive_keys(branch.data_dir, store=branch.store)


__all__ = ["CLOSED_PATH", "acknowledge_outbox", "closed_case", "complaint_form", "keys_of"]
