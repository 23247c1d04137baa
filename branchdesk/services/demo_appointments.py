"""A week of the demo branch's appointment book: home visits by three technicians from
three working days ago to four days ahead, booked through the real intake (so the book,
its conflict rule and the reminders hold them exactly as a clerk's bookings), with a few
of the past ones missed and some of those rescheduled, the others visited and resolved.
The bulk demo writer does not book appointments; this gives the book, the workbench's
reminder and the dashboard's missed-appointment figures something to show."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select

from branchdesk.domain.model import Appointment, IntakeForm
from branchdesk.persistence.schema import outbox
from branchdesk.services import appointments, cases
from branchdesk.services.context import ServiceContext
from branchdesk.services.demo_stories import CLERKS, HANDLERS, Words, customer

TECHNICIANS = ("王师傅", "李师傅", "张师傅")
SLOTS = (time(9, 0), time(10, 30), time(14, 0), time(15, 30))
SERVICES = (
    ("service_request/broadband_install", "宽带上门安装", "新装宽带，约师傅上门安装光猫"),
    ("service_request/fault_repair", "宽带故障上门维修", "宽带频繁掉线，约师傅上门检修"),
    ("service_request/relocation", "宽带移机", "搬家后宽带移机，约师傅上门"),
)
MISSED_SHARE = 0.25


def book_demo_week(ctx: ServiceContext, *, actor: str, seed: int) -> int:
    """Book the demo week at the counter (the demo's clerks); returns how many
    appointments were booked. `actor` is who asked for the demo data."""
    rng = random.Random(seed * 7_919 + 17)
    words = Words()
    real_clock = ctx.clock
    today = ctx.now().date()
    days = [today + timedelta(days=d) for d in range(-5, 6)]
    days = [d for d in days if ctx.calendar.is_working_day(d)]
    past = [d for d in days if d < today][-3:]
    ahead = [d for d in days if d >= today][:4]
    booked = 0
    with ctx.db.read() as conn:
        queued = conn.execute(select(func.coalesce(func.max(outbox.c.seq), 0))).scalar_one()
    try:
        for day in (*past, *ahead):
            for staff in TECHNICIANS:
                for slot in sorted(rng.sample(SLOTS, rng.randint(2, 3))):
                    start = datetime.combine(day, slot, tzinfo=ctx.tz)
                    # Booked the working day before, at the counter.
                    _at(ctx, real_clock, min(real_clock(), start - timedelta(hours=20)))
                    clerk = rng.choice(CLERKS)
                    number = _book(ctx, clerk, rng, words, staff, start)
                    booked += 1
                    if day >= today:
                        continue
                    if rng.random() < MISSED_SHARE:
                        _at(ctx, real_clock, start + timedelta(hours=2))
                        appointments.record_missed(
                            ctx, number=number, actor=clerk, note="上门时家中无人"
                        )
                        if rng.random() < 0.5:
                            _reschedule(ctx, clerk, number, staff, ahead, rng)
                    else:
                        _visit(ctx, real_clock, number, clerk, rng.choice(HANDLERS), start)
    finally:
        ctx.clock = real_clock
        # Demo data is never sent to headquarters: the intakes' outbox rows go again
        # (the tail of the queue, so the sequence stays gapless).
        with ctx.db.write() as conn:
            conn.execute(delete(outbox).where(outbox.c.seq > queued))
    return booked


def _visit(
    ctx: ServiceContext,
    real_clock: Callable[[], datetime],
    number: str,
    clerk: str,
    handler: str,
    start: datetime,
) -> None:
    """A kept visit: acknowledged and handed to a handler the day before, the work
    started at the door and the case resolved when the technician leaves."""
    steps: tuple[tuple[datetime, str, str, dict[str, str]], ...] = (
        (start - timedelta(hours=19), clerk, "acknowledge", {}),
        (start - timedelta(hours=18), clerk, "assign", {"to": handler}),
        (start, handler, "start_work", {}),
        (start + timedelta(minutes=70), handler, "resolve", {"result": "已上门办理完成"}),
    )
    for moment, who, action, params in steps:
        _at(ctx, real_clock, moment)
        cases.act(ctx, number=number, action=action, params=params, actor=who)


def _at(ctx: ServiceContext, real_clock: Callable[[], datetime], moment: datetime) -> None:
    ctx.clock = lambda: min(moment, real_clock())


def _book(
    ctx: ServiceContext,
    actor: str,
    rng: random.Random,
    words: Words,
    staff: str,
    start: datetime,
) -> str:
    category, service, summary = rng.choice(SERVICES)
    form = IntakeForm(
        kind="service_request",
        channel="walk_in",
        category=category,
        customer=customer(rng, words),
        summary=summary,
        appointment=Appointment(service, start, start + timedelta(hours=1), staff=staff),
    )
    return cases.intake(ctx, form=form, actor=actor).case.number


def _reschedule(
    ctx: ServiceContext,
    actor: str,
    number: str,
    staff: str,
    ahead: list[date],
    rng: random.Random,
) -> None:
    """Move a missed visit to a free evening slot ahead (the customer's new time)."""
    for day in rng.sample(ahead, len(ahead)):
        start = datetime.combine(day, time(17, 0), tzinfo=ctx.tz)
        taken = appointments.day_book(ctx, day, actor=actor, staff=staff)
        if any(e.start == start and e.status == "booked" for e in taken):
            continue
        appointments.reschedule(
            ctx,
            number=number,
            start=start,
            end=start + timedelta(hours=1),
            reason="客户来电改约",
            actor=actor,
            staff=staff,
        )
        return
