"""How the command line shows things: aligned tables and case sheets in zh_CN or
English for people, or JSON for scripts. Codes are turned into words through the
message tables; times are shown in the branch's time zone."""

from __future__ import annotations

import dataclasses
import json
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from branchdesk import display
from branchdesk.domain.catalogue import Catalogue
from branchdesk.domain.identity import mask_phone
from branchdesk.i18n import messages, translate
from branchdesk.services.branch import BranchInfo, branch_info
from branchdesk.services.cases import CaseView
from branchdesk.services.context import DEFAULT_TZ, ServiceContext
from branchdesk.services.queries import CaseSummary


def jsonable(value: Any, tz: ZoneInfo = DEFAULT_TZ) -> Any:
    """Plain JSON values from dataclasses, enums, dates and mappings; times in `tz`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), tz) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return (value.astimezone(tz) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, tz) for v in value]
    return value


def width(text: str) -> int:
    """Display columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


class Printer:
    def __init__(
        self,
        *,
        lang: str,
        as_json: bool,
        stream: TextIO | None = None,
        errors: TextIO | None = None,
    ) -> None:
        self.lang = lang
        self.as_json = as_json
        self.out = stream or sys.stdout
        self.err = errors or sys.stderr
        self.tz: ZoneInfo = DEFAULT_TZ
        self.fixed_language = False
        self.catalogue: Catalogue | None = None

    def use_branch(self, ctx: ServiceContext) -> None:
        """Show times in the branch's zone and, unless --lang said otherwise, speak
        the branch's language."""
        self.tz = ctx.tz
        self.catalogue = ctx.catalogue
        if not self.fixed_language:
            self.lang = branch_info(ctx).language

    # -- plumbing
    def t(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)

    def word(self, prefix: str, code: str | None) -> str:
        if code is None:
            return ""
        return messages(self.lang).get(f"{prefix}.{code}", code)

    def when(self, value: datetime | None) -> str:
        return display.when(value, self.tz)

    def left(self, due: datetime | None, now: datetime) -> str:
        return display.time_left(due, now, self.lang)

    def line(self, text: str = "") -> None:
        if not self.as_json:
            print(text, file=self.out)

    def note(self, text: str) -> None:
        print(text, file=self.err)

    def error(self, text: str) -> None:
        print(text, file=self.err)

    def emit_json(self, value: Any) -> None:
        json.dump(jsonable(value, self.tz), self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")

    def progress(self, done: int, total: int) -> None:
        if not self.as_json:
            print(self.t("cli.progress", done=done, total=total), file=self.err)

    # -- tables
    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
        if any(headers):
            self.line("  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
        for row in rows:
            self.line("  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())

    def rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if self.as_json:
            self.emit_json(list(rows))
            return
        if not rows:
            self.line(self.t("cli.none"))
            return
        headers = list(rows[0])
        self.table(headers, [[str(r[h]) for h in headers] for r in rows])

    def mapping(self, values: Mapping[str, Any]) -> None:
        if self.as_json:
            self.emit_json(values)
            return
        for key, value in values.items():
            self.line(f"{pad(self.word('cli.key', key), 14)}{value}")

    def summaries(self, items: Sequence[CaseSummary]) -> None:
        if self.as_json:
            self.emit_json(list(items))
            return
        if not items:
            self.line(self.t("cli.none"))
            return
        now = datetime.now(self.tz)
        headers = [
            self.t(f"cli.col.{c}")
            for c in ("number", "kind", "customer", "phone", "state", "owner", "next_due", "left")
        ]
        rows = [
            [
                c.number,
                self.word("label.CaseKind", c.kind),
                c.customer_name,
                c.phone_masked,
                self.word("label.CaseState", c.state)
                + (self.t("cli.paused_mark") if c.paused else ""),
                c.owner,
                self.word("milestone", c.next_milestone),
                self.left(c.next_due_at, now) + ("*" if c.provisional else ""),
            ]
            for c in items
        ]
        self.table(headers, rows)
        if any(c.provisional for c in items):
            self.line(self.t("cli.provisional_note"))

    # -- one case
    def case(self, view: CaseView, *, created: bool = False, already_saved: bool = False) -> None:
        """One case; `created` after `case new`, `already_saved` when that was a retry
        of a form saved before (the case shown is the one saved then)."""
        if self.as_json:
            sheet: dict[str, Any] = {
                "id": view.id,
                "case": view.case,
                "milestones": view.milestones,
                "events": view.events,
                "allowed_actions": view.allowed_actions,
            }
            if created:
                sheet["already_saved"] = already_saved
            self.emit_json(sheet)
            return
        c = view.case
        if already_saved:
            self.line(self.t("cli.case.already_saved", number=c.number))
        elif created:
            self.line(self.t("cli.case.created", number=c.number))
        now = datetime.now(self.tz)
        head = " · ".join(
            [
                self.word("label.CaseKind", c.kind.value),
                self.word("label.CaseState", c.state.value),
                self.word("label.Grade", c.grade),
            ]
        )
        self.line(f"{c.number}  {head}" + (self.t("cli.paused_mark") if c.paused else ""))
        facts = [
            ("field.customer.name", f"{c.customer_name}  {mask_phone(c.customer_phone)}"),
            ("field.customer.service_number", c.service_number or ""),
            (
                "field.category",
                self.catalogue.label(c.category, self.lang) if self.catalogue else c.category,
            ),
            ("field.channel", self.word("label.Channel", c.channel)),
            ("field.received_at", self.when(c.received_at)),
            ("cli.field.owner", c.owner),
            ("field.summary", c.summary),
            ("field.remedy", c.remedy),
        ]
        shown = [(self.t(key), value) for key, value in facts if value]
        label_width = max(width(label) for label, _ in shown) + 2
        for label, value in shown:
            self.line(f"  {pad(label, label_width)}{value}")
        if view.milestones:
            self.line(self.t("cli.case.deadlines"))
            rows = []
            for m in view.milestones:
                if m.met_at is not None:
                    status = self.t(
                        "cli.met_late" if m.met_late() else "cli.met", at=self.when(m.met_at)
                    )
                elif m.due_at is None:
                    status = self.t("cli.not_started")
                else:
                    status = self.left(m.due_at, now)
                rows.append(
                    [
                        "  " + self.word("milestone", m.id),
                        self.when(m.due_at) + ("*" if m.provisional else ""),
                        status,
                    ]
                )
            self.table(["", "", ""], rows)
            if any(m.provisional for m in view.milestones):
                self.line(self.t("cli.provisional_note"))
        self.line(self.t("cli.case.history"))
        for e in reversed(view.events):
            what = (
                self.word("label.Action", e.kind)
                if e.kind != "received"
                else self.t("cli.event.received")
            )
            self.line(f"  {self.when(e.at)}  {pad(e.actor, 6)}  {what}")
        actions = ", ".join(f"{a} ({self.word('label.Action', a)})" for a in view.allowed_actions)
        self.line(self.t("cli.case.actions", actions=actions))

    def overview(
        self,
        info: BranchInfo,
        counts: Mapping[str, int],
        overdue: Sequence[CaseSummary],
        due_today: Sequence[CaseSummary],
        recent: Sequence[CaseSummary],
    ) -> None:
        if self.as_json:
            self.emit_json(
                {
                    "branch": info,
                    "counts": counts,
                    "overdue": overdue,
                    "due_today": due_today,
                    "recent": recent,
                }
            )
            return
        self.line(f"{info.name} ({info.code})")
        self.line(
            self.t("cli.start.counts", overdue=counts["overdue"], due_today=counts["due_today"])
        )
        for key, items in (
            ("cli.start.overdue", overdue),
            ("cli.start.due_today", due_today),
            ("cli.start.recent", recent),
        ):
            self.line()
            self.line(self.t(key))
            self.summaries(items)
        self.line()
        self.line(self.t("cli.start.hint"))
