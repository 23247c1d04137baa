"""The bulk resolution of an incident's linked cases with its explanation (ch. 7:
many complaints answered together): one transaction per case, each recording its
progress in `incident_cases` in that same transaction, so that after a crash (or a
cancel) a rerun carries on with the cases not yet done and none is resolved twice.
Each case keeps its own feedback and can be reopened like any other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from branchdesk.domain import process
from branchdesk.domain.errors import DomainError
from branchdesk.domain.process import CaseSnapshot
from branchdesk.persistence.schema import cases, incident_cases
from branchdesk.services import incidents
from branchdesk.services.access import authorize
from branchdesk.services.context import ServiceContext
from branchdesk.services.incidents import Progress
from branchdesk.services.recording import load_events, record


@dataclass(frozen=True)
class BulkResult:
    resolved: int
    skipped: int
    remaining: int  # not yet done (cancelled part-way); a rerun carries on


def _skip_reason(case: CaseSnapshot) -> str | None:
    if "resolve_by_incident" in process.allowed_actions(case):
        return None
    if case.paused:
        return "paused"
    return f"state:{case.state.value}"


def bulk_resolve(
    ctx: ServiceContext, number: str, *, actor: str, progress: Progress | None = None
) -> BulkResult:
    """Resolve every linked case not yet done with the incident's explanation: one
    transaction per case (its event and its line in `incident_cases` together). A case
    that cannot be resolved now (already resolved, closed, paused …) is marked skipped
    with the reason. Stop early by returning False from `progress`; rerun to go on."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "incident.manage")
        row = incidents.incident_row(conn, number)
        if row.status != "resolved":
            raise DomainError("error.incident.not_resolved", number=row.number)
        todo = incidents.linked_ids(conn, row.id, pending_only=True)
    params: dict[str, Any] = {
        "incident": row.number,
        "result": row.explanation,
        "cause_analysis": row.root_cause,
    }
    if row.compensation_fen:
        params["compensation_fen"] = row.compensation_fen
    resolved = skipped = 0
    total = len(todo)
    for done, case_id in enumerate(todo, start=1):
        with ctx.db.write() as conn:
            state = conn.execute(
                select(incident_cases.c.outcome).where(
                    incident_cases.c.incident_id == row.id, incident_cases.c.case_id == case_id
                )
            ).scalar()
            if state is not None:  # done by a concurrent run meanwhile
                continue
            history = load_events(conn, case_id)
            case = process.replay(history)
            reason = _skip_reason(case)
            if reason is None:
                authorize(ctx, conn, actor, "case.resolve_by_incident", case=case)
                event = process.decide(
                    case, "resolve_by_incident", params, actor=actor, at=ctx.now()
                )
                record(ctx, conn, case_id=case_id, before=case, history=history, event=event)
                outcome = "resolved"
                resolved += 1
            else:
                outcome = "skipped"
                skipped += 1
            conn.execute(
                update(incident_cases)
                .where(incident_cases.c.incident_id == row.id, incident_cases.c.case_id == case_id)
                .values(outcome=outcome, outcome_reason=reason, done_at=ctx.now())
            )
        if progress is not None and not progress(done, total):
            return BulkResult(resolved, skipped, total - done)
    with ctx.db.write() as conn:
        incidents.note(conn, ctx, row.id, actor, "bulk", f"{resolved}/{skipped}", resolved)
    return BulkResult(resolved, skipped, 0)


def resolved_case_numbers(ctx: ServiceContext, number: str, *, actor: str) -> list[str]:
    """The linked cases the bulk resolution resolved (whose letters go out together)."""
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "incident.read")
        row = incidents.incident_row(conn, number)
        return [
            str(r[0])
            for r in conn.execute(
                select(cases.c.number)
                .join(incident_cases, incident_cases.c.case_id == cases.c.id)
                .where(
                    incident_cases.c.incident_id == row.id, incident_cases.c.outcome == "resolved"
                )
                .order_by(cases.c.id)
            )
        ]
