"""Exports of case lists and figure tables: the files as a spreadsheet program reads
them (openpyxl, csv), masking by permission, the audit entry, cancelling, and
selections by ids and by filters."""

from __future__ import annotations

import csv
import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from branchdesk.domain.errors import ValidationError
from branchdesk.domain.model import Customer
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.persistence.schema import audit_log
from branchdesk.services import cases, export_files, exports, staff
from branchdesk.services.exports import CaseSelection, ExportCancelled
from tests.conftest import TZ, Branch, activate, complaint_form

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def people(branch: Branch) -> Branch:
    """Besides A001, H201 (handler) and M301 (manager): clerk C101, archivist R901 and
    an administrator without any other role, D901."""
    for staff_no, name, role in (
        ("C101", "王丽", "clerk"),
        ("R901", "孙敏", "archivist"),
        ("D901", "赵强", "admin"),
    ):
        new = staff.add_staff(branch.ctx, staff_no=staff_no, name=name, roles=(role,), actor="A001")
        activate(branch.ctx, staff_no, new.one_time_code)
    return branch


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder for the exported files (the branch's own folder is beside it)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def _customer(name: str, phone: str, **extra: Any) -> Customer:
    return Customer(name=name, phone=phone, **extra)


def _cases(branch: Branch) -> list[str]:
    """Three cases received a day apart: a complaint (acknowledged) with an ID number
    and a mobile as service number; a major complaint; a consultation."""
    ctx = branch.ctx
    numbers = [
        cases.intake(
            ctx,
            form=complaint_form(
                customer=_customer(
                    "张三", "13812345678", id_number=ID_NUMBER, service_number="13900001111"
                )
            ),
            actor="A001",
        ).case.number
    ]
    branch.clock.advance(days=1)
    numbers.append(
        cases.intake(
            ctx,
            form=complaint_form(
                grade="major",
                category="policy/tariff",
                customer=_customer("李四", "020-12345678", service_number="KD0200012345"),
                summary='=HYPERLINK("http://x")话费多扣',
            ),
            actor="A001",
        ).case.number
    )
    branch.clock.advance(days=1)
    numbers.append(
        cases.intake(
            ctx,
            form=complaint_form(
                kind="consultation",
                category="consultation/roaming",
                remedy="",
                customer=_customer("王五", "13600002222"),
                summary="咨询国际漫游资费",
            ),
            actor="A001",
        ).case.number
    )
    cases.act(ctx, number=numbers[0], action="acknowledge", params={}, actor="A001")
    return numbers


def _xlsx(path: Path) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    return list(book.active.iter_rows(values_only=True))


def _csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 Chinese right
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _audit(branch: Branch, action: str) -> list[dict[str, Any]]:
    with branch.ctx.db.read() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.id)
        ).all()
    return [{"actor": r.actor, **dict(r.detail)} for r in rows]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_xlsx_of_a_case_list_masked_in_english(people: Branch, out: Path) -> None:
    numbers = _cases(people)
    target = out / "out" / "cases.xlsx"
    target.parent.mkdir()
    result = exports.export_cases(
        people.ctx,
        actor="M301",
        selection=CaseSelection(description="case list: all cases"),
        path=target,
        fmt="xlsx",
        lang="en",
    )
    assert (result.rows, result.masked, result.format, result.path) == (3, True, "xlsx", target)
    rows = _xlsx(target)
    header = rows[0]
    assert header[:6] == ("Case no.", "Kind", "Channel", "Category", "Grade", "State")
    assert len(header) == len(exports.CASE_COLUMNS)
    col = {key: header.index(name) for key, name in zip(exports.CASE_COLUMNS, header, strict=True)}
    # Newest first, as the case list.
    assert [r[0] for r in rows[1:]] == list(reversed(numbers))
    consultation, major, first = rows[1:]
    assert first[col["kind"]] == "Complaint" and consultation[col["kind"]] == "Consultation"
    assert first[col["state"]] == "Acknowledged"
    assert consultation[col["state"]] == "Received"
    assert major[col["grade"]] == "Major"
    assert major[col["category"]] == "Policy / Tariffs"
    assert first[col["closed"]] == "no"
    assert first[col["customer_name"]] == "张三"
    assert first[col["phone"]] == "138****5678"
    assert first[col["id_number"]] == "1101**********002X"
    assert first[col["service_number"]] == "139****1111"  # a mobile: masked like a phone
    assert major[col["phone"]] == "020-****5678"
    assert major[col["service_number"]] == "KD0200012345"  # an account: not personal
    assert first[col["owner"]] == "A001 管理员"
    # A summary that looks like a formula stays text.
    assert major[col["summary"]] == '=HYPERLINK("http://x")话费多扣'
    received = first[col["received_at"]]
    assert isinstance(received, datetime) and received.tzinfo is None
    assert received == datetime(2026, 11, 25, 9, 30)  # branch local time
    sheet = openpyxl.load_workbook(target).active
    assert sheet.cell(2, col["received_at"] + 1).number_format == exports.XLSX_DATE_FORMAT
    assert sheet.cell(3, col["summary"] + 1).data_type == "s"
    assert _files(target.parent) == ["cases.xlsx"]  # no temporary file left beside it

    [entry] = _audit(people, "cases.export")
    assert entry["actor"] == "M301"
    assert entry["rows"] == 3 and entry["masked"] is True and entry["format"] == "xlsx"
    assert entry["selection"] == "case list: all cases" and entry["filters"] == {}
    text = json.dumps(entry, ensure_ascii=False)
    for personal in ("13812345678", "张三", ID_NUMBER, "13900001111"):
        assert personal not in text


def test_csv_in_chinese_with_bom_and_iso_times(people: Branch, out: Path) -> None:
    numbers = _cases(people)
    target = out / "工单.csv"
    result = exports.export_cases(
        people.ctx,
        actor="M301",
        selection=CaseSelection(description="all"),
        path=target,
        fmt="csv",
        lang="zh_CN",
    )
    assert result.rows == 3
    header, *rows = _csv(target)
    assert header[:6] == ["工单编号", "类型", "受理渠道", "分类", "等级", "状态"]
    col = {key: i for i, key in enumerate(exports.CASE_COLUMNS)}
    first = rows[-1]
    assert first[col["number"]] == numbers[0]
    assert first[col["kind"]] == "投诉" and first[col["state"]] == "已确认"
    assert first[col["category"]] == "服务技术 / 网络"
    assert rows[0][col["kind"]] == "咨询" and rows[0][col["state"]] == "已受理"
    assert rows[1][col["grade"]] == "重大"
    assert first[col["closed"]] == "否"
    assert first[col["phone"]] == "138****5678"
    assert first[col["received_at"]] == "2026-11-25T09:30:00+08:00"
    assert first[col["next_milestone"]] == "初步调查"  # acknowledged: investigation next
    # Excel would run a leading "=" as a formula: the apostrophe keeps it text.
    assert rows[1][col["summary"]].startswith("'=HYPERLINK")
    assert _audit(people, "cases.export")[0]["language"] == "zh_CN"


def test_full_personal_data_for_a_manager_who_asks(people: Branch, out: Path) -> None:
    _cases(people)
    target = out / "full.csv"
    result = exports.export_cases(
        people.ctx,
        actor="M301",
        selection=CaseSelection(),
        path=target,
        fmt="csv",
        lang="en",
        unmasked=True,
    )
    assert result.masked is False
    _, *rows = _csv(target)
    col = {key: i for i, key in enumerate(exports.CASE_COLUMNS)}
    first = rows[-1]
    assert first[col["phone"]] == "13812345678"
    assert first[col["id_number"]] == ID_NUMBER
    assert first[col["service_number"]] == "13900001111"
    assert _audit(people, "cases.export")[0]["masked"] is False


def test_full_personal_data_is_refused_not_quietly_masked(people: Branch, out: Path) -> None:
    _cases(people)
    target = out / "full.xlsx"
    # The administrator may export (masked) but never sees full personal data.
    exports.export_cases(
        people.ctx, actor="D901", selection=CaseSelection(), path=target, fmt="xlsx"
    )
    target.unlink()
    with pytest.raises(PermissionDenied) as refused:
        exports.export_cases(
            people.ctx,
            actor="D901",
            selection=CaseSelection(),
            path=target,
            fmt="xlsx",
            unmasked=True,
        )
    assert "manager" in str(refused.value.params)
    assert _files(out) == []
    assert len(_audit(people, "cases.export")) == 1  # only the masked one


@pytest.mark.parametrize("who", ["C101", "H201", "R901"])
def test_counter_staff_may_not_export(people: Branch, out: Path, who: str) -> None:
    _cases(people)
    with pytest.raises(PermissionDenied):
        exports.export_cases(
            people.ctx, actor=who, selection=CaseSelection(), path=out / "x.csv", fmt="csv"
        )
    with pytest.raises(PermissionDenied):
        exports.export_table(
            people.ctx,
            actor=who,
            title="t",
            headers=["a"],
            rows=[[1]],
            path=out / "t.csv",
            fmt="csv",
        )
    assert _files(out) == []
    assert _audit(people, "cases.export") == []


def test_export_rights_say_what_the_desktop_may_offer(people: Branch) -> None:
    ctx = people.ctx
    assert exports.export_rights(ctx, "M301") == exports.ExportRights(True, True, True)
    assert exports.export_rights(ctx, "D901") == exports.ExportRights(True, False, True)
    assert exports.export_rights(ctx, "H201") == exports.ExportRights(False, False, False)
    assert exports.export_rights(ctx, "C101") == exports.ExportRights(False, False, False)
    assert exports.export_rights(ctx, "R901") == exports.ExportRights(False, False, False)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cancel_leaves_no_file_and_no_audit_entry(
    people: Branch, out: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(exports, "CHUNK", 2)
    for _ in range(5):
        cases.intake(people.ctx, form=complaint_form(), actor="A001")
    target = out / f"cases.{fmt}"
    target.write_text("yesterday's export")  # an older file stays as it was
    seen: list[tuple[int, int]] = []
    with pytest.raises(ExportCancelled):
        exports.export_cases(
            people.ctx,
            actor="M301",
            selection=CaseSelection(),
            path=target,
            fmt=fmt,
            progress=lambda done, total: seen.append((done, total)),
            cancelled=lambda: len(seen) >= 2,
        )
    assert seen == [(0, 5), (2, 5)]
    assert _files(out) == [target.name]
    assert target.read_text() == "yesterday's export"
    assert _audit(people, "cases.export") == []


def test_progress_every_chunk_until_done(
    people: Branch, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "CHUNK", 2)
    for _ in range(5):
        cases.intake(people.ctx, form=complaint_form(), actor="A001")
    seen: list[tuple[int, int]] = []
    result = exports.export_cases(
        people.ctx,
        actor="M301",
        selection=CaseSelection(),
        path=out / "cases.xlsx",
        fmt="xlsx",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert result.rows == 5 and len(_xlsx(out / "cases.xlsx")) == 6


def test_a_file_that_cannot_be_put_in_place_is_not_audited(
    people: Branch, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cases(people)

    def refuse(src: object, dst: object) -> None:
        raise PermissionError("locked by another program")

    monkeypatch.setattr(exports.os, "replace", refuse)
    with pytest.raises(ValidationError) as bad:
        exports.export_cases(
            people.ctx,
            actor="M301",
            selection=CaseSelection(),
            path=out / "cases.csv",
            fmt="csv",
        )
    assert [e.field for e in bad.value.errors] == ["path"]
    assert _files(out) == []
    assert _audit(people, "cases.export") == []


def test_ids_in_the_order_given(people: Branch, out: Path) -> None:
    numbers = _cases(people)
    with people.ctx.db.read() as conn:
        ids = {
            n: conn.exec_driver_sql("SELECT id FROM cases WHERE number = ?", (n,)).scalar_one()
            for n in numbers
        }
    wanted = (ids[numbers[0]], 999_999, ids[numbers[2]], ids[numbers[0]])
    selection = CaseSelection(ids=wanted, description="dashboard: overdue")
    assert exports.count_cases(people.ctx, selection) == 2
    target = out / "drill.csv"
    result = exports.export_cases(
        people.ctx, actor="M301", selection=selection, path=target, fmt="csv", lang="en"
    )
    assert result.rows == 2
    assert [r[0] for r in _csv(target)[1:]] == [numbers[0], numbers[2]]
    entry = _audit(people, "cases.export")[0]
    assert entry["ids"] == 4 and entry["selection"] == "dashboard: overdue"
    # Ids narrowed by a filter.
    narrowed = CaseSelection(ids=wanted, kind="consultation")
    assert exports.count_cases(people.ctx, narrowed) == 1
    exports.export_cases(
        people.ctx, actor="M301", selection=narrowed, path=out / "n.csv", fmt="csv"
    )
    assert [r[0] for r in _csv(out / "n.csv")[1:]] == [numbers[2]]


def _exported(branch: Branch, folder: Path, selection: CaseSelection) -> list[str]:
    target = folder / "f.csv"
    exports.export_cases(branch.ctx, actor="M301", selection=selection, path=target, fmt="csv")
    numbers = [r[0] for r in _csv(target)[1:]]
    assert exports.count_cases(branch.ctx, selection) == len(numbers)
    return numbers


def test_filters(people: Branch, out: Path) -> None:
    first, major, consultation = _cases(people)
    cases.act(
        people.ctx, number=first, action="cancel", params={"reason": "客户撤诉"}, actor="A001"
    )
    for action, params in (("acknowledge", {}), ("assign", {"to": "H201"})):
        cases.act(people.ctx, number=major, action=action, params=params, actor="A001")

    def run(**filters: Any) -> set[str]:
        return set(_exported(people, out, CaseSelection(**filters)))

    assert run() == {first, major, consultation}
    assert run(state="received") == {consultation}
    assert run(kind="complaint") == {first, major}
    assert run(grade="major") == {major}
    assert run(owner="H201") == {major}
    assert run(category="policy") == {major}  # the top level matches its leaves
    assert run(category="consultation/roaming") == {consultation}
    assert run(category="consult") == set()  # not a prefix of a code's words
    assert run(open_only=True) == {major, consultation}
    day2 = datetime(2026, 11, 26, 0, 0, tzinfo=TZ)
    assert run(received_since=day2) == {major, consultation}
    assert run(received_until=day2) == {first}
    # A time without a zone is the branch's local time.
    assert run(
        received_since=datetime(2026, 11, 26, 9, 0),
        received_until=datetime(2026, 11, 26, 10, 0),
    ) == {major}
    entry = _audit(people, "cases.export")[-1]
    assert entry["filters"] == {
        "received_since": "2026-11-26T09:00:00",
        "received_until": "2026-11-26T10:00:00",
    }


def test_bad_input_names_the_field(people: Branch, out: Path) -> None:
    ctx = people.ctx

    def fields(**kwargs: Any) -> list[str]:
        args: dict[str, Any] = {
            "actor": "M301",
            "selection": CaseSelection(),
            "path": out / "x.csv",
            "fmt": "csv",
        }
        args.update(kwargs)
        with pytest.raises(ValidationError) as bad:
            exports.export_cases(ctx, **args)
        return [e.field for e in bad.value.errors]

    assert fields(fmt="pdf") == ["fmt"]
    assert fields(path=out / "missing" / "x.csv") == ["path"]
    assert fields(path=out) == ["path"]  # a folder
    assert fields(path=out / "x.xlsx") == ["path"]  # the name says another format
    assert fields(selection=CaseSelection(state="nonsense", grade="big")) == ["state", "grade"]
    day = datetime(2026, 11, 26, tzinfo=TZ)
    assert fields(
        selection=CaseSelection(received_since=day, received_until=day - timedelta(days=1))
    ) == ["received_until"]
    read_only = out / "ro"
    read_only.mkdir()
    read_only.chmod(0o500)
    try:
        if not os.access(read_only, os.W_OK):  # root may write anywhere
            assert fields(path=read_only / "x.csv") == ["path"]
    finally:
        read_only.chmod(0o700)
    assert _files(out) == ["ro"]
    assert _audit(people, "cases.export") == []


def test_an_existing_file_is_replaced(people: Branch, out: Path) -> None:
    _cases(people)
    target = out / "cases.xlsx"
    target.write_bytes(b"old")
    exports.export_cases(
        people.ctx, actor="M301", selection=CaseSelection(), path=target, fmt="xlsx"
    )
    assert len(_xlsx(target)) == 4


def test_figure_table(people: Branch, out: Path) -> None:
    when = datetime(2026, 11, 25, 1, 30, tzinfo=TZ)
    headers = ["节点", "按时率", "数量", "统计至"]
    rows = [["确认投诉内容", 0.95, 40, when], ["结案", None, 0, when]]
    target = out / "figures.xlsx"
    result = exports.export_table(
        people.ctx,
        actor="M301",
        title="按时率 2026/11 [天河]",
        headers=headers,
        rows=rows,
        path=target,
        fmt="xlsx",
    )
    assert (result.rows, result.masked) == (2, False)
    book = openpyxl.load_workbook(target)
    assert book.active.title == "按时率 2026 11  天河"
    got = list(book.active.iter_rows(values_only=True))
    assert got[0] == tuple(headers)
    assert got[1] == ("确认投诉内容", 0.95, 40, datetime(2026, 11, 25, 1, 30))
    assert got[2][:3] == ("结案", None, 0)
    exports.export_table(
        people.ctx,
        actor="D901",
        title="t",
        headers=headers,
        rows=rows,
        path=out / "figures.csv",
        fmt="csv",
    )
    assert _csv(out / "figures.csv")[1] == [
        "确认投诉内容",
        "0.95",
        "40",
        "2026-11-25T01:30:00+08:00",
    ]
    entries = _audit(people, "quality.export")
    assert [(e["actor"], e["rows"], e["format"]) for e in entries] == [
        ("M301", 2, "xlsx"),
        ("D901", 2, "csv"),
    ]
    assert entries[0]["title"] == "按时率 2026/11 [天河]"
    with pytest.raises(ValidationError) as bad:
        exports.export_table(
            people.ctx,
            actor="M301",
            title="t",
            headers=headers,
            rows=[["too short"]],
            path=out / "bad.csv",
            fmt="csv",
        )
    assert [e.field for e in bad.value.errors] == ["rows"]
    with pytest.raises(ValidationError) as bad:
        exports.export_table(
            people.ctx,
            actor="M301",
            title="t",
            headers=[],
            rows=[],
            path=out / "bad.csv",
            fmt="csv",
        )
    assert [e.field for e in bad.value.errors] == ["headers"]
    assert not (out / "bad.csv").exists()


def test_xlsx_beyond_a_sheets_rows_continues_on_the_next_sheet(
    people: Branch, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_files, "XLSX_MAX_ROWS", 2)  # Excel's is 1,048,575 (+ header)
    numbers = _cases(people)
    target = out / "cases.xlsx"
    result = exports.export_cases(
        people.ctx, actor="M301", selection=CaseSelection(), path=target, fmt="xlsx", lang="en"
    )
    assert result.rows == 3
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Cases", "Cases (2)"]
    first, second = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert first[0] == second[0] and first[0][0] == "Case no."  # the header on each
    assert [r[0] for r in first[1:] + second[1:]] == list(reversed(numbers))


def test_xlsx_parts_are_well_formed_and_text_survives(people: Branch, out: Path) -> None:
    import xml.etree.ElementTree as ET
    import zipfile

    target = out / "t.xlsx"
    awkward = ["  leading and trailing  ", "a < b & c > d", "bell\x07 and nul\x00 gone", "=1+1"]
    exports.export_table(
        people.ctx,
        actor="M301",
        title="x" * 40,
        headers=["text", "number", "day"],
        rows=[[text, i, datetime(2026, 1, 2).date()] for i, text in enumerate(awkward)],
        path=target,
        fmt="xlsx",
    )
    with zipfile.ZipFile(target) as package:
        assert package.testzip() is None
        for name in package.namelist():
            ET.fromstring(package.read(name))  # every part parses as XML
        assert "[Content_Types].xml" in package.namelist()
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "x" * 31  # Excel's limit for a sheet name
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C5"
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == [
        "  leading and trailing  ",
        "a < b & c > d",
        "bell and nul gone",
        "=1+1",
    ]
    assert sheet.cell(5, 1).data_type == "s"  # text, not a formula
    assert sheet.cell(3, 2).value == 1
    assert sheet.cell(2, 3).value == datetime(2026, 1, 2)
    assert sheet.cell(2, 3).number_format == "yyyy-mm-dd"
    assert sheet.cell(1, 1).font.b


def test_xlsx_header_frozen_times_typed_and_no_scratch_files_left(
    people: Branch, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"  # the system's temporary folder, for this test
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _cases(people)
    target = out / "cases.xlsx"
    exports.export_cases(
        people.ctx, actor="M301", selection=CaseSelection(), path=target, fmt="xlsx", lang="en"
    )
    sheet = openpyxl.load_workbook(target).active
    assert sheet.freeze_panes == "A2"  # the header stays in view
    assert all(cell.font.b for cell in sheet[1])
    col = exports.CASE_COLUMNS.index("received_at") + 1
    for row in range(2, 5):
        cell = sheet.cell(row, col)
        assert cell.is_date and cell.data_type == "d"  # a date-time, not a text
        assert isinstance(cell.value, datetime)
        assert cell.number_format == exports.XLSX_DATE_FORMAT
    assert sheet.cell(4, col).value == datetime(2026, 11, 25, 9, 30)
    assert list(scratch.iterdir()) == []

    # A cancelled export leaves none of the writer's scratch files either.
    with pytest.raises(ExportCancelled):
        exports.export_cases(
            people.ctx,
            actor="M301",
            selection=CaseSelection(),
            path=out / "cancelled.xlsx",
            fmt="xlsx",
            cancelled=lambda: True,
        )
    assert list(scratch.iterdir()) == []
    assert _files(out) == ["cases.xlsx"]


def test_xlsx_column_widths_count_chinese_double(people: Branch, out: Path) -> None:
    target = out / "widths.xlsx"
    exports.export_table(
        people.ctx,
        actor="M301",
        title="widths",
        headers=["确认投诉内容完成情况", "abcdefghij", "n"],
        rows=[["是", "x", 1], ["否", "y", 2]],
        path=target,
        fmt="xlsx",
    )
    sheet = openpyxl.load_workbook(target).active
    chinese, latin, narrow = (sheet.column_dimensions[c].width for c in "ABC")
    assert chinese > latin + 8  # ten wide characters take twice ten columns
    assert latin > narrow
