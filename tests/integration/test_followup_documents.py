"""The supervision ledger (督办台账) and the incident summary report (突发事件处理报告)
as printed: what pypdf reads back is what they must say, in both languages; overdue
ledger rows are shaded on the rendered page; every print is audited."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from branchdesk.domain.incidents import IncidentDraft, Resolution
from branchdesk.domain.model import Customer
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.services import audit, cases, incident_bulk, incidents, staff, supervision
from branchdesk.services.followup_reports import incident_report_pdf, ledger_pdf
from tests.conftest import TZ, Branch, activate, complaint_form

MANAGER, HANDLER = "M301", "H201"


def flat(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s", "", text)


def supervised_case(branch: Branch, summary: str) -> str:
    ctx = branch.ctx
    number = cases.intake(ctx, form=complaint_form(summary=summary), actor="A001").case.number
    cases.act(ctx, number=number, action="acknowledge", params={}, actor="A001")
    cases.act(ctx, number=number, action="assign", params={"to": HANDLER}, actor="A001")
    supervision.request_escalation(
        ctx, number, reason="major_quality", detail="小区断网", actor=HANDLER
    )
    supervision.approve(
        ctx, number, supervisor=MANAGER, departments="网络部、客服部", actor=MANAGER
    )
    return number


@pytest.fixture
def ledger_state(branch: Branch) -> tuple[str, str]:
    late = supervised_case(branch, "小区宽带大面积断线")
    branch.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))
    fine = supervised_case(branch, "资费争议多次投诉")
    supervision.report_progress(branch.ctx, fine, progress="计费中心复核中", actor=HANDLER)
    branch.clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=TZ))
    return late, fine


def test_ledger_in_chinese(branch: Branch, ledger_state: tuple[str, str]) -> None:
    late, fine = ledger_state
    text = flat(ledger_pdf(branch.ctx, actor=MANAGER, lang="zh_CN"))
    for expected in (
        "督办台账",
        "督办中案件2件，其中进展报告逾期1件，累计漏报1次",
        late,
        fine,
        "小区宽带大面积断线",
        "吴海涛",  # the supervisor's name
        "重大服务质量问题",
        "本厅批准升级",
        "网络部、客服部",
        "计费中心复核中",
        "尚未报告",
        "2026年11月27日23:59",  # the late case's missed report, due Friday
        "逾期",
        "正常",
    ):
        assert re.sub(r"\s", "", expected) in text, expected
    # Overdue first.
    assert text.index(late) < text.index(fine)


def test_ledger_in_english(branch: Branch, ledger_state: tuple[str, str]) -> None:
    text = flat(ledger_pdf(branch.ctx, actor=MANAGER, lang="en"))
    for expected in ("Supervision ledger", "OVERDUE", "On track", "No report yet"):
        assert re.sub(r"\s", "", expected) in text, expected


def test_overdue_rows_are_shaded(branch: Branch, ledger_state: tuple[str, str]) -> None:
    pdf = ledger_pdf(branch.ctx, actor=MANAGER, lang="zh_CN")
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    shade = (0xF8, 0xD7, 0xD3)
    pixels = image.get_flattened_data()
    assert (
        sum(1 for p in pixels if all(abs(a - b) <= 3 for a, b in zip(p, shade, strict=True))) > 2000
    )


def test_empty_ledger_and_who_may_print_it(branch: Branch) -> None:
    clerk = staff.add_staff(
        branch.ctx, staff_no="C401", name="柜员", roles=("clerk",), actor="A001"
    )
    activate(branch.ctx, "C401", clerk.one_time_code)
    assert "目前没有督办中的案件" in flat(ledger_pdf(branch.ctx, actor=MANAGER, lang="zh_CN"))
    with pytest.raises(PermissionDenied):
        ledger_pdf(branch.ctx, actor="C401", lang="zh_CN")


def test_printing_is_audited(branch: Branch, ledger_state: tuple[str, str]) -> None:
    ledger_pdf(branch.ctx, actor=MANAGER)
    entries = audit.browse(
        branch.ctx, actor="A001", filter=audit.AuditFilter(action="ledger.print")
    )
    assert entries and entries[0].actor == MANAGER


def test_incident_report(branch: Branch) -> None:
    ctx = branch.ctx
    start = ctx.now() - timedelta(minutes=30)
    draft = IncidentDraft(
        type="network_outage",
        level=1,
        started_at=start,
        district="天河区",
        street="体育西路",
        services=["technical/network", "宽带"],
        scope="体育西路沿线约两千户移动与宽带中断",
        cause="疑似光缆被挖断",
        measures="抢修队到场熔接光缆；营业厅张贴公告",
        expected_recovery_at=start + timedelta(hours=6),
    )
    outage = incidents.create_incident(ctx, draft, actor=MANAGER)
    numbers = []
    for name in ("李四", "王五"):
        customer = Customer(name=name, phone="13912345678", address="天河区体育西路1号")
        number = cases.intake(ctx, form=complaint_form(customer=customer), actor="A001").case.number
        incidents.link_case(ctx, incident=outage.number, number=number, actor="A001")
        numbers.append(number)
    branch.clock.advance(hours=3)  # notified after the 2 h deadline
    incidents.mark_notified(ctx, outage.number, actor=MANAGER, text="短信通知受影响用户")
    incidents.record_progress(ctx, outage.number, text="光缆熔接完成一半", actor=MANAGER)
    incidents.resolve_incident(
        ctx,
        outage.number,
        Resolution(
            root_cause="市政施工挖断主干光缆",
            explanation="网络已恢复",
            compensation_rule="每户减免3天月租",
            compensation_fen=1500,
            lessons="与市政建立施工报备联动",
        ),
        actor=MANAGER,
    )
    incident_bulk.bulk_resolve(ctx, outage.number, actor=MANAGER)
    text = flat(incident_report_pdf(ctx, outage.number, actor=MANAGER, lang="zh_CN"))
    for expected in (
        "突发事件处理报告",
        outage.number,
        "网络中断",
        "一级响应（重大）",
        "天河区体育西路",
        "服务技术/网络、宽带",
        "体育西路沿线约两千户移动与宽带中断",
        "疑似光缆被挖断",
        "根本原因：市政施工挖断主干光缆",
        "抢修队到场熔接光缆",
        "每户减免3天月租",
        "15.00",
        "与市政建立施工报备联动",
        "（超时）",  # notified late
        "登记事件",
        "已通知用户：短信通知受影响用户",
        "进展：光缆熔接完成一半（已推送至2件案件）",
        "关联案件共2件",
        "李四",
        "王五",
        "已处理",
    ):
        assert re.sub(r"\s", "", expected) in text, expected
    for number in numbers:
        assert number in text
    english = flat(incident_report_pdf(ctx, outage.number, actor=MANAGER, lang="en"))
    assert "Incidentsummaryreport" in english and "Level1response(major)" in english
