"""The printed service-quality report (服务质量报告): what pypdf reads back is what the
figures say, worked out by hand for the cases the test makes (a paused case, a
reopened case, a case open at period end, one received before the period), in both
languages; an empty period prints "no data"; the lowest on-time rate is shaded on
the rendered page; only managers print it, and every print is audited."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from branchdesk.domain.errors import ValidationError
from branchdesk.domain.permissions import PermissionDenied
from branchdesk.services import audit
from branchdesk.services.quality import QualityFilter
from branchdesk.services.quality_reports import month_period, quality_report_pdf
from tests.conftest import TZ, Branch
from tests.integration.test_quality import build_extras, build_figures
from tests.integration.test_return_visits import closed_case, surveyor  # noqa: F401

HANDLER, MANAGER = "H201", "M301"
SINCE = datetime(2026, 11, 23, 0, 0, tzinfo=TZ)  # Monday
UNTIL = datetime(2026, 11, 30, 0, 0, tzinfo=TZ)
WORK = (
    ("assign", {"to": HANDLER}),
    ("record_investigation", {"stage": "initial", "methods": "system_data", "findings": "信号弱"}),
    ("determine_responsibility", {"party": "carrier", "explanation": "基站覆盖不足"}),
    ("plan", {"measures": ["rectification"], "detail": "增设室分"}),
)
#: The report's shade of the staff who need help.
HELP_SHADE = (0xF8, 0xD7, 0xD3)


def flat(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s", "", text)


def has(text: str, *expected: str) -> None:
    for words in expected:
        assert re.sub(r"\s", "", words) in text, words


def pages_png(pdf: bytes, folder: Path, name: str) -> list[Path]:
    """Every page at 1.5× as PNG (also for looking at them while changing the layout)."""
    document = pdfium.PdfDocument(pdf)
    paths = []
    try:
        for i in range(len(document)):
            path = folder / f"{name}-{i + 1}.png"
            document[i].render(scale=1.5).to_pil().convert("RGB").save(path)
            paths.append(path)
    finally:
        document.close()
    return paths


@pytest.fixture
def week(branch: Branch) -> Branch:
    """The week of Mon 23 to Sun 29 November 2026 (the quality figures' own test week)."""
    return build_figures(branch)


def test_the_week_in_chinese(week: Branch, tmp_path: Path) -> None:
    pdf = quality_report_pdf(week.ctx, actor=MANAGER, since=SINCE, until=UNTIL, lang="zh_CN")
    text = flat(pdf)
    has(
        text,
        "服务质量报告",
        "广州天河营业厅",
        "统计期间2026年11月23日至2026年11月29日",
        "统计范围全部案件",
        "打印2026年11月30日12:00　M301吴海涛",
        # In words: how did we do.
        "本期共受理案件3件，其中投诉3件。",
        "到期或完成的时限节点18个，按时完成16个，达标率88.9%；目前逾期2件，期末未结2件。",
        "平均确认用时1.5小时，首次答复3.0小时，结案5.5小时。",
        "客户评价满意度3.67分（3次），回访满意度暂无数据。",
        "重复投诉2件，关联突发事件的投诉占0.0%。",
        "按时率最低、需要帮助的员工：A001管理员0.0%。",
        # The headline numbers.
        "1.5小时（P902.0小时）",
        "3.0小时（P904.0小时）",
        "5.5小时（P906.0小时）",
        "重复投诉2（66.7%）",
        # Sections: deadlines in the process's order, with their labels.
        "投诉·确认投诉内容",
        "确认投诉内容3266.7%",
        "初步调查3266.7%",
        "书面反馈处理结果22100.0%",
        "1–3天1",
        "7–15天1",
        "服务技术/网络3100.0%",
        "11月23日",
        "A001管理员10200.0%",
        "H201刘志强221616100.0%",
        "本期投诉3件；重复投诉（30天内同一电话或服务号码再次投诉）2件，占66.7%",
    )
    assert text.index("确认投诉内容32") < text.index("初步调查32") < text.index("结案22")
    # The staff who need help come first, shaded on the page.
    assert text.index("A001管理员1020") < text.index("H201刘志强2216")
    pages = pages_png(pdf, tmp_path, "zh")
    assert len(pages) >= 2
    assert "暂无数据" in text  # return visits and appointments: none this week
    shaded = 0
    for page in pages:
        from PIL import Image

        pixels = Image.open(page).get_flattened_data()
        shaded += sum(
            1 for p in pixels if all(abs(a - b) <= 3 for a, b in zip(p, HELP_SHADE, strict=True))
        )
    assert shaded > 1500


def test_the_week_in_english(week: Branch, tmp_path: Path) -> None:
    pdf = quality_report_pdf(week.ctx, actor=MANAGER, since=SINCE, until=UNTIL, lang="en")
    text = flat(pdf)
    has(
        text,
        "Service quality report",
        "Period 23 Nov 2026 to 29 Nov 2026",
        "Cases counted All cases",
        "3 cases received in the period, 3 of them complaints.",
        "16 of 18 deadlines met on time (88.9%); 2 cases overdue now, 2 still open",
        "On average 1.5 h to acknowledge, 3.0 h to the first reply, 5.5 h to close.",
        "3.67 of 5 (n = 3) from customer feedback, no data from return visits",
        "Lowest on-time rates, who needs help: A001 管理员 0.0%.",
        "1.5 h (p90 2.0 h)",
        "Complaint · Acknowledge the complaint",
        "Acknowledge the complaint 3 2 66.7%",
        "1–3 days 1",
        "23 Nov",
        "H201 刘志强 2 2 16 16 100.0%",
    )
    pages_png(pdf, tmp_path, "en")


def test_an_empty_period_says_no_data(week: Branch) -> None:
    since, until = month_period(week.ctx, 2026, 10)
    assert (since, until) == (
        datetime(2026, 10, 1, tzinfo=TZ),
        datetime(2026, 11, 1, tzinfo=TZ),
    )
    text = flat(quality_report_pdf(week.ctx, actor=MANAGER, since=since, until=until, lang="zh_CN"))
    has(
        text,
        "统计期间2026年10月1日至2026年10月31日",
        "本期共受理案件0件，其中投诉0件。",
        "本期没有到期或完成的时限节点；目前逾期2件，期末未结0件。",
        "平均确认用时暂无数据",
    )
    # Every figure's section says so instead of drawing an empty chart.
    for section in ("各时限节点按时率", "积压案件账龄", "满意度分布", "投诉分类", "投诉周趋势"):
        assert re.search(section + r".{0,80}暂无数据", text), section
    assert text.count("暂无数据") >= 10
    assert "需要帮助" not in text


def test_the_filter_and_the_months(week: Branch) -> None:
    where = QualityFilter(kind="complaint", category="technical", grade="ordinary", staff="A001")
    text = flat(quality_report_pdf(week.ctx, actor=MANAGER, since=SINCE, until=UNTIL, where=where))
    has(text, "统计范围类型：投诉；分类：服务技术；等级：普通；负责人：A001管理员")
    has(text, "本期共受理案件1件")
    assert "H201" not in text
    assert month_period(week.ctx, 2026, 12) == (
        datetime(2026, 12, 1, tzinfo=TZ),
        datetime(2027, 1, 1, tzinfo=TZ),
    )
    with pytest.raises(ValidationError) as refused:
        month_period(week.ctx, 2026, 13)
    assert refused.value.errors[0].field == "quality_month"
    with pytest.raises(ValidationError) as refused:
        quality_report_pdf(week.ctx, actor=MANAGER, since=UNTIL, until=SINCE)
    assert refused.value.errors[0].field == "quality_until"
    with pytest.raises(ValidationError) as refused:
        quality_report_pdf(
            week.ctx,
            actor=MANAGER,
            since=SINCE,
            until=UNTIL,
            where=QualityFilter(category="no-such", staff="Z999"),
        )
    assert [e.field for e in refused.value.errors] == ["category", "quality_staff"]


def test_appointments_incidents_and_return_visits(branch: Branch, surveyor: str) -> None:  # noqa: F811
    ctx = branch.ctx
    build_extras(branch, surveyor)
    text = flat(quality_report_pdf(ctx, actor=MANAGER, since=SINCE, until=UNTIL, lang="zh_CN"))
    has(
        text,
        "回访满意度5.00分（1次）",
        "关联突发事件1（50.0%）",
        "预约爽约1/2（50.0%）",
        "应到预约爽约爽约率改约2150.0%1",
        "应到预约2件，爽约1件（50.0%），改约1次。",
        "服务受理·",  # the service requests' deadlines
    )
    text = flat(quality_report_pdf(ctx, actor=MANAGER, since=SINCE, until=UNTIL, lang="en"))
    has(text, "1 of 2 appointments missed (50.0%), 1 rescheduled", "5.00 of 5 (n = 1)")


def test_only_managers_print_it_and_every_print_is_audited(week: Branch) -> None:
    with pytest.raises(PermissionDenied):
        quality_report_pdf(week.ctx, actor=HANDLER, since=SINCE, until=UNTIL)
    where = QualityFilter(kind="complaint")
    quality_report_pdf(week.ctx, actor=MANAGER, since=SINCE, until=UNTIL, where=where, lang="en")
    entries = audit.browse(week.ctx, actor="A001", filter=audit.AuditFilter(action="quality.print"))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor == MANAGER
    assert entry.detail == {
        "since": SINCE.isoformat(),
        "until": UNTIL.isoformat(),
        "filter": {"kind": "complaint"},
        "lang": "en",
    }
