"""Demo data: produced by the real process engine, consistent with what the services
would have written, never queued for HQ."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from branchdesk.bootstrap import initialise
from branchdesk.domain import process
from branchdesk.domain.case_numbers import is_valid_case_number
from branchdesk.services import cases, demo
from branchdesk.services.recording import case_columns, load_events, milestones_of
from tests.conftest import Branch, complaint_form


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several chunks, so that the multi-process path and chunk ordering are exercised."""
    monkeypatch.setattr(demo, "CHUNK", 70)


def test_demo_cases_are_projections_of_their_events(branch: Branch, small_chunks: None) -> None:
    result = demo.generate_demo(branch.ctx, cases=300, actor="A001", days=90)
    assert result.cases == 300 and not result.cancelled
    with branch.ctx.db.read() as conn:
        rows = conn.execute(text("SELECT * FROM cases ORDER BY id")).mappings().all()
        # And a week of appointments booked through the real intake.
        assert result.appointments > 0 and len(rows) == 300 + result.appointments
        assert conn.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
        bulk_events = text(
            "SELECT count(*) FROM case_events"
            " WHERE case_id NOT IN (SELECT case_id FROM appointments)"
        )
        assert conn.execute(bulk_events).scalar() == result.events
        for row in rows[::7]:
            events = load_events(conn, row["id"])
            case = process.replay(events)
            expected = case_columns(case, milestones_of(branch.ctx, case, events))
            stored = {k: row[k] for k in expected}
            for key in ("received_at", "entered_at", "updated_at", "next_due_at"):
                stored[key] = row[key] and int(row[key])
                expected[key] = expected[key] and int(expected[key].timestamp())
            for key in ("is_open", "paused", "provisional", "satisfied"):
                stored[key] = None if row[key] is None else bool(row[key])
            if stored["appointment"] is not None:
                stored["appointment"] = expected["appointment"]
            assert stored == expected, row["number"]
    states = Counter(r["state"] for r in rows)
    assert {"archived", "received"} <= set(states) and len(states) >= 5
    assert all(is_valid_case_number(r["number"]) for r in rows)
    assert len({r["number"] for r in rows}) == len(rows)
    archive = sorted(r["archive_no"] for r in rows if r["archive_no"])
    by_year = Counter(a.split("-")[1] for a in archive)
    for year, count in by_year.items():
        seqs = sorted(int(a.rsplit("-", 1)[1]) for a in archive if a.split("-")[1] == year)
        assert seqs == list(range(1, count + 1))  # gapless per year across chunks


def test_real_intake_continues_the_sequences_after_demo(branch: Branch) -> None:
    demo.generate_demo(branch.ctx, cases=120, actor="A001", days=1)
    with branch.ctx.db.read() as conn:
        today = conn.execute(
            text("SELECT value FROM counters WHERE name = 'case:20261125'")
        ).scalar()
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    assert int(number[16:20]) == (today or 0) + 1


def test_same_seed_same_data(branch: Branch, small_chunks: None, tmp_path: Path) -> None:
    other_ctx, _ = initialise(
        tmp_path / "other",
        branch_code="GZ0012",
        branch_name="另一个",
        admin_no="A001",
        admin_name="管理员",
        admin_password="Counter#2026",
        store=branch.store,
    )
    other_ctx.clock = branch.clock
    query = text("SELECT number, customer_name, customer_phone, state, next_due_at FROM cases")
    for ctx in (branch.ctx, other_ctx):
        demo.generate_demo(ctx, cases=150, actor="A001", seed=7, days=30)
    with branch.ctx.db.read() as conn, other_ctx.db.read() as other:
        assert conn.execute(query).all() == other.execute(query).all()
    other_ctx.db.close()


def test_progress_can_cancel_between_chunks(branch: Branch, small_chunks: None) -> None:
    seen: list[int] = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return done < 140

    result = demo.generate_demo(branch.ctx, cases=350, actor="A001", progress=progress)
    assert result.cancelled and result.cases == 140 and seen == [70, 140]
    with branch.ctx.db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 140


def test_the_demo_week_of_appointments_is_booked_like_a_clerks(branch: Branch) -> None:
    from datetime import timedelta

    from branchdesk.services import appointments, audit

    result = demo.generate_demo(branch.ctx, cases=60, actor="A001", days=30)
    today = branch.ctx.now().date()
    days = [today + timedelta(days=d) for d in range(-7, 8)]
    book = [e for d in days for e in appointments.day_book(branch.ctx, d, actor="A001")]
    assert len(book) == result.appointments
    assert {e.staff for e in book} == {"王师傅", "李师傅", "张师傅"}
    assert any(e.start.date() >= today and e.status == "booked" for e in book)
    # Past visits: some missed (and some of those moved to an evening ahead).
    assert any(e.status == "missed" for e in book) or any(e.reschedules for e in book)
    booked = [(e.staff, e.start) for e in book if e.status == "booked"]
    assert len(booked) == len(set(booked))  # nobody double-booked
    assert not audit.verify_chain(branch.ctx, actor="A001").breaks
    with branch.ctx.db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
