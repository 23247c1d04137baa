"""The archive duty through the services: queue, review, approve, seal, find, open,
reprint, verify, key rotation, holds and purges, and who may do what."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from branchdesk.archive.keys import ArchiveKeyError
from branchdesk.domain.errors import DomainError, ValidationError
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.persistence.schema import audit_log, case_events, cases
from branchdesk.services import archiving, staff
from tests.conftest import Branch, activate
from tests.unit.archive.support import acknowledge_outbox, closed_case, keys_of


@pytest.fixture
def archive(branch: Branch) -> Branch:
    new = staff.add_staff(
        branch.ctx, staff_no="R401", name="郑雅琴", roles=("archivist",), actor="A001"
    )
    activate(branch.ctx, "R401", new.one_time_code)
    archiving.issue_recovery_key(branch.ctx, actor="A001")
    return branch


def sealed_cases(b: Branch, count: int = 2) -> list[str]:
    numbers = [closed_case(b.ctx, name=f"王{i}明") for i in range(count)]
    result = archiving.approve(b.ctx, keys_of(b), numbers=numbers, actor="M301")
    assert len(result.approved) == count
    acknowledge_outbox(b.ctx)
    assert archiving.seal_archived(b.ctx, keys_of(b), actor="R401").sealed == count
    return numbers


def test_queue_shows_closed_cases_with_their_archive_deadline(archive: Branch) -> None:
    number = closed_case(archive.ctx)
    queue = archiving.archive_queue(archive.ctx, actor="M301")
    [item] = queue.items
    assert item.number == number and item.archive_due is not None
    assert item.archive_due - item.closed_at >= timedelta(days=3)  # type: ignore[operator]
    assert not item.overdue


def test_review_lists_what_is_missing_and_approval_refuses_it(archive: Branch) -> None:
    ctx = archive.ctx
    number = closed_case(
        ctx,
        print_documents=False,
        steps=(
            "acknowledge",
            "assign",
            "record_investigation",
            "determine_responsibility",
            "plan",
            "resolve",
            "record_feedback",
            "close",
        ),
    )
    [result] = archiving.review(ctx, numbers=[number], actor="M301")
    assert result.complete
    assert result.warnings == ("document.receipt", "document.closure_letter")
    open_case = closed_case(ctx, steps=("acknowledge",))
    [bad] = archiving.review(ctx, numbers=[open_case], actor="M301")
    assert "state" in bad.missing and "event.investigation" in bad.missing
    outcome = archiving.approve(ctx, keys_of(archive), numbers=[open_case], actor="M301")
    assert outcome.approved == () and outcome.refused[0].number == open_case


def test_round_trip_archive_find_open_reprint(archive: Branch) -> None:
    ctx = archive.ctx
    first, second = sealed_cases(archive)
    # Gone from the live database, kept as a stub the audit trail refers to.
    with ctx.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(case_events)).scalar_one() <= 1
        stub = conn.execute(select(cases).where(cases.c.number == first)).mappings().one()
    assert stub["customer_name"] == "" and stub["archive_no"]
    [hit] = archiving.find(ctx, actor="R401", customer="王1")
    assert hit.number == second and hit.phone == "138****5678"
    assert [e.number for e in archiving.find(ctx, actor="R401", archive_no=stub["archive_no"])] == [
        first
    ]
    assert len(archiving.find(ctx, actor="R401", category="technical")) == 2
    assert archiving.find(ctx, actor="R401", kind="consultation") == []
    case = archiving.open_archived(ctx, keys_of(archive), ref=stub["archive_no"], actor="R401")
    assert case.number == first and case.customer["phone"] == "138****5678"
    assert [e.kind for e in case.events][:2] == ["received", "printed"]
    assert [d.kind for d in case.documents] == ["receipt", "closure_letter", "case_record"]
    pdf = archiving.reprint(ctx, keys_of(archive), ref=first, kind="closure_letter", actor="R401")
    assert "王0明" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    with ctx.db.read() as conn:
        actions = list(conn.execute(select(audit_log.c.action)).scalars())
    assert {"archive.store", "archive.open", "archive.reprint"} <= set(actions)
    assert archiving.verify(ctx, keys_of(archive), actor="R401").ok


def test_unsent_events_keep_a_case_live(archive: Branch) -> None:
    ctx = archive.ctx
    number = closed_case(ctx)
    archiving.approve(ctx, keys_of(archive), numbers=[number], actor="M301")
    result = archiving.seal_archived(ctx, keys_of(archive), actor="R401")
    assert result.sealed == 0 and result.waiting_for_sync == 1
    assert archiving.find(ctx, actor="R401", number=number) == []


def test_rotation_rewraps_without_rewriting_volumes(archive: Branch) -> None:
    ctx = archive.ctx
    [number] = sealed_cases(archive, 1)
    folder = ctx.db.path.parent / "archive"
    before = {p.name: p.read_bytes() for p in folder.glob("*.bdav")}
    keys = keys_of(archive)
    new_id, volumes = archiving.rotate_master_key(ctx, keys, actor="A001")
    assert volumes == 1
    assert {p.name: p.read_bytes() for p in folder.glob("*.bdav")} == before
    assert archiving.open_archived(ctx, keys_of(archive), ref=number, actor="R401").number == number
    # The old key is gone from the keyring; only the new one is there.
    names = [n for (_, n) in archive.store._backend.store if n.startswith("archive-key:")]  # type: ignore[attr-defined]
    assert len(names) == 1 and names[0].endswith(new_id)


def test_missing_master_key_is_a_clear_error(archive: Branch) -> None:
    ctx = archive.ctx
    [number] = sealed_cases(archive, 1)
    backend = archive.store._backend  # type: ignore[attr-defined]
    for entry in [k for k in backend.store if k[1].startswith("archive-key:")]:
        del backend.store[entry]
    with pytest.raises(ArchiveKeyError) as caught:
        archiving.open_archived(ctx, keys_of(archive), ref=number, actor="R401")
    assert caught.value.key == "error.archive.master_key_missing"


def test_tampered_volume_is_named_by_verify(archive: Branch) -> None:
    ctx = archive.ctx
    sealed_cases(archive, 1)
    [path] = (ctx.db.path.parent / "archive").glob("*.bdav")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
    report = archiving.verify(ctx, keys_of(archive), actor="R401")
    [problem] = report.problems
    assert problem.volume == path.name and problem.key == "error.archive.volume_damaged"
    assert "entry" in str(problem.params["where"])


def test_purge_refuses_holds_and_retention_then_leaves_a_tombstone(archive: Branch) -> None:
    ctx = archive.ctx
    first, second = sealed_cases(archive)
    nos = [e.archive_no for e in archiving.find(ctx, actor="R401")]
    with pytest.raises(ValidationError) as inside:
        archiving.request_purge(ctx, archive_nos=nos, mode="purge", reason="期满", actor="R401")
    assert {e.key for e in inside.value.errors} == {"error.archive.in_retention"}
    archive.clock.advance(days=3 * 366 + 2)
    hold_no = archiving.find(ctx, actor="R401", number=first)[0].archive_no
    archiving.place_hold(ctx, archive_no=hold_no, reason="诉讼保全", actor="M301")
    with pytest.raises(ValidationError) as held:
        archiving.request_purge(ctx, archive_nos=nos, mode="purge", reason="期满", actor="R401")
    assert [e.key for e in held.value.errors] == ["error.archive.on_hold"]
    other = archiving.find(ctx, actor="R401", number=second)[0].archive_no
    request = archiving.request_purge(
        ctx, archive_nos=[other], mode="purge", reason="期满", actor="R401"
    )
    with pytest.raises(PermissionDenied):
        archiving.approve_purge(ctx, keys_of(archive), request_id=request, actor="R401")
    result = archiving.approve_purge(ctx, keys_of(archive), request_id=request, actor="M301")
    assert result.cases == 1 and result.volumes_rewritten == 1
    [tomb] = archiving.find(ctx, actor="R401", number=second)
    assert tomb.status == "purged" and tomb.customer is None and tomb.archive_no == other
    with pytest.raises(DomainError) as gone:
        archiving.open_archived(ctx, keys_of(archive), ref=second, actor="R401")
    assert gone.value.key == "error.archive.purged"
    # The held case is untouched and still opens from the rewritten volume.
    assert archiving.open_archived(ctx, keys_of(archive), ref=first, actor="R401").number == first
    assert archiving.verify(ctx, keys_of(archive), actor="R401").ok
    assert len(list((ctx.db.path.parent / "archive").glob("*.bdav"))) == 1


def test_anonymise_keeps_statistics_without_the_person(archive: Branch) -> None:
    ctx = archive.ctx
    [number] = sealed_cases(archive, 1)
    archive.clock.advance(days=3 * 366 + 2)
    no = archiving.find(ctx, actor="R401", number=number)[0].archive_no
    request = archiving.request_purge(
        ctx, archive_nos=[no], mode="anonymise", reason="期满", actor="R401"
    )
    archiving.approve_purge(ctx, keys_of(archive), request_id=request, actor="M301")
    case = archiving.open_archived(ctx, keys_of(archive), ref=no, actor="R401", reveal=False)
    assert case.customer["name"] is None and case.documents == ()
    assert case.category == "technical/network"


def test_who_may_do_what(archive: Branch) -> None:
    ctx = archive.ctx
    number = closed_case(ctx)
    with pytest.raises(PermissionDenied):
        archiving.review(ctx, numbers=[number], actor="R401")  # archivists do not review
    with pytest.raises(PermissionDenied):
        archiving.archive_queue(ctx, actor="H201")
    with pytest.raises(PermissionDenied):
        archiving.issue_recovery_key(ctx, actor="M301")
    with pytest.raises(PermissionDenied):
        archiving.rotate_master_key(ctx, keys_of(archive), actor="R401")
