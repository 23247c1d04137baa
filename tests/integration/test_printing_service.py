"""Printing as a service: the PDF and the record of the print (who, what, when, which
copy) in one transaction; a document that cannot be made records nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from branchdesk.documents import DocumentError
from branchdesk.services import cases, printing
from tests.conftest import Branch, complaint_form
from tests.integration.conftest import Cli


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_each_print_is_recorded_with_its_copy_number(branch: Branch) -> None:
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    first = printing.print_document(branch.ctx, number=number, kind="receipt", actor="A001")
    again = printing.print_document(branch.ctx, number=number, kind="receipt", actor="H201")
    record = printing.print_document(branch.ctx, number=number, kind="case_record", actor="A001")
    assert (first.copy_no, again.copy_no, record.copy_no) == (1, 2, 1)
    assert round(first.page_width_pt / 72 * 25.4) == 80  # the 80 mm roll by default
    assert round(record.page_width_pt) == 595  # A4
    assert "补打" not in pdf_text(first.pdf)
    assert "补打" in pdf_text(again.pdf)
    assert "138****5678" in pdf_text(first.pdf) and "13812345678" not in pdf_text(first.pdf)
    view = cases.get_case(branch.ctx, number, viewer="A001")
    printed = [e for e in view.events if e.kind == printing.PRINTED]
    assert [(e.actor, e.payload["document"], e.payload["copy_no"]) for e in printed] == [
        ("A001", "receipt", 1),
        ("H201", "receipt", 2),
        ("A001", "case_record", 1),
    ]
    assert view.case.state.value == "received"  # printing changes no state
    with branch.ctx.db.read() as conn:
        audit = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'case.printed'")
        ).scalar()
        outbox = conn.execute(text("SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1")).scalar()
    assert audit == 3 and json.loads(outbox)["kind"] == "printed"


def test_a_letter_before_the_resolution_is_refused_and_nothing_recorded(branch: Branch) -> None:
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    before = len(cases.get_case(branch.ctx, number, viewer="A001").events)
    with pytest.raises(DocumentError) as refused:
        printing.print_document(branch.ctx, number=number, kind="closure_letter", actor="A001")
    assert refused.value.key == "error.document.not_resolved"
    assert len(cases.get_case(branch.ctx, number, viewer="A001").events) == before


def test_print_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    number = cli.json(
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
        "信号差",
        "--remedy",
        "尽快处理",
    )["case"]["number"]
    out = tmp_path / "receipt.pdf"
    done = cli.json("case", "print", number, "--document", "receipt", "--out", str(out))
    assert done["copy_no"] == 1 and out.read_bytes().startswith(b"%PDF")
    assert number in pdf_text(out.read_bytes())
    code, _, err = cli(
        "case", "print", number, "--document", "closure_letter", "--out", str(tmp_path / "x.pdf")
    )
    # Not allowed before a resolution: the README's status 3, not a set-up problem (5).
    assert code == 3 and err.strip()
    assert not (tmp_path / "x.pdf").exists()
    # An appointment confirmation needs an appointment: refused, nothing written.
    confirmation = tmp_path / "confirmation.pdf"
    code, _, err = cli(
        "case",
        "print",
        number,
        "--document",
        "appointment_confirmation",
        "--out",
        str(confirmation),
    )
    assert code == 3 and err.strip() and not confirmation.exists()
