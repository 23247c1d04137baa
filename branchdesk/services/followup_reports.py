"""Printing the manager's follow-up reports: the supervision ledger (督办台账) and an
incident's summary report (突发事件处理报告). Each print is written to the audit trail
(who printed which report, when); the PDF bytes go to the caller to show or print."""

from __future__ import annotations

from sqlalchemy import Connection

from branchdesk.documents.followup_reports import (
    ReportRequest,
    render_incident_report,
    render_ledger,
)
from branchdesk.documents.model import Letterhead
from branchdesk.documents.texts import Texts
from branchdesk.i18n import resolve_language
from branchdesk.services import incidents, supervision
from branchdesk.services.access import Principal, authorize
from branchdesk.services.branch import branch_logo, read_settings
from branchdesk.services.context import ServiceContext
from branchdesk.services.recording import write_audit


def report_request(
    ctx: ServiceContext, conn: Connection, who: Principal, lang: str | None
) -> ReportRequest:
    """The letterhead, words, printer and names every manager's report is printed with."""
    settings = read_settings(conn)
    language = resolve_language(lang or str(settings.get("branch.language", "zh_CN")))
    return ReportRequest(
        branch=Letterhead(
            name=str(settings.get("branch.name", "")),
            address=str(settings.get("branch.address", "")),
            phone=str(settings.get("branch.phone", "")),
            logo_png=branch_logo(settings),
        ),
        texts=Texts(language, ctx.tz),
        printed_at=ctx.now(),
        printed_by=f"{who.staff_no} {who.name}",
        staff=supervision.staff_names(conn),
        catalogue=ctx.catalogue,
    )


def ledger_pdf(
    ctx: ServiceContext, *, actor: str, lang: str | None = None, supervisor: str | None = None
) -> bytes:
    """The supervision ledger as printed (every open supervised case, or one supervisor's)."""
    entries = supervision.ledger(ctx, actor=actor, supervisor=supervisor)
    with ctx.db.write() as conn:
        who = authorize(ctx, conn, actor, "ledger.read")
        request = report_request(ctx, conn, who, lang)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="ledger.print",
            case_id=None,
            detail={"cases": len(entries), "supervisor": supervisor},
        )
    return render_ledger(entries, request)


def incident_report_pdf(
    ctx: ServiceContext, number: str, *, actor: str, lang: str | None = None
) -> bytes:
    """The incident summary report: facts, timeline, scope, cases, measures, lessons."""
    with ctx.db.write() as conn:
        who = authorize(ctx, conn, actor, "incident.read")
        detail = incidents.detail_in(conn, number)
        request = report_request(ctx, conn, who, lang)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="incident.print",
            case_id=None,
            detail={"incident": detail.incident.number},
        )
    return render_incident_report(detail, request)
