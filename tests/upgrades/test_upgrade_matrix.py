"""The upgrade matrix: a branch from every schema BranchDesk has had, made by that
schema's own code (tests/upgrades/fixtures, see make_fixtures.py), opened by today's
code on the real encrypted file, upgraded to head with every case, event, milestone,
audit entry and staff account as it was, the audit chain verifying, search finding the
old cases, and a new case recorded."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from branchdesk.archive.master import archive_keys
from branchdesk.bootstrap import DB_NAME, open_branch
from branchdesk.persistence.database import Database
from branchdesk.persistence.migrate import current_revision, head_revision, migrate
from branchdesk.secrets import new_key
from branchdesk.services import archiving, audit, cases, quality, queries
from branchdesk.services.context import ServiceContext
from tests.conftest import complaint_form
from tests.upgrades.snapshot import (
    ADMIN_NO,
    KEPT_TABLES,
    PASSPHRASE,
    fixture_key,
    lost_or_changed,
    take,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())


def copy_fixture(name: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    data_dir = tmp_path / name
    shutil.copytree(
        FIXTURES / name, data_dir, ignore=shutil.ignore_patterns("expected.json", "made.json")
    )
    expected = json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))
    return data_dir, expected


def test_there_is_a_fixture_for_every_earlier_schema() -> None:
    """Every revision before head (the first release had 0001 and 0002 at once). When a
    migration is added, the previous head gets its fixture: make_fixtures.py."""
    made = {json.loads((FIXTURES / n / "expected.json").read_text())["revision"] for n in NAMES}
    wanted = {f"{n:04d}" for n in range(2, int(head_revision()))}
    assert wanted <= made, f"no upgrade fixture for {sorted(wanted - made)}: see make_fixtures.py"
    assert "0002-original" in NAMES  # the first release's 0002, before it was edited


def schema(db: Database) -> dict[str, str]:
    """Every table, index, trigger and view by name, its SQL with spacing normalised."""
    with db.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT type || ' ' || name, sql FROM sqlite_master WHERE name != 'sqlite_sequence'"
        ).all()
    return {str(name): " ".join(str(sql).split()) for name, sql in rows}


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The schema a branch created today gets."""
    db = Database(tmp_path_factory.mktemp("fresh") / DB_NAME, new_key())
    try:
        migrate(db)
        return schema(db)
    finally:
        db.close()


def _reopen(ctx: ServiceContext) -> None:
    # The upgrade must be committed, not only visible to the connection that ran it.
    with ctx.db.read() as conn:
        assert current_revision(conn) == head_revision()


@pytest.mark.parametrize("name", NAMES)
def test_a_branch_from_every_schema_upgrades_with_nothing_lost(
    name: str, tmp_path: Path, fresh_schema: dict[str, str]
) -> None:
    data_dir, before = copy_fixture(name, tmp_path)
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        _reopen(ctx)
        # The same tables, indexes and triggers as a branch created today, to the letter
        # (a migration edited after release left some branches with another shape).
        upgraded = schema(ctx.db)
        assert {k: v for k, v in upgraded.items() if fresh_schema.get(k) != v} == {}
        assert set(fresh_schema) == set(upgraded)
        after = take(data_dir / DB_NAME, fixture_key(data_dir))
        assert lost_or_changed(before, after) == []
        # A branch from before sign-in (nobody has a password or code: schemas 0002 to
        # 0005) is marked so by 0013, and only such a branch: its one added row.
        unclaimed = all(s.get("password_hash") is None for s in before["rows"]["staff"].values())
        assert unclaimed == (before["revision"] <= "0005")
        assert ("auth.unclaimed" in after["rows"]["settings"]) == unclaimed
        for table, _ in KEPT_TABLES:
            if table in before["rows"]:
                added = int(unclaimed) if table == "settings" else 0
                assert after["counts"][table] == before["counts"][table] + added, table
        assert before["counts"]["cases"] >= 10  # the fixture holds a record worth keeping

        report = audit.verify_chain(ctx, actor=ADMIN_NO)
        assert report.ok, report.breaks
        assert report.checked == before["counts"]["audit_log"]
        assert report.checked > 0

        # Every booked appointment is in the appointment book (0009 fills it), and a
        # case without one (stored as the JSON text 'null' before 0009) is not.
        old_cases = before["rows"]["cases"].values()
        booked = {c["id"] for c in old_cases if (c["appointment"] or "null") != "null"}
        assert booked, "the fixture has a case with an appointment"
        with ctx.db.read() as conn:
            in_book = set(conn.exec_driver_sql("SELECT case_id FROM appointments").scalars())
        assert in_book == booked

        # The quality figures read through the indexes they name (0011's, as edited).
        received = [c["received_at"] for c in old_cases]
        since = datetime.fromtimestamp(min(received), ctx.tz)
        figures = quality.report(
            ctx, since=since, until=since + timedelta(days=400), actor=ADMIN_NO
        )
        assert figures.complaints == sum(c["kind"] == "complaint" for c in old_cases)

        # A case sealed into an archive volume opens from it, as archived.
        sealed = [e for e in before["rows"].get("archive_entries", {}).values() if e["volume_id"]]
        keys = archive_keys(data_dir, passphrase=PASSPHRASE)
        for entry in sealed:
            archived = archiving.open_archived(ctx, keys, ref=entry["archive_no"], actor=ADMIN_NO)
            assert archived.number == entry["case_number"]

        # The old cases are found by both search indexes (trigrams, and the characters
        # and pairs of 0002 as edited, which the first release's branches lacked).
        for query in ("李四", "李", "补换SIM"):
            found = {c.customer_name for c in queries.search(ctx, query)}
            assert "李四" in found, query
        # And the branch works: a new case is recorded after the upgrade, and found.
        live = len(queries.search(ctx, "张三"))
        view = cases.intake(ctx, form=complaint_form(), actor=ADMIN_NO)
        assert view.case.number.startswith("GZ0012-")
        assert len(queries.search(ctx, "张三")) == live + 1
    finally:
        ctx.db.close()
