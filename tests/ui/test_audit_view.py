"""The audit trail browser: a lazy model that passes Qt's model checks, filters, the
chosen entry's detail, the CSV export read back (UTF-8 with BOM, Chinese intact), and
the chain check that names the first entry tampered with in the database file."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from branchdesk.services import cases
from branchdesk.services.audit import AuditFilter
from branchdesk.services.recording import write_audit
from tests.conftest import Branch, complaint_form
from tests.support.files import mode, usual_umask
from tests.ui.signing import signed_in
from tests.ui.typing import SHOTS, drain, type_text
from ui import i18n
from ui.audit_model import PAGE_SIZE, AuditModel
from ui.audit_view import AuditView
from ui.worker import DbWorker


def opened(qtbot: QtBot, worker: DbWorker, me: str = "M301") -> AuditView:
    view = AuditView(worker, signed_in(worker.ctx, me))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: not view.model.is_loading())
    return view


def many_entries(branch: Branch, count: int) -> None:
    with branch.ctx.db.write() as conn:
        for i in range(count):
            write_audit(
                branch.ctx,
                conn,
                actor="H201",
                action="case.print",
                case_id=None,
                detail={"copy": i, "note": "补打回执"},
            )


def test_the_model_pages_in_as_the_table_scrolls(
    qtbot: QtBot, qtmodeltester: object, branch: Branch, worker: DbWorker
) -> None:
    many_entries(branch, 2 * PAGE_SIZE + 50)
    # The model alone (the checker outlives any window that would own it).
    model = AuditModel(worker, signed_in(worker.ctx, "M301"))
    model.set_filter(AuditFilter())
    qtbot.waitUntil(lambda: not model.is_loading())
    assert model.rowCount() == PAGE_SIZE and model.total > 2 * PAGE_SIZE + 50
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]
    while model.canFetchMore(QModelIndex()) or model.is_loading():
        model.fetchMore(QModelIndex())
        drain(qtbot, worker)
    # Entries written meanwhile (the sign-in for this session) are not shown twice.
    ids = [model.entry(r).id for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert len(ids) == len(set(ids)) == model.total
    assert ids == sorted(ids, reverse=True)  # newest first
    qtmodeltester.check(model, force_py=True)  # type: ignore[attr-defined]


def test_filters_and_the_detail_of_the_chosen_entry(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    cases.reveal(branch.ctx, number=number, actor="H201")
    view = opened(qtbot, worker)
    view.staff.setCurrentIndex(-1)
    qtbot.waitUntil(lambda: view.staff.findData("H201") >= 0)
    view.staff.setCurrentIndex(view.staff.findData("H201"))
    view.family.setCurrentIndex(view.family.findData("pii"))
    qtbot.waitUntil(lambda: not view.model.is_loading() and view.model.total == 1)
    view.table.selectRow(0)
    text = view.detail.toPlainText()
    assert "pii.reveal" in text and number in text and "H201 刘志强" in text
    assert "Hash" in text or "哈希" in text
    # By case number: intake and the reveal, nothing else.
    view.staff.setCurrentIndex(0)
    view.family.setCurrentIndex(0)
    type_text(view.case_number, number)
    view.apply_filter()
    qtbot.waitUntil(lambda: not view.model.is_loading())
    actions = {view.model.entry(r).action for r in range(view.model.rowCount())}  # type: ignore[union-attr]
    assert actions == {"case.received", "pii.reveal"}
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / "audit_view_zh_CN.png"))


def test_export_writes_csv_that_excel_reads_as_utf8(
    qtbot: QtBot, branch: Branch, worker: DbWorker, tmp_path: Path
) -> None:
    cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    view = opened(qtbot, worker)
    out = tmp_path / "审计.csv"
    with usual_umask(), qtbot.waitSignal(view.exported) as exported:
        view.export_to(out)
    assert mode(out) == 0o600  # it names staff and cases: its exporter's alone
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [
        "id",
        "time",
        "staff_no",
        "name",
        "workstation",
        "action",
        "case",
        "detail",
        "hash",
    ]
    assert len(rows) - 1 == exported.args[0] >= 4
    names = {row[3] for row in rows[1:]}
    assert {"管理员", "刘志强", "吴海涛"} <= names
    assert "exported" in view.outcome.text() or "导出" in view.outcome.text()


def test_verify_says_intact_then_names_the_tampered_entry(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    view = opened(qtbot, worker)
    with qtbot.waitSignal(view.verified) as verified:
        view.verify_button.click()
    assert verified.args[0].ok
    intact = view.outcome.text()
    assert str(verified.args[0].checked) in intact
    # Someone edits an entry straight in the database file, past its guard.
    with branch.ctx.db.write() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        target = conn.exec_driver_sql(
            "SELECT id FROM audit_log WHERE action = 'staff.add' ORDER BY id LIMIT 1"
        ).scalar_one()
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'M301' WHERE id = ?", (target,))
    with qtbot.waitSignal(view.verified) as verified:
        view.verify_button.click()
    report = verified.args[0]
    assert not report.ok
    text = view.outcome.text()
    assert f"#{target}（" in text  # the first broken entry, by number
    assert i18n.current() == "zh_CN" and text != intact
    i18n.set_language("en")
    qtbot.waitUntil(lambda: "tampered" in view.outcome.text())
    text = view.outcome.text()
    assert f"First broken entry: #{target} " in text
    assert "its content was changed after it was written" in text
    assert "protection against changing entries has been removed" in text
    view.grab().save(str(SHOTS / "audit_view_verify_en.png"))


def test_a_handler_is_told_who_may_read_it(qtbot: QtBot, worker: DbWorker) -> None:
    view = AuditView(worker, signed_in(worker.ctx, "H201"))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(view.outcome.text()))
    assert "营业厅经理" in view.outcome.text() and "管理员" in view.outcome.text()
    assert view.model.rowCount() == 0
    assert not view.export_button.isVisibleTo(view)


def test_actions_are_told_in_words(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    i18n.set_language("zh_CN")
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    cases.act(branch.ctx, number=number, action="acknowledge", params={}, actor="A001")
    view = opened(qtbot, worker)
    column = view.model.columnCount() and 3  # "action" (see ui.audit_model.COLUMNS)
    shown = {view.model.data(view.model.index(row, column)) for row in range(view.model.rowCount())}
    # The sign-in of this session, the intake and the acknowledgement, in words.
    assert {"登录", "受理登记", "确认受理"} <= shown, shown
    assert not any(str(text).startswith(("auth.", "case.")) for text in shown)
