"""Printed documents rendered from cases recorded through the real services: the text
pypdf reads back is exactly what each document must say, in both languages; pages have
the right size and count; the QR code decodes to the case number; the font embedded is
the shipped WenQuanYi subset; a letter is refused before the case has a result."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from branchdesk.documents import (
    DocumentError,
    DocumentKind,
    DocumentRequest,
    Letterhead,
    Paper,
    page_size,
    render_document,
)
from branchdesk.i18n import translate
from branchdesk.services import cases, staff
from branchdesk.services.cases import CaseView
from tests.conftest import TZ, Branch, activate, complaint_form

MM = 72 / 25.4
LETTERHEAD = Letterhead(name="广州天河营业厅", address="天河区天河路208号", phone="020-38881234")
PRINTED_AT = datetime(2026, 12, 8, 16, 45, tzinfo=TZ)
LONG_DESCRIPTION = ("客户反映家中信号时有时无，通话经常中断，影响正常工作与生活。" * 110)[:3000]


def act(branch: Branch, number: str, action: str, actor: str = "H201", **params: Any) -> CaseView:
    return cases.act(branch.ctx, number=number, action=action, params=params, actor=actor)


def names(branch: Branch) -> Mapping[str, str]:
    return {m.staff_no: m.name for m in staff.list_staff(branch.ctx)}


def received(branch: Branch, **changes: Any) -> CaseView:
    """A complaint taken at the counter by clerk C101."""
    if "C101" not in names(branch):
        new = staff.add_staff(
            branch.ctx, staff_no="C101", name="王晓燕", roles=("clerk",), actor="A001"
        )
        activate(branch.ctx, "C101", new.one_time_code)
    return cases.intake(branch.ctx, form=complaint_form(**changes), actor="C101")


def resolved(branch: Branch, *, feedback: bool = True) -> CaseView:
    """A complaint taken through investigation, responsibility, a plan with
    compensation, the result and (optionally) the customer's feedback."""
    n = received(branch).case.number
    act(branch, n, "acknowledge", actor="C101")
    act(branch, n, "assign", actor="M301", to="H201")
    branch.clock.advance(hours=3)
    act(
        branch,
        n,
        "record_investigation",
        stage="initial",
        methods="system_data,on_site",
        findings="基站扇区天线下倾角偏大，室内覆盖不足。",
    )
    act(
        branch,
        n,
        "determine_responsibility",
        party="carrier",
        explanation="网络覆盖不足属我方责任。",
    )
    act(
        branch,
        n,
        "plan",
        measures="compensation,rectification",
        detail="调整天线下倾角并加装室内分布设备。",
        compensation_fen=5050,
    )
    branch.clock.advance(days=2)
    view = act(
        branch,
        n,
        "resolve",
        result="已完成天线调整，室内信号恢复到三格以上。",
        cause_analysis="天线下倾角设置不当导致室内弱覆盖。",
    )
    if feedback:
        branch.clock.advance(hours=5)
        view = act(branch, n, "record_feedback", satisfied="yes", score=5, comment="信号好多了")
    return view


def render(
    branch: Branch,
    view: CaseView,
    kind: DocumentKind,
    lang: str = "zh_CN",
    paper: Paper = Paper.A4,
    copy_no: int = 1,
    letterhead: Letterhead = LETTERHEAD,
) -> bytes:
    request = DocumentRequest(
        kind=kind,
        lang=lang,
        paper=paper,
        copy_no=copy_no,
        printed_at=PRINTED_AT,
        printed_by="C101 王晓燕",
    )
    return render_document(
        view,
        letterhead,
        request,
        catalogue=branch.ctx.catalogue,
        tz=TZ,
        staff=names(branch),
    )


def text_of(pdf: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(pdf: bytes) -> str:
    """All text with the line breaks (where wrapping split a value) taken out; English
    lines are rejoined with one space, where the wrap took the space out."""
    text = "".join(text_of(pdf))
    return re.sub(r"(?<=[A-Za-z,.;:)])\n(?=[A-Za-z(])", " ", text).replace("\n", "")


def squeezed(text: str) -> str:
    """Without any white space: a table cell may wrap a value at its space."""
    return re.sub(r"\s", "", text)


# --- the acceptance receipt ----------------------------------------------------------


def test_receipt_on_a_roll_says_exactly_what_was_received(branch: Branch) -> None:
    view = received(branch)
    number = view.case.number
    pdf = render(branch, view, DocumentKind.RECEIPT, "zh_CN", Paper.ROLL_80MM)
    pages = text_of(pdf)
    assert len(pages) == 1
    lines = [line.strip() for line in pages[0].splitlines() if line.strip()]
    text = flat(pdf)
    assert lines[:3] == ["广州天河营业厅", "地址：天河区天河路208号", "服务电话：020-38881234"]
    for expected in (
        "受理回执",
        number,
        "类型：投诉",
        "分类：服务技术 / 网络",
        "受理渠道：到店",
        "客户姓名：张三",
        "联系电话：138****5678",
        "事由摘要：家中手机信号弱经常掉线",
        "客户诉求：尽快优化网络覆盖",
        "受理时间：2026年11月25日 09:30",
        "受理人：C101 王晓燕",
        "承诺时限",
        # 7 / 15 / 30 working days after Wed 25 Nov 2026 in the official calendar;
        # 2027's holidays are not published yet, so the closure date is provisional.
        "首次答复：2026年12月4日 23:59 前",
        "处理完成：2026年12月16日 23:59 前",
        "结案：2027年1月6日 23:59（暂定） 前",
        "暂定：该时限涉及尚未公布官方节假日安排的年份",
        "如至 2026年12月10日 仍未获答复（受理后 15 日），您可向电信用户申诉受理中心",
        "客户签名：",
        "打印：2026年12月8日 16:45 C101 王晓燕",  # paragraph spaces read back as " "
    ):
        assert expected in text, expected
    assert "补打" not in text and "REPRINT" not in text
    # Fields the receipt does not carry.
    assert "KD0200012345" not in text and "体育西路" not in text and "详细情况" not in text


def test_receipt_in_english(branch: Branch) -> None:
    view = received(branch)
    text = flat(render(branch, view, DocumentKind.RECEIPT, "en", Paper.ROLL_80MM))
    for expected in (
        "Acceptance Receipt",
        "Service line: 020-38881234",
        view.case.number,
        "Type: Complaint",
        "Category: Technical / Network",
        "Channel: Walk-in",
        "Customer: 张三",
        "Phone: 138****5678",
        "Received: 25 Nov 2026, 09:30",
        "Received by: C101 王晓燕",
        "First reply: by 4 Dec 2026, 23:59",
        "Handling completed: by 16 Dec 2026, 23:59",
        "Case closed: by 6 Jan 2027, 23:59 (provisional)",
        "If you have no answer by 10 Dec 2026 (15 days after intake), you may appeal",
        "Customer signature:",
        "Printed 8 Dec 2026, 16:45 by C101 王晓燕",
    ):
        assert expected in text, expected
    assert "受理回执" not in text and "类型" not in text


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("paper", list(Paper))
def test_the_full_phone_number_never_appears(branch: Branch, lang: str, paper: Paper) -> None:
    view = received(branch)
    pdf = render(branch, view, DocumentKind.RECEIPT, lang, paper)
    digits = re.sub(r"\D", "", flat(pdf))
    assert "13812345678" not in digits
    assert "138****5678" in flat(pdf)


def test_receipt_pages_are_80_mm_wide_and_as_long_as_the_content(branch: Branch) -> None:
    short = received(branch)
    long = received(branch, remedy="尽快优化网络覆盖，并减免本月月租。" * 20)
    heights = []
    for view in (short, long):
        (page,) = PdfReader(
            io.BytesIO(render(branch, view, DocumentKind.RECEIPT, paper=Paper.ROLL_80MM))
        ).pages
        assert float(page.mediabox.width) == pytest.approx(80 * MM)
        heights.append(float(page.mediabox.height))
    assert 120 * MM < heights[0] < 297 * MM
    assert heights[1] > heights[0] + 20 * MM  # the page grows with the content
    assert "减免本月月租" in flat(render(branch, long, DocumentKind.RECEIPT, paper=Paper.ROLL_80MM))


def test_a4_receipt_is_one_a4_page(branch: Branch) -> None:
    pdf = render(branch, received(branch), DocumentKind.RECEIPT, paper=Paper.A4)
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (210 * MM, 297 * MM)
    )
    assert page_size(DocumentKind.RECEIPT, Paper.A4) == pytest.approx((210 * MM, 297 * MM))
    assert page_size(DocumentKind.RECEIPT, Paper.ROLL_80MM)[0] == pytest.approx(80 * MM)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_reprint_is_marked_with_its_number(branch: Branch, lang: str) -> None:
    view = received(branch)
    assert "REPRINT" not in flat(render(branch, view, DocumentKind.RECEIPT, lang, copy_no=1))
    assert "补打 / REPRINT 1" in flat(render(branch, view, DocumentKind.RECEIPT, lang, copy_no=2))
    assert "补打 / REPRINT 3" in flat(render(branch, view, DocumentKind.RECEIPT, lang, copy_no=4))
    record = flat(render(branch, view, DocumentKind.CASE_RECORD, lang, copy_no=2))
    assert "补打 / REPRINT 1" in record


def test_letterhead_logo_is_drawn(branch: Branch) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (200, 30, 30)).save(buffer, format="PNG")
    head = Letterhead(LETTERHEAD.name, LETTERHEAD.address, LETTERHEAD.phone, buffer.getvalue())
    view = resolved(branch)
    for kind, paper in (
        (DocumentKind.RECEIPT, Paper.ROLL_80MM),
        (DocumentKind.CLOSURE_LETTER, Paper.A4),
    ):
        with_logo = PdfReader(io.BytesIO(render(branch, view, kind, paper=paper, letterhead=head)))
        plain = PdfReader(io.BytesIO(render(branch, view, kind, paper=paper)))
        assert len(with_logo.pages[0].images) == 1
        assert len(plain.pages[0].images) == 0


# --- rendered pages ------------------------------------------------------------------


def pngs(pdf: bytes, folder: Path) -> list[Path]:
    source = folder / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
@pytest.mark.parametrize("paper", list(Paper))
def test_qr_code_decodes_to_the_case_number(branch: Branch, tmp_path: Path, paper: Paper) -> None:
    view = received(branch)
    (png,) = pngs(render(branch, view, DocumentKind.RECEIPT, paper=paper), tmp_path)
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert decoded == [view.case.number]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_text_is_drawn_where_it_must_be(branch: Branch, tmp_path: Path) -> None:
    """The font really draws: the band of the page holding the title is not blank."""
    from PIL import Image

    pdf = render(branch, resolved(branch), DocumentKind.CLOSURE_LETTER)
    first = pngs(pdf, tmp_path)[0]
    with Image.open(first) as image:
        grey = image.convert("L")
        width, height = grey.size
        # The title line sits about 60 mm below the top edge on this letter.
        band = grey.crop((width // 3, height * 40 // 297, width * 2 // 3, height * 75 // 297))
        dark = sum(1 for value in band.tobytes() if value < 128)
        margin = grey.crop((0, 0, width // 20, height))
        assert dark > 200
        assert min(margin.tobytes()) > 250


def font_names(pdf: bytes) -> set[str]:
    """The fonts the pages' text is set in (their content streams' Tf operators). The
    resources also list reportlab's unused default Helvetica, which draws nothing."""
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"]["/Font"]
        stream = page.get_contents()
        assert stream is not None
        for used in set(re.findall(rb"/(\S+) [\d.]+ Tf", stream.get_data())):
            names.add(str(fonts["/" + used.decode()].get_object()["/BaseFont"]))
    return names


# A complaint has no appointment to confirm: the confirmation's font is checked in
# test_appointment_documents.
@pytest.mark.parametrize(
    "kind", [k for k in DocumentKind if k is not DocumentKind.APPOINTMENT_CONFIRMATION]
)
def test_the_embedded_font_is_a_wenquanyi_subset(branch: Branch, kind: DocumentKind) -> None:
    pdf = render(branch, resolved(branch), kind)
    names = font_names(pdf)
    assert names, "no fonts at all"
    for name in names:
        # reportlab embeds up to 256 glyphs a subset: "/AAAAAB+WenQuanYiMicroHei-0".
        assert re.fullmatch(r"/[A-Z]{6}\+WenQuanYiMicroHei(-\d+)?", name), name
    reader = PdfReader(io.BytesIO(pdf))
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        if "WenQuanYi" in str(font["/BaseFont"]):
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # the TrueType program is embedded


# --- the closure letter --------------------------------------------------------------


def test_closure_letter_in_chinese(branch: Branch) -> None:
    view = resolved(branch)
    pdf = render(branch, view, DocumentKind.CLOSURE_LETTER, "zh_CN")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (210 * MM, 297 * MM)
    )
    text = flat(pdf)
    expected = [
        "广州天河营业厅",
        "处理结果告知书",
        f"受理编号：{view.case.number}",
        "尊敬的张三：",
        "您于 2026年11月25日 09:30 通过到店渠道反映的“家中手机信号弱经常掉线”一事，",
        "我厅已处理完毕。",
        "一、 案件事实",
        "类型：投诉",
        "分类：服务技术 / 网络",
        "详细情况：近一个月在家中室内信号只有一格。",
        "业务号码：KD0200012345",
        "客户诉求：尽快优化网络覆盖",
        "二、 原因分析",
        "天线下倾角设置不当导致室内弱覆盖。",
        "三、 责任认定",
        "电信企业",
        "网络覆盖不足属我方责任。",
        "四、 处理措施及补偿",
        "处理措施：补偿、整改",
        "调整天线下倾角并加装室内分布设备。",
        "补偿金额：50.50 元",
        "五、 处理结果",
        "已完成天线调整，室内信号恢复到三格以上。",
        "六、 客户满意度",
        "满意（评分 5/5）",
        "信号好多了",
        "七、 如您对处理结果不满意",
        "可拨打客服热线 10000",
        "电信用户申诉受理中心",
        "八、 联系方式",
        "如有疑问，请联系广州天河营业厅，电话 020-38881234，经办人 H201 刘志强。",
        "广州天河营业厅（盖章）",
        "经办人签字：",
        "日期：2026年12月8日",
    ]
    position = 0
    for item in expected:  # in this order
        found = text.find(item, position)
        assert found >= 0, item
        position = found + len(item)
    assert "13812345678" not in text and "138****5678" not in text  # the letter needs no phone
    assert "第 1 页 / 共 1 页" in text


def test_closure_letter_in_english(branch: Branch) -> None:
    view = resolved(branch)
    text = flat(render(branch, view, DocumentKind.CLOSURE_LETTER, "en"))
    for expected in (
        "Notice of Handling Result",
        f"Case number: {view.case.number}",
        "Dear 张三,",
        "On 25 Nov 2026, 09:30 you told us via Walk-in about “家中手机信号弱经常掉线”.",
        "1. The facts",
        "2. Cause analysis",
        "3. Responsibility",
        "Carrier",
        "4. Measures taken and compensation",
        "Measures: Compensation, Rectification",
        "Compensation: CNY 50.50",
        "5. Result",
        "6. Your satisfaction",
        "Satisfied (score 5/5)",
        "7. If you are not satisfied",
        "call our customer hotline 10000",
        "8. Contact",
        "on 020-38881234; your case was handled by H201 刘志强.",
        "(seal)",
        "Date: 8 Dec 2026",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_letter_before_feedback_asks_for_it(branch: Branch) -> None:
    view = resolved(branch, feedback=False)
    text = flat(render(branch, view, DocumentKind.CLOSURE_LETTER))
    assert "尚待您的评价，欢迎致电 020-38881234 告诉我们。" in text
    assert "满意（评分" not in text


def test_letter_is_refused_before_the_case_has_a_result(branch: Branch) -> None:
    view = received(branch)
    act(branch, view.case.number, "acknowledge", actor="C101")
    view = act(branch, view.case.number, "assign", actor="M301", to="H201")
    with pytest.raises(DocumentError) as caught:
        render(branch, view, DocumentKind.CLOSURE_LETTER)
    error = caught.value
    assert error.key == "error.document.not_resolved"
    assert error.params == {"number": view.case.number, "state": "assigned"}
    assert translate(error.key, "zh_CN", **error.params) == (
        f"受理编号 {view.case.number} 尚未处理完毕（当前状态：已分派），不能出具处理结果告知书。"
    )
    assert "status: Assigned" in translate(error.key, "en", **error.params)


def test_letter_is_refused_after_a_reopen_until_resolved_again(branch: Branch) -> None:
    view = resolved(branch)
    view = act(branch, view.case.number, "reopen", reason="客户称信号又变差")
    with pytest.raises(DocumentError):
        render(branch, view, DocumentKind.CLOSURE_LETTER)


def test_letter_cannot_go_on_a_roll(branch: Branch) -> None:
    with pytest.raises(DocumentError) as caught:
        render(branch, resolved(branch), DocumentKind.CLOSURE_LETTER, paper=Paper.ROLL_80MM)
    assert caught.value.key == "error.document.paper"
    assert translate(caught.value.key, "zh_CN", **caught.value.params) == (
        "处理结果告知书不能打印在80 毫米热敏卷纸上。"
    )


# --- the case record sheet -----------------------------------------------------------


def body_of(page_text: str, number: str) -> str:
    """A record page's text without its repeated header and footer lines."""
    decor = ("广州天河营业厅", "案件记录", "Case Record", "打印：", "Printed ", "第 ", "Page ")
    lines = [line for line in page_text.splitlines() if not line.startswith(decor)]
    return "".join(lines)


def test_long_description_flows_onto_a_second_page(branch: Branch) -> None:
    view = received(branch, description=LONG_DESCRIPTION)
    pdf = render(branch, view, DocumentKind.CASE_RECORD, "zh_CN")
    pages = text_of(pdf)
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 2 页" in page
        assert f"案件记录　{view.case.number}" in page  # the header repeats
        assert "广州天河营业厅" in page
    first, second = (body_of(p, view.case.number) for p in pages)
    # Nothing is cut off: the description is whole, split between the two pages.
    assert LONG_DESCRIPTION in first + second
    assert LONG_DESCRIPTION not in first and LONG_DESCRIPTION[-50:] in second
    english = text_of(render(branch, view, DocumentKind.CASE_RECORD, "en"))
    assert [f"Page {n} of {len(english)}" in p for n, p in enumerate(english, 1)] == [True] * len(
        english
    )


def test_record_tells_every_event_oldest_first(branch: Branch) -> None:
    view = resolved(branch)
    text = flat(render(branch, view, DocumentKind.CASE_RECORD, "zh_CN"))
    story = [
        "2026年11月25日 09:30 C101 王晓燕 受理登记（到店）",
        "2026年11月25日 09:30 C101 王晓燕 确认受理",
        "2026年11月25日 09:30 M301 吴海涛 分派给 H201 刘志强",
        "2026年11月25日 12:30 H201 刘志强 记录调查（初步核实）",
        "现场调查、系统数据查询 — 基站扇区天线下倾角偏大，室内覆盖不足。",
        "2026年11月25日 12:30 H201 刘志强 认定责任",
        "电信企业 — 网络覆盖不足属我方责任。",
        "2026年11月25日 12:30 H201 刘志强 制定处理方案",
        "补偿金额：50.50 元",
        "2026年11月27日 12:30 H201 刘志强 完成处理",
        "原因分析：天线下倾角设置不当导致室内弱覆盖。",
        "2026年11月27日 17:30 H201 刘志强 记录客户反馈",
        "满意 · 评分 5/5",
    ]
    position = text.find("处理经过（按时间先后）")
    assert position > 0
    for item in story:
        found = text.find(item, position)
        assert found >= 0, item
        position = found + len(item)
    assert len(view.events) == 8


def test_record_facts_and_deadlines(branch: Branch) -> None:
    view = received(
        branch,
        customer=complaint_form().customer.__class__(
            name="李四", phone="020-38881234", id_number="11010519491231002X"
        ),
    )
    zh = flat(render(branch, view, DocumentKind.CASE_RECORD, "zh_CN"))
    zh = squeezed(zh)
    for expected in (
        "受理编号",
        view.case.number,
        "状态已受理",
        "等级普通",
        "联系电话020-****1234",
        "身份证号码1101**********002X",
        "受理人C101 王晓燕",
        "负责人C101 王晓燕",
        "时限节点",
        "确认投诉内容",
        "24小时",
        "2026年11月26日 09:30",
        "进行中",
        "首次答复用户",
        "7个工作日",
        "2026年12月4日 23:59",
        "归档",
        "未开始",
        "2027年1月6日 23:59（暂定）",
    ):
        assert squeezed(expected) in zh, expected
    assert "11010519491231002X" not in zh and "38881234" not in zh.replace("020-38881234", "")
    en = squeezed(flat(render(branch, view, DocumentKind.CASE_RECORD, "en")))
    for expected in (
        "StatusReceived",
        "Acknowledge the complaint",
        "24 h",
        "26 Nov 2026, 09:30",
        "running",
    ):
        assert squeezed(expected) in en, expected
