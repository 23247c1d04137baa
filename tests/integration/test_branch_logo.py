"""The letterhead logo: set from a PNG file (CLI or service), printed on the branch's
documents, refused when it is not a PNG or too big, removable; audited."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import text

from branchdesk.domain.errors import ValidationError
from branchdesk.services import cases, printing
from branchdesk.services.branch import LOGO_MAX_BYTES, set_branch_logo
from tests.conftest import Branch, complaint_form
from tests.integration.conftest import Cli


def png_logo() -> bytes:
    image = Image.new("RGB", (120, 40), (31, 95, 168))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def images_on_first_page(pdf: bytes) -> int:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return len(page.images)


def test_logo_is_printed_on_the_receipt_and_can_be_removed(branch: Branch) -> None:
    number = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    plain = printing.print_document(
        branch.ctx, number=number, kind="receipt", actor="A001", paper="a4"
    )
    set_branch_logo(branch.ctx, png=png_logo(), actor="A001")
    with_logo = printing.print_document(
        branch.ctx, number=number, kind="receipt", actor="A001", paper="a4"
    )
    assert images_on_first_page(with_logo.pdf) == images_on_first_page(plain.pdf) + 1
    set_branch_logo(branch.ctx, png=None, actor="A001")
    again = printing.print_document(
        branch.ctx, number=number, kind="receipt", actor="A001", paper="a4"
    )
    assert images_on_first_page(again.pdf) == images_on_first_page(plain.pdf)
    with branch.ctx.db.read() as conn:
        audited = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'branch.logo'")
        ).scalar()
    assert audited == 2


def test_not_a_png_or_too_big_is_refused(branch: Branch) -> None:
    with pytest.raises(ValidationError) as not_png:
        set_branch_logo(branch.ctx, png=b"GIF89a....", actor="A001")
    assert not_png.value.errors[0].key == "error.logo.not_png"
    huge = png_logo() + b"\0" * LOGO_MAX_BYTES
    with pytest.raises(ValidationError) as too_big:
        set_branch_logo(branch.ctx, png=huge, actor="A001")
    assert too_big.value.errors[0].key == "error.logo.too_big"


def test_logo_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_logo())
    assert cli.json("logo", "set", str(logo)) == {"logo": str(logo)}
    code, _, err = cli("logo", "set")
    assert code == 2 and "png" in err.lower()
    assert cli.json("logo", "clear") == {"logo": "-"}
