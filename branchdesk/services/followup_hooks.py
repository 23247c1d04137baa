"""What escalation follow-up records beside a case event, in the event's own
transaction (called by `recording.record` for every event): the appointment book
follows its case (booked, moved, missed, cancelled, done), a closure schedules its
return visit, a reopening cancels a pending one (and links the visit that led to it),
a link to an incident puts the case on the incident's list. Whichever way the event
came in (desktop, command line, HQ instruction), the follow-up tables agree with it."""

from __future__ import annotations

from sqlalchemy import Connection

from branchdesk.domain.process import CaseEvent, CaseSnapshot
from branchdesk.services.context import ServiceContext


def after_event(
    ctx: ServiceContext, conn: Connection, *, case_id: int, case: CaseSnapshot, event: CaseEvent
) -> None:
    if case.appointment is not None:
        from branchdesk.services import appointments

        if event.kind in appointments.BOOK_EVENTS:
            appointments.on_event(ctx, conn, case_id=case_id, case=case, event=event)
    if event.kind == "answer":
        from branchdesk.services import faq

        faq.count_use(ctx, conn, event)
    if event.kind not in ("close", "reopen", "link_incident"):
        return
    # Imported here: these services record events themselves (import cycle otherwise).
    from branchdesk.services import incidents, return_visits

    if event.kind == "close":
        return_visits.schedule_on_close(ctx, conn, case_id=case_id, case=case, seq=case.version)
    elif event.kind == "reopen":
        return_visits.cancel_on_reopen(conn, case_id=case_id)
        visit = event.payload.get("return_visit")
        if visit is not None:
            return_visits.link_reopen(conn, case_id=case_id, visit_id=int(visit), seq=case.version)
    else:
        incidents.attach_on_link(ctx, conn, case_id=case_id, event=event)
