"""The appointment book (预约): service requests' appointments per staff member or
technician, listed by day or week, kept free of double bookings, moved and marked
missed as case events, the day's reminders and the appointments due within the hour,
and the technician's day sheet (a printed list of one person's day).

The `appointments` table is a projection of the case events, written in each event's
own transaction (`on_event`, called from the follow-up hook), so a booking made at
intake, by a reschedule or through sync is checked against the diary the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, insert, select, update

from branchdesk.domain.appointments import (
    Slot,
    day_bounds,
    find_conflict,
    staff_key,
    week_bounds,
)
from branchdesk.domain.errors import FieldError, ValidationError
from branchdesk.domain.identity import mask_phone
from branchdesk.domain.process import CaseEvent, CaseSnapshot
from branchdesk.persistence.schema import appointments, cases, staff
from branchdesk.services import cases as case_services
from branchdesk.services.access import authorize, mask_service_number
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext

if TYPE_CHECKING:
    from branchdesk.services.printing import PrintedDocument

#: The events after which a booked visit has taken place (the work was done).
DONE_EVENTS = frozenset({"resolve", "resolve_by_incident", "close"})
#: The events that change a case's place in the book.
BOOK_EVENTS = frozenset(
    {"received", "reschedule_appointment", "record_missed_appointment", "cancel", *DONE_EVENTS}
)


@dataclass(frozen=True)
class BookEntry:
    """One line of the book, as a day or week listing shows it."""

    case_number: str
    staff: str | None
    start: datetime
    end: datetime
    service_type: str | None
    status: str
    customer_name: str
    service_number: str | None  # masked: the book is read by every role
    summary: str
    reschedules: int
    phone: str = ""  # masked, as on receipts
    address: str | None = None  # where a technician goes
    content: str | None = None  # what the visit is for, as booked


#: Staff whose roles serve customers by appointment: offered in the book's staff filter.
SERVICE_ROLES = frozenset({"clerk", "handler"})
#: How far back the staff filter looks for names on the book.
NAMES_SINCE = timedelta(days=60)


def on_event(
    ctx: ServiceContext, conn: Connection, *, case_id: int, case: CaseSnapshot, event: CaseEvent
) -> None:
    """Bring the book in step with `event` (inside its transaction). A booking that
    would double-book its staff member raises ValidationError: the event is not
    recorded."""
    if event.kind not in BOOK_EVENTS or case.appointment is None:
        return
    if event.kind in DONE_EVENTS:
        conn.execute(
            update(appointments)
            .where(appointments.c.case_id == case_id, appointments.c.status == "booked")
            .values(status="done")
        )
        return
    if event.kind == "cancel":
        conn.execute(
            update(appointments)
            .where(appointments.c.case_id == case_id, appointments.c.status == "booked")
            .values(status="cancelled")
        )
        return
    if event.kind == "record_missed_appointment":
        conn.execute(
            update(appointments).where(appointments.c.case_id == case_id).values(status="missed")
        )
        return
    slot = case.appointment
    new = Slot(
        case.number,
        slot.get("staff"),
        datetime.fromisoformat(slot["start"]),
        datetime.fromisoformat(slot["end"]),
    )
    field = "appointment.start" if event.kind == "received" else "start"
    _refuse_conflict(conn, new, field=field)
    values = {
        "staff": new.staff,
        "staff_key": staff_key(new.staff),
        "start_at": new.start,
        "end_at": new.end,
        "service_type": slot.get("service_type"),
        "status": "booked",
    }
    if event.kind == "received":
        conn.execute(insert(appointments).values(case_id=case_id, **values))
        return
    done = conn.execute(
        update(appointments)
        .where(appointments.c.case_id == case_id)
        .values(**values, reschedules=appointments.c.reschedules + 1)
    )
    if done.rowcount == 0:  # booked for the first time by this event
        conn.execute(insert(appointments).values(case_id=case_id, **values))


def _refuse_conflict(conn: Connection, new: Slot, *, field: str) -> None:
    key = staff_key(new.staff)
    if key is None:
        return
    rows = conn.execute(
        select(cases.c.number, appointments.c.staff, appointments.c.start_at, appointments.c.end_at)
        .join(cases, cases.c.id == appointments.c.case_id)
        .where(
            appointments.c.staff_key == key,
            appointments.c.status == "booked",
            appointments.c.start_at < new.end,
            appointments.c.end_at > new.start,
        )
    ).all()
    clash = find_conflict(new, [Slot(r.number, r.staff, r.start_at, r.end_at) for r in rows])
    if clash is not None:
        raise ValidationError(
            [
                FieldError(
                    field,
                    "error.appointment.conflict",
                    {"case": clash.case_number, "staff": clash.staff or ""},
                )
            ]
        )


def _listing(
    ctx: ServiceContext,
    start: datetime,
    end: datetime,
    *,
    actor: str,
    staff: str | None,
    statuses: Sequence[str] | None = None,
) -> list[BookEntry]:
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "appointment.read")
        a = appointments.c
        conditions = [a.start_at < end, a.end_at > start]
        key = staff_key(staff)
        if key is not None:
            conditions.append(a.staff_key == key)
        if statuses is not None:
            conditions.append(a.status.in_(statuses))
        rows = conn.execute(
            select(
                cases.c.number,
                a.staff,
                a.start_at,
                a.end_at,
                a.service_type,
                a.status,
                a.reschedules,
                cases.c.customer_name,
                cases.c.service_number,
                cases.c.summary,
                cases.c.customer_phone,
                cases.c.customer_address,
                cases.c.appointment,
            )
            .join(cases, cases.c.id == a.case_id)
            .where(and_(*conditions))
            .order_by(a.start_at, a.staff_key, cases.c.number)
        ).all()
    return [
        BookEntry(
            case_number=r.number,
            staff=r.staff,
            start=r.start_at.astimezone(ctx.tz),
            end=r.end_at.astimezone(ctx.tz),
            service_type=r.service_type,
            status=r.status,
            customer_name=r.customer_name,
            service_number=mask_service_number(r.service_number),
            summary=r.summary,
            reschedules=r.reschedules,
            phone=mask_phone(r.customer_phone),
            address=r.customer_address,
            content=_content(r.appointment),
        )
        for r in rows
    ]


def _content(slot: object) -> str | None:
    if isinstance(slot, dict) and slot.get("content"):
        return str(slot["content"])
    return None


def day_book(
    ctx: ServiceContext, day: date, *, actor: str, staff: str | None = None
) -> list[BookEntry]:
    """Every appointment of the branch-local `day` (of one person if `staff`)."""
    start, end = day_bounds(day, ctx.tz)
    return _listing(ctx, start, end, actor=actor, staff=staff)


def week_book(
    ctx: ServiceContext, day: date, *, actor: str, staff: str | None = None
) -> list[BookEntry]:
    """Every appointment of the Monday-to-Sunday week holding `day`."""
    start, end = week_bounds(day, ctx.tz)
    return _listing(ctx, start, end, actor=actor, staff=staff)


def reminders(
    ctx: ServiceContext, day: date, *, actor: str, staff: str | None = None
) -> list[BookEntry]:
    """The day's appointments still to keep: on the book (not missed or cancelled) and
    not over yet — whom to call or remind before they are due (of one person if
    `staff`). A day gone by has none."""
    start, end = day_bounds(day, ctx.tz)
    now = ctx.now()
    booked = _listing(ctx, start, end, actor=actor, staff=staff, statuses=("booked",))
    return [e for e in booked if e.end > now]


def due_soon(
    ctx: ServiceContext, *, actor: str, within: timedelta = timedelta(hours=1)
) -> list[BookEntry]:
    """Appointments still on the book that start from now to `within` from now: the
    workbench's reminder that someone is expected (or a technician must leave)."""
    now = ctx.now()
    entries = _listing(ctx, now, now + within, actor=actor, staff=None, statuses=("booked",))
    return [e for e in entries if e.start >= now]


def book_staff(ctx: ServiceContext, *, actor: str) -> list[str]:
    """The names the book can be narrowed to: everyone named on an appointment of the
    last weeks or later, and the active staff whose roles serve customers; one
    spelling per person (the first met), in code point order."""
    since = ctx.now() - NAMES_SINCE
    with ctx.db.read() as conn:
        authorize(ctx, conn, actor, "appointment.read")
        booked = conn.execute(
            select(appointments.c.staff)
            .where(appointments.c.staff_key.is_not(None), appointments.c.end_at >= since)
            .distinct()
        ).scalars()
        members = conn.execute(
            select(staff.c.name, staff.c.roles).where(staff.c.active.is_(True))
        ).all()
    names: dict[str, str] = {}
    serving = (m.name for m in members if SERVICE_ROLES & set(m.roles.split(",")))
    for name in [*booked, *serving]:
        key = staff_key(name)
        if key is not None and key not in names:
            names[key] = " ".join(name.split())
    return sorted(names.values())


def reschedule(
    ctx: ServiceContext,
    *,
    number: str,
    start: datetime,
    end: datetime,
    reason: str,
    actor: str,
    staff: str | None = None,
) -> CaseView:
    """Move case `number`'s appointment (book one if it had none): a case event. A
    naive time is taken as branch-local."""
    params: dict[str, str] = {
        "start": _aware(ctx, start).isoformat(),
        "end": _aware(ctx, end).isoformat(),
        "reason": reason,
    }
    if staff is not None:
        params["staff"] = staff
    return case_services.act(
        ctx, number=number, action="reschedule_appointment", params=params, actor=actor
    )


def record_missed(
    ctx: ServiceContext, *, number: str, actor: str, note: str | None = None
) -> CaseView:
    """The customer (or the technician) did not keep the appointment: a case event."""
    params = {"note": note} if note else {}
    return case_services.act(
        ctx, number=number, action="record_missed_appointment", params=params, actor=actor
    )


def _aware(ctx: ServiceContext, value: datetime) -> datetime:
    return value.replace(tzinfo=ctx.tz) if value.tzinfo is None else value.astimezone(ctx.tz)


def day_sheet(
    ctx: ServiceContext,
    day: date,
    *,
    actor: str,
    staff: str | None = None,
    lang: str | None = None,
) -> PrintedDocument:
    """The day's book (of one person if `staff`) as a printable A4 list for the
    technician: time, case, customer (phone masked), service, address, status. The
    print is written to the audit trail."""
    # Imported here: the book is updated on every case event, the PDF tools are not
    # needed for that.
    from branchdesk.documents.appointment_day_sheet import DaySheet, render_day_sheet
    from branchdesk.documents.model import Letterhead
    from branchdesk.i18n import resolve_language
    from branchdesk.services.branch import branch_logo, read_settings
    from branchdesk.services.printing import PrintedDocument, first_page_size
    from branchdesk.services.recording import write_audit

    entries = day_book(ctx, day, actor=actor, staff=staff)
    with ctx.db.write() as conn:
        who = authorize(ctx, conn, actor, "appointment.read")
        settings = read_settings(conn)
        write_audit(
            ctx,
            conn,
            actor=actor,
            action="appointment.day_sheet",
            case_id=None,
            detail={"day": day.isoformat(), "staff": staff, "appointments": len(entries)},
        )
    sheet = DaySheet(
        branch=Letterhead(
            name=str(settings.get("branch.name", "")),
            address=str(settings.get("branch.address", "")),
            phone=str(settings.get("branch.phone", "")),
            logo_png=branch_logo(settings),
        ),
        day=day,
        staff=staff,
        entries=entries,
        printed_at=ctx.now(),
        printed_by=f"{who.staff_no} {who.name}",
    )
    language = resolve_language(lang or str(settings.get("branch.language", "zh_CN")))
    pdf = render_day_sheet(sheet, lang=language, tz=ctx.tz)
    width, height = first_page_size(pdf)
    label = f"{day.isoformat()}-{' '.join(staff.split())}" if staff else day.isoformat()
    return PrintedDocument(label, "appointment_day_sheet", 1, pdf, width, height)
