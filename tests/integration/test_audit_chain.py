"""Tampering with the audit trail in the real, encrypted database file, the way someone
holding the branch key could: through a raw SQLCipher connection, past the
append-only triggers. `verify_chain` must find every kind of change and name the
entry where it starts; `branchdesk audit verify` must exit 7 and say so in words.
Also the audit commands of the command line: list filters and the CSV export."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import select

from branchdesk.bootstrap import CONFIG_NAME, DB_NAME, InstallConfig
from branchdesk.persistence.schema import audit_log
from branchdesk.secrets import SecretStore, default_secret_store
from branchdesk.services import audit, auth, cases
from branchdesk.services.audit import BreakKind, ChainBreak, VerifyReport
from branchdesk.services.auth import SignInError
from branchdesk.services.recording import audit_hash
from tests.conftest import PASSWORD, TZ, Branch, complaint_form
from tests.integration.conftest import Cli

TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
COLUMNS = "at, actor, workstation, action, case_id, detail, prev_hash, hash"


@pytest.fixture(autouse=True)
def _cheap_unknown_staff_check(
    _fast_password_hashing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown staff numbers are checked against a hash made at import time with the
    production cost (0.1-0.3 s each); these tests make many such attempts."""
    monkeypatch.setattr(auth, "_DUMMY_HASH", auth.HASHER.hash("not a password"))


# --- the tamperer's tools ------------------------------------------------------------------


@contextmanager
def raw_db(data_dir: Path, store: SecretStore) -> Iterator[sqlcipher.Connection]:
    """A plain SQLCipher connection to the branch file, keyed as the application keys
    it (persistence.database), in autocommit mode."""
    config = InstallConfig.from_json(json.loads((data_dir / CONFIG_NAME).read_text("utf-8")))
    key = store.get(config.secret_name)
    assert key is not None
    conn = sqlcipher.connect(str(data_dir / DB_NAME), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA busy_timeout = 5000")
        yield conn
    finally:
        conn.close()


@contextmanager
def tampering(data_dir: Path, store: SecretStore, *, restore: bool = True) -> Iterator[Any]:
    """Drop the append-only triggers, hand over the connection, and (as a careful
    tamperer would) put the triggers back exactly as they were afterwards."""
    with raw_db(data_dir, store) as conn:
        saved = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        ).fetchall()
        assert {name for name, _ in saved} == set(TRIGGERS)
        for name in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        yield conn
        if restore:
            for _, sql in saved:
                conn.execute(sql)


def row(conn: Any, audit_id: int) -> tuple[Any, ...]:
    found = conn.execute(f"SELECT {COLUMNS} FROM audit_log WHERE id = ?", (audit_id,)).fetchone()
    assert found is not None
    return tuple(found)


def entry_hash(prev_hash: str, values: tuple[Any, ...]) -> str:
    """An entry's hash from its stored columns, as `write_audit` computes it."""
    at, actor, workstation, action, case_id, detail = values[:6]
    content = {
        "at": at,
        "actor": actor,
        "workstation": workstation,
        "action": action,
        "case_id": case_id,
        "detail": json.loads(detail),
    }
    return audit_hash(prev_hash, content)


def rechain(conn: Any, from_id: int) -> None:
    """Recompute every hash from `from_id` on, so the chain is consistent again."""
    prev = conn.execute(
        "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", (from_id,)
    )
    prev_hash = prev.fetchone()[0]
    ids = [
        r[0] for r in conn.execute("SELECT id FROM audit_log WHERE id >= ? ORDER BY id", (from_id,))
    ]
    for audit_id in ids:
        new = entry_hash(prev_hash, row(conn, audit_id))
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev_hash, new, audit_id)
        )
        prev_hash = new


def last_id(branch: Branch) -> int:
    with branch.ctx.db.read() as conn:
        found = conn.execute(select(audit_log.c.id).order_by(audit_log.c.id.desc())).scalar()
        assert found is not None
        return int(found)


def verify(branch: Branch) -> VerifyReport:
    return audit.verify_chain(branch.ctx, actor="A001")


def only(report: VerifyReport) -> ChainBreak:
    assert len(report.breaks) == 1, report.breaks
    return report.breaks[0]


@pytest.fixture
def chain(branch: Branch) -> Branch:
    """The branch with a few dozen entries of different kinds."""
    for i in range(6):
        branch.clock.advance(minutes=7)
        view = cases.intake(branch.ctx, form=complaint_form(), actor="A001")
        cases.reveal(branch.ctx, number=view.case.number, actor="A001")
        auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
        with pytest.raises(SignInError):
            auth.sign_in(branch.ctx, staff_no=f"X{i:03d}", password="nope")
        auth.create_token(branch.ctx, label=f"夜间导出 {i}", actor="M301")
    return branch


# --- nothing touched -------------------------------------------------------------------------


def test_an_untouched_chain_of_hundreds_of_mixed_entries_verifies(branch: Branch) -> None:
    for i in range(70):
        branch.clock.advance(minutes=3)
        view = cases.intake(branch.ctx, form=complaint_form(), actor="A001")
        if i % 2:
            cases.act(
                branch.ctx,
                number=view.case.number,
                action="add_note",
                params={"text": f"客户来电补充说明 {i}"},
                actor="A001",
            )
        cases.reveal(branch.ctx, number=view.case.number, actor="M301")
        auth.sign_in(branch.ctx, staff_no="H201", password=PASSWORD)
        with pytest.raises(SignInError):
            auth.sign_in(branch.ctx, staff_no="无此人", password="x")
        if i % 10 == 0:
            auth.create_token(branch.ctx, label=f"脚本 “{i}”\n", actor="H201")
    before = last_id(branch)
    assert before > 300
    report = verify(branch)
    assert report.ok and report.first_break is None
    assert report.checked == before
    assert report.head is not None and report.head.audit_id == before
    actions = {
        e.action
        for e in audit.browse(branch.ctx, actor="A001", filter=audit.AuditFilter(), limit=1000)
    }
    assert {"case.received", "case.add_note", "pii.reveal", "auth.sign_in"} <= actions
    assert {"auth.sign_in_failed", "auth.token_created", "staff.add"} <= actions


def test_verify_is_audited_with_its_outcome(chain: Branch) -> None:
    report = verify(chain)
    entry = audit.browse(chain.ctx, actor="A001", filter=audit.AuditFilter(), limit=1)[0]
    assert (entry.action, entry.actor) == ("audit.verify", "A001")
    assert entry.detail == {"checked": report.checked, "ok": True, "first_break": None}
    # The verify entry is itself part of the chain the next verify checks.
    assert verify(chain).checked == report.checked + 1

    with tampering(chain.data_dir, chain.store) as conn:
        conn.execute("UPDATE audit_log SET actor = 'M301' WHERE id = 5")
    verify(chain)
    entry = audit.browse(chain.ctx, actor="A001", filter=audit.AuditFilter(), limit=1)[0]
    assert entry.detail["ok"] is False
    assert entry.detail["first_break"] == {"kind": "edited", "id": 5}


def test_only_roles_that_may_verify_can(chain: Branch) -> None:
    from branchdesk.domain.permissions import PermissionDenied

    with pytest.raises(PermissionDenied) as caught:
        audit.verify_chain(chain.ctx, actor="H201")
    assert "admin" in caught.value.params["roles"]


# --- the database's own guard ----------------------------------------------------------------


def test_the_triggers_refuse_update_and_delete(chain: Branch) -> None:
    with raw_db(chain.data_dir, chain.store) as conn:
        with pytest.raises(sqlcipher.DatabaseError, match="append-only"):
            conn.execute("UPDATE audit_log SET actor = 'M301' WHERE id = 3")
        with pytest.raises(sqlcipher.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit_log WHERE id = 3")
        with pytest.raises(sqlcipher.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
    with (
        pytest.raises(sqlalchemy.exc.IntegrityError, match="append-only"),
        chain.ctx.db.write() as conn,
    ):
        conn.execute(audit_log.update().where(audit_log.c.id == 3).values(actor="M301"))
    assert verify(chain).ok


def test_dropped_triggers_alone_are_reported(chain: Branch) -> None:
    with tampering(chain.data_dir, chain.store, restore=False):
        pass
    report = verify(chain)
    assert only(report) == ChainBreak(BreakKind.UNPROTECTED, 0)


def test_dropped_triggers_are_reported_before_the_tampering_they_allowed(chain: Branch) -> None:
    with tampering(chain.data_dir, chain.store, restore=False) as conn:
        conn.execute("DELETE FROM audit_log WHERE id = 10")
    kinds = [(b.kind, b.audit_id) for b in verify(chain).breaks]
    assert kinds == [(BreakKind.UNPROTECTED, 0), (BreakKind.GAP, 11)]


# --- edited ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        "detail = json_set(detail, '$.number', 'GZ0012-20261125-9999')",
        "detail = json_set(detail, '$.extra', 1)",
        "actor = 'M301'",
        "at = at - 3600",
        "action = 'case.add_note'",
        "workstation = 'OTHER-PC'",
        "case_id = NULL",
    ],
)
def test_an_edited_entry_is_named(chain: Branch, change: str) -> None:
    target = 20
    with tampering(chain.data_dir, chain.store) as conn:
        before = row(conn, target)
        conn.execute(f"UPDATE audit_log SET {change} WHERE id = ?", (target,))
        assert row(conn, target) != before
    found = only(verify(chain))
    assert (found.kind, found.audit_id) == (BreakKind.EDITED, target)


def test_the_edited_entry_is_described(chain: Branch) -> None:
    with tampering(chain.data_dir, chain.store) as conn:
        at, actor, _, action, *_ = row(conn, 12)
        conn.execute("UPDATE audit_log SET detail = json_set(detail, '$.x', 1) WHERE id = 12")
    found = only(verify(chain))
    assert (found.action, found.actor) == (action, actor)
    assert found.at is not None and int(found.at.timestamp()) == at


def test_reformatted_but_equal_detail_is_not_a_break(chain: Branch) -> None:
    # The chain covers the content, not how SQLite happens to spell the JSON.
    with tampering(chain.data_dir, chain.store) as conn:
        (detail,) = conn.execute("SELECT detail FROM audit_log WHERE id = 15").fetchone()
        spaced = json.dumps(json.loads(detail), indent=2, ensure_ascii=True)
        conn.execute("UPDATE audit_log SET detail = ? WHERE id = 15", (spaced,))
    assert verify(chain).ok


def test_an_edited_entry_with_its_own_hash_recomputed_breaks_the_next_link(chain: Branch) -> None:
    target = 20
    with tampering(chain.data_dir, chain.store) as conn:
        conn.execute("UPDATE audit_log SET actor = 'M301' WHERE id = ?", (target,))
        values = row(conn, target)
        conn.execute(
            "UPDATE audit_log SET hash = ? WHERE id = ?", (entry_hash(values[6], values), target)
        )
    found = only(verify(chain))
    assert (found.kind, found.audit_id, found.previous_id) == (BreakKind.LINK, target + 1, target)


# --- deleted -----------------------------------------------------------------------------------


def test_a_deleted_entry_leaves_a_gap_named_by_both_neighbours(chain: Branch) -> None:
    with tampering(chain.data_dir, chain.store) as conn:
        conn.execute("DELETE FROM audit_log WHERE id IN (20, 21)")
    found = only(verify(chain))
    assert (found.kind, found.audit_id, found.previous_id) == (BreakKind.GAP, 22, 19)


def test_a_deleted_entry_with_the_numbers_closed_up_breaks_the_link(chain: Branch) -> None:
    with tampering(chain.data_dir, chain.store) as conn:
        conn.execute("DELETE FROM audit_log WHERE id = 20")
        conn.execute("UPDATE audit_log SET id = -(id - 1) WHERE id > 20")
        conn.execute("UPDATE audit_log SET id = -id WHERE id < 0")
    found = only(verify(chain))
    assert (found.kind, found.audit_id, found.previous_id) == (BreakKind.LINK, 20, 19)


def test_the_first_entry_deleted_is_found(chain: Branch) -> None:
    with tampering(chain.data_dir, chain.store) as conn:
        conn.execute("DELETE FROM audit_log WHERE id = 1")
    found = only(verify(chain))
    assert (found.kind, found.audit_id) == (BreakKind.LINK, 2)


# --- inserted ----------------------------------------------------------------------------------


def _make_room(conn: Any, after: int) -> None:
    """Move every entry after `after` one number up (in two steps: ids are unique)."""
    conn.execute("UPDATE audit_log SET id = -id WHERE id > ?", (after,))
    conn.execute("UPDATE audit_log SET id = -id + 1 WHERE id < 0")


def test_a_forged_entry_is_named(chain: Branch) -> None:
    with tampering(chain.data_dir, chain.store) as conn:
        _make_room(conn, 20)
        at, _, workstation, *_ = row(conn, 20)
        conn.execute(
            f"INSERT INTO audit_log (id, {COLUMNS}) VALUES (21, ?, 'H201', ?, 'auth.sign_in', "
            'NULL, \'{"method":"password"}\', ?, ?)',
            (at + 1, workstation, "f" * 64, "e" * 64),
        )
    report = verify(chain)
    assert report.first_break is not None
    assert (report.first_break.kind, report.first_break.audit_id) == (BreakKind.LINK, 21)
    assert (BreakKind.EDITED, 21) in {(b.kind, b.audit_id) for b in report.breaks}


def test_a_carefully_forged_entry_is_named_by_the_next_one(chain: Branch) -> None:
    # The forger links the entry to its predecessor and hashes it correctly; the
    # entry after it still points at the predecessor, and says which entry it does
    # not follow.
    with tampering(chain.data_dir, chain.store) as conn:
        _make_room(conn, 20)
        at, _, workstation, _, _, _, _, prev = row(conn, 20)
        values = (at + 1, "H201", workstation, "auth.sign_in", None, '{"method":"password"}')
        conn.execute(
            f"INSERT INTO audit_log (id, {COLUMNS}) VALUES (21, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, prev, entry_hash(prev, values)),
        )
    found = only(verify(chain))
    assert (found.kind, found.audit_id, found.previous_id) == (BreakKind.LINK, 22, 21)


# --- reordered ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [(20, 21), (14, 30)])
def test_swapped_entries_are_found_at_the_first_one(chain: Branch, first: int, second: int) -> None:
    with tampering(chain.data_dir, chain.store) as conn:
        a, b = row(conn, first), row(conn, second)
        assignments = ", ".join(f"{c.strip()} = ?" for c in COLUMNS.split(","))
        conn.execute("BEGIN")
        conn.execute(f"UPDATE audit_log SET {assignments} WHERE id = ?", (*b, first))
        conn.execute(f"UPDATE audit_log SET {assignments} WHERE id = ?", (*a, second))
        conn.execute("COMMIT")
    report = verify(chain)
    assert report.first_break is not None
    assert (report.first_break.kind, report.first_break.audit_id) == (BreakKind.LINK, first)
    assert all(b.kind is BreakKind.LINK for b in report.breaks)


# --- anchored by headquarters -------------------------------------------------------------------


def _anchor_head(branch: Branch) -> int:
    with branch.ctx.db.write() as conn:
        head = audit.audit_head(conn)
        assert head is not None
        audit.record_anchor(branch.ctx, conn, head)
        audit.record_anchor(branch.ctx, conn, head)  # idempotent
    return head.audit_id


def test_an_anchored_head_deleted_is_found(chain: Branch) -> None:
    head = _anchor_head(chain)
    assert verify(chain).anchors_checked == 1
    with tampering(chain.data_dir, chain.store) as conn:
        # The verify just now wrote an entry after the head: remove both, leaving a
        # chain that is consistent on its own.
        conn.execute("DELETE FROM audit_log WHERE id >= ?", (head,))
    found = only(verify(chain))
    assert (found.kind, found.audit_id) == (BreakKind.ANCHOR, head)


def test_history_rewritten_consistently_after_an_anchor_is_found(chain: Branch) -> None:
    head = _anchor_head(chain)
    with tampering(chain.data_dir, chain.store) as conn:
        conn.execute("UPDATE audit_log SET actor = 'M301' WHERE id = 10")
        rechain(conn, 10)
    found = only(verify(chain))
    assert (found.kind, found.audit_id) == (BreakKind.ANCHOR, head)


def test_history_after_the_anchor_can_still_grow(chain: Branch) -> None:
    _anchor_head(chain)
    cases.intake(chain.ctx, form=complaint_form(), actor="A001")
    report = verify(chain)
    assert report.ok and report.anchors_checked == 1


# --- the command line ------------------------------------------------------------------------


NEW_CASE = [
    "case",
    "new",
    "--kind",
    "complaint",
    "--category",
    "technical/network",
    "--name",
    "张三",
    "--phone",
    "13812345678",
    "--summary",
    "家中信号弱经常掉线",
    "--remedy",
    "尽快解决",
    "--json",
]


def _cli_store() -> SecretStore:
    store = default_secret_store()
    assert store is not None
    return store


def test_cli_verify_ok_then_exit_7_naming_the_edited_entry(cli: Cli) -> None:
    for _ in range(3):
        assert cli(*NEW_CASE)[0] == 0
    assert cli.json("audit", "verify")["ok"] is True
    with tampering(cli.data_dir, _cli_store()) as conn:
        conn.execute("UPDATE audit_log SET detail = json_set(detail, '$.seq', 9) WHERE id = 6")
        _, actor, _, action, *_ = row(conn, 6)

    code, out, err = cli("--lang", "en", "audit", "verify")
    assert code == 7
    assert "entry 6 (" in err and "edited" in err and action in err and actor in err
    code, out, err = cli("--lang", "zh_CN", "audit", "verify")
    assert code == 7
    assert "第 6 条" in err and "已被修改" in err
    code, out, err = cli("--lang", "en", "audit", "verify", "--json")
    assert code == 7
    report = json.loads(out)
    assert (report["ok"], report["first_break"], report["first_break_kind"]) == (False, 6, "edited")


def test_cli_verify_names_both_ends_of_a_gap(cli: Cli) -> None:
    for _ in range(2):
        assert cli(*NEW_CASE)[0] == 0
    with tampering(cli.data_dir, _cli_store()) as conn:
        conn.execute("DELETE FROM audit_log WHERE id = 5")
    code, _, err = cli("--lang", "en", "audit", "verify")
    assert code == 7
    assert "entry 4 is followed by entry 6" in err
    code, _, err = cli("--lang", "zh_CN", "audit", "verify")
    assert code == 7
    assert "第 4 条之后直接是第 6 条" in err


def test_cli_verify_reports_removed_triggers(cli: Cli) -> None:
    with tampering(cli.data_dir, _cli_store(), restore=False):
        pass
    code, _, err = cli("--lang", "en", "audit", "verify")
    assert code == 7 and "triggers" in err


def _days(n: int) -> str:
    return (datetime.now(TZ) + timedelta(days=n)).date().isoformat()


def test_cli_audit_list_filters(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    number = cli.json(*NEW_CASE)["case"]["number"]
    cli.json(*NEW_CASE)
    assert cli("case", "reveal", number)[0] == 0
    with monkeypatch.context() as m:
        m.setenv("BRANCHDESK_STAFF", "Z999")
        assert cli("case", "list")[0] == 6

    everything = cli.json("audit", "list", "--limit", "500")
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids, reverse=True)
    assert {e["action"] for e in everything} >= {"case.received", "pii.reveal", "auth.sign_in"}

    by_z = cli.json("audit", "list", "--staff", "Z999")
    assert [(e["staff_no"], e["action"]) for e in by_z] == [("Z999", "auth.sign_in_failed")]
    of_cases = cli.json("audit", "list", "--action", "case")
    assert [e["action"] for e in of_cases] == ["case.received", "case.received"]
    about = cli.json("audit", "list", "--case", number)
    assert [e["action"] for e in about] == ["pii.reveal", "case.received"]
    assert all(e["case"] == number for e in about)
    reveals = cli.json("audit", "list", "--action", "pii.reveal")
    assert [(e["staff_no"], e["name"]) for e in reveals] == [("A001", "管理员")]
    assert cli.json("audit", "list", "--since", _days(1)) == []
    assert cli.json("audit", "list", "--until", _days(-1)) == []
    assert len(
        cli.json("audit", "list", "--since", _days(-1), "--until", _days(1), "--limit", "500")
    ) >= len(everything)
    assert len(cli.json("audit", "list", "--limit", "2")) == 2


def test_cli_audit_export_reads_back_as_csv_and_is_audited(cli: Cli, tmp_path: Path) -> None:
    number = cli.json(*NEW_CASE)["case"]["number"]
    target = tmp_path / "审计.csv"
    result = cli.json("audit", "export", "--out", str(target), "--action", "case")
    assert result == {"file": str(target), "rows": 1}
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(audit.EXPORT_COLUMNS)
    (only_row,) = rows
    assert (only_row["action"], only_row["case"], only_row["staff_no"]) == (
        "case.received",
        number,
        "A001",
    )
    assert only_row["name"] == "管理员"
    assert json.loads(only_row["detail"])["number"] == number
    assert datetime.fromisoformat(only_row["time"]).utcoffset() == timedelta(hours=8)
    assert len(only_row["hash"]) == 64

    everything = tmp_path / "all.csv"
    total = cli.json("audit", "export", "--out", str(everything))["rows"]
    with everything.open(encoding="utf-8-sig", newline="") as f:
        ids = [int(r["id"]) for r in csv.DictReader(f)]
    assert len(ids) == total and ids == sorted(ids)

    exports = cli.json("audit", "list", "--action", "audit.export")
    assert len(exports) == 2
    with_filter = exports[-1]
    assert with_filter["staff_no"] == "A001"
    export_id = with_filter["id"]
    verify_csv = tmp_path / "check.csv"
    cli.json("audit", "export", "--out", str(verify_csv), "--action", "audit.export")
    with verify_csv.open(encoding="utf-8-sig", newline="") as f:
        first = next(r for r in csv.DictReader(f) if int(r["id"]) == export_id)
    assert json.loads(first["detail"]) == {"rows": 1, "filter": {"action": "case"}}
