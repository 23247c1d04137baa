"""Printing the service-quality report (服务质量报告): the dashboard's figures for a
period and filter, as a PDF in either language. Each print is written to the audit
trail (who printed which period, with which filter); the bytes go to the caller to
show, save or print."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import Connection, select

from branchdesk.documents.quality_report import QualityReportRequest, render_quality_report
from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.model import CaseKind, Grade
from branchdesk.persistence.schema import staff
from branchdesk.services import quality
from branchdesk.services.access import Principal, authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.followup_reports import report_request
from branchdesk.services.quality import QualityFilter, QualityReport
from branchdesk.services.recording import write_audit

REPEAT_DAYS = 30
#: No filter: every case.
EVERYTHING = QualityFilter()


def month_period(ctx: ServiceContext, year: int, month: int) -> tuple[datetime, datetime]:
    """[first day 00:00, first day of the next month 00:00) in the branch's time zone."""
    if not 1 <= month <= 12 or not 2000 <= year <= 9998:
        raise ValidationError(
            [
                FieldError(
                    "quality_month", "error.field.invalid_choice", {"value": f"{year}-{month}"}
                )
            ]
        )
    since = datetime(year, month, 1, tzinfo=ctx.tz)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=ctx.tz)
    return since, following


def _check(ctx: ServiceContext, conn: Connection, where: QualityFilter) -> None:
    """A filter naming a kind, category, grade or person that does not exist is refused
    (it would print an empty report that looks like a good month)."""
    errors = []
    if where.kind and where.kind not in {k.value for k in CaseKind}:
        errors.append(FieldError("kind", "error.field.invalid_choice", {"value": where.kind}))
    if where.category and ctx.catalogue.get(where.category) is None:
        errors.append(
            FieldError("category", "error.field.invalid_choice", {"value": where.category})
        )
    if where.grade and where.grade not in {g.value for g in Grade}:
        errors.append(FieldError("grade", "error.field.invalid_choice", {"value": where.grade}))
    if (
        where.staff
        and not conn.execute(
            select(staff.c.staff_no).where(staff.c.staff_no == where.staff)
        ).first()
    ):
        errors.append(
            FieldError("quality_staff", "error.field.invalid_choice", {"value": where.staff})
        )
    if errors:
        raise ValidationError(errors)


def print_request(
    ctx: ServiceContext,
    conn: Connection,
    who: Principal,
    lang: str | None,
    where: QualityFilter,
) -> QualityReportRequest:
    base = report_request(ctx, conn, who, lang)
    return QualityReportRequest(
        **{f.name: getattr(base, f.name) for f in dataclasses.fields(base)},
        where=where,
        repeat_days=REPEAT_DAYS,
    )


def in_policy_order(ctx: ServiceContext, report: QualityReport) -> QualityReport:
    """Deadlines as the process meets them (acknowledge, investigate, reply …), kinds
    in the policy's order, rather than alphabetically."""
    kinds = ctx.policy.kinds
    order: dict[tuple[str, str], int] = {}
    for k, kind in enumerate(kinds):
        for m, rule in enumerate(ctx.policy.milestones_for(kind, "ordinary", "")):
            order[(kind, rule.id)] = k * 100 + m
    ranked = sorted(
        report.milestones,
        key=lambda r: (order.get((r.kind, r.milestone), len(kinds) * 100), r.kind, r.milestone),
    )
    return dataclasses.replace(report, milestones=tuple(ranked))


def quality_report_pdf(
    ctx: ServiceContext,
    *,
    actor: str,
    since: datetime,
    until: datetime,
    where: QualityFilter = EVERYTHING,
    lang: str | None = None,
) -> bytes:
    """The quality report of [since, until) under `where`, in `lang` (default: the
    branch's language). Managers and administrators ("quality.read")."""
    if until <= since:
        raise ValidationError([FieldError("quality_until", "error.quality.until_before_since")])
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "quality.read")
        _check(ctx, conn, where)
    figures = quality.report(
        ctx, since=since, until=until, actor=actor, where=where, repeat_days=REPEAT_DAYS
    )
    with ctx.db.write() as conn:
        who = authorize(ctx, conn, actor, "quality.read")
        request = print_request(ctx, conn, who, lang, where)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="quality.print",
            case_id=None,
            detail={
                "since": since.isoformat(),
                "until": until.isoformat(),
                "filter": {k: v for k, v in dataclasses.asdict(where).items() if v},
                "lang": request.texts.lang,
            },
        )
    return render_quality_report(in_policy_order(ctx, figures), request)
