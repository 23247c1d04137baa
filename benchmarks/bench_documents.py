"""P6: printed documents. Time to render an acceptance receipt (80 mm roll, with its QR
code) and a closure letter (A4) after the font is registered (median of many), the
total for 1,000 receipts in a batch, and the PDF sizes.

The case is recorded through the real services on a scratch branch in a temporary
directory (key derived from a passphrase, no keyring), then rendered again and again:
rendering reads nothing from the database."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import bench_support as bs

from branchdesk.bootstrap import initialise
from branchdesk.documents import (
    DocumentKind,
    DocumentRequest,
    Letterhead,
    Paper,
    register_fonts,
    render_document,
)
from branchdesk.domain.model import Customer, IntakeForm
from branchdesk.services import cases, staff
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext

TZ = ZoneInfo("Asia/Shanghai")
WARM_UP = 20
SAMPLES = 300
BATCH = 1000
LETTERHEAD = Letterhead("广州天河营业厅", "天河区天河路208号", "020-38881234")


def _case(ctx: ServiceContext) -> CaseView:
    form = IntakeForm(
        kind="complaint",
        channel="walk_in",
        category="technical/network",
        customer=Customer(name="张三", phone="13812345678", service_number="KD0200012345"),
        summary="家中手机信号弱经常掉线",
        description="近一个月在家中室内信号只有一格，通话经常中断。",
        remedy="尽快优化网络覆盖",
    )
    number = cases.intake(ctx, form=form, actor="A001").case.number

    def act(action: str, **params: Any) -> CaseView:
        return cases.act(ctx, number=number, action=action, params=params, actor="A001")

    act("acknowledge")
    act("assign", to="H201")
    act("record_investigation", stage="initial", methods="system_data", findings="天线下倾角偏大。")
    act("determine_responsibility", party="carrier", explanation="网络覆盖不足属我方责任。")
    act("plan", measures="compensation,rectification", detail="调整天线。", compensation_fen=5050)
    act("resolve", result="已完成天线调整。", cause_analysis="天线下倾角设置不当。")
    return act("record_feedback", satisfied="yes", score=5)


def _series(render: Callable[[], bytes]) -> tuple[list[float], int]:
    for _ in range(WARM_UP):
        render()
    samples = []
    size = 0
    for _ in range(SAMPLES):
        start = time.perf_counter_ns()
        size = len(render())
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples, size


def run(out: Callable[[str], None] = print) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        ctx, _ = initialise(
            Path(folder) / "branch",
            branch_code="GZ0012",
            branch_name=LETTERHEAD.name,
            admin_no="A001",
            admin_name="管理员",
            admin_password="Counter#2026",
            passphrase="bench-documents",
            use_keyring=False,
        )
        ctx.clock = bs.FixedClock(datetime(2026, 11, 25, 9, 30, tzinfo=TZ))
        staff.add_staff(ctx, staff_no="H201", name="刘志强", roles=("handler",), actor="A001")
        view = _case(ctx)
        names = {m.staff_no: m.name for m in staff.list_staff(ctx)}
        catalogue = ctx.catalogue
        ctx.db.close()

    start = time.perf_counter_ns()
    register_fonts()
    font_ms = (time.perf_counter_ns() - start) / 1e6

    def renderer(kind: DocumentKind, paper: Paper, lang: str) -> Callable[[], bytes]:
        request = DocumentRequest(
            kind=kind,
            lang=lang,
            paper=paper,
            printed_at=datetime(2026, 12, 8, 16, 45, tzinfo=TZ),
            printed_by="A001 管理员",
        )
        return lambda: render_document(
            view, LETTERHEAD, request, catalogue=catalogue, tz=TZ, staff=names
        )

    results: dict[str, Any] = {"font_registration_ms": font_ms}
    out(f"P6 printed documents ({SAMPLES} renders each after {WARM_UP} warm-up)")
    out(f"  font registration (first call)      {font_ms:8.1f} ms")
    for label, kind, paper in (
        ("receipt 80 mm", DocumentKind.RECEIPT, Paper.ROLL_80MM),
        ("receipt A4", DocumentKind.RECEIPT, Paper.A4),
        ("closure letter A4", DocumentKind.CLOSURE_LETTER, Paper.A4),
        ("case record A4", DocumentKind.CASE_RECORD, Paper.A4),
    ):
        for lang in ("zh_CN", "en"):
            samples, size = _series(renderer(kind, paper, lang))
            summary = bs.summarise(samples)
            key = f"{kind.value}.{paper.value}.{lang}"
            results[key] = {**summary, "pdf_kb": size / 1024}
            out(bs.fmt_row(f"{label} {lang}", summary, extra=f"  {size / 1024:6.1f} KB"))

    receipt = renderer(DocumentKind.RECEIPT, Paper.ROLL_80MM, "zh_CN")
    start = time.perf_counter_ns()
    total_bytes = sum(len(receipt()) for _ in range(BATCH))
    batch_s = (time.perf_counter_ns() - start) / 1e9
    results["batch_receipts"] = {
        "count": BATCH,
        "seconds": batch_s,
        "per_receipt_ms": batch_s * 1000 / BATCH,
        "mb": total_bytes / 2**20,
    }
    out(
        f"  {BATCH} receipts in a batch            {batch_s:8.2f} s"
        f"  ({batch_s * 1000 / BATCH:.2f} ms each, {total_bytes / 2**20:.1f} MB)"
    )
    results["median_receipt_ms"] = statistics.median(
        [results["receipt.80mm.zh_CN"]["median"], results["receipt.80mm.en"]["median"]]
    )
    return results


if __name__ == "__main__":
    run()
