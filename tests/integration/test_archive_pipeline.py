"""Sealing many cases over several volumes with the documents rendered on worker
processes ahead of the volume being written: every case lands once, in order, with its
three documents, and the volumes verify."""

from __future__ import annotations

from branchdesk.archive import store
from branchdesk.services import archiving
from tests.conftest import Branch
from tests.unit.archive.support import acknowledge_outbox, closed_case, keys_of


def test_volume_after_volume_with_rendering_ahead(branch: Branch) -> None:
    ctx = branch.ctx
    archiving.issue_recovery_key(ctx, actor="A001")
    numbers = [closed_case(ctx, name=f"王{i}明", print_documents=False) for i in range(110)]
    archiving.approve(ctx, keys_of(branch), numbers=numbers, actor="M301", seal=False)
    acknowledge_outbox(ctx)
    seen: list[tuple[int, int]] = []
    result = store.seal_pending(
        ctx,
        keys_of(branch),
        actor="M301",
        actor_name="吴海涛",
        per_volume=55,  # two volumes, each big enough for the worker processes
        workers=2,
        progress=lambda done, total: seen.append((done, total)) or True,
    )
    assert (result.sealed, len(result.volumes), result.skipped) == (110, 2, 0)
    assert seen == [(55, 110), (110, 110)]
    found = archiving.find(ctx, actor="M301", limit=500)
    assert sorted(e.number for e in found) == sorted(numbers)
    last = archiving.open_archived(ctx, keys_of(branch), ref=numbers[-1], actor="M301")
    assert [d.kind for d in last.documents] == ["receipt", "closure_letter", "case_record"]
    assert archiving.verify(ctx, keys_of(branch), actor="M301").ok
