"""A case's history in words: each event told as a title, its essence and further
"label: value" lines, in the current language (the case detail's timeline)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from branchdesk import display
from branchdesk.domain.actions import ACTION_PARAMS, ParamSpec, ParamType
from branchdesk.domain.catalogue import Catalogue
from branchdesk.i18n import field_label
from branchdesk.services.cases import CaseView, EventView
from ui import i18n


@dataclass(frozen=True)
class Told:
    """One event in words: what happened (`title`, e.g. "认定责任"), its essence
    (`text`, e.g. "电信企业 — 基站覆盖不足") and further "label: value" lines."""

    title: str
    text: str
    details: tuple[str, ...]


# The parameters each action's sentence is made of (the rest become detail lines);
# by default the first two required ones.
_ESSENCE = {
    "record_investigation": ("methods", "findings"),
    "reply_customer": ("summary",),
    "resolve": ("result",),
    "extend": ("reason",),
    "approve_escalation": ("supervisor",),
}
# A choice that qualifies the action itself: "记录调查（初步核实）".
_QUALIFIER = {"record_investigation": "stage", "reply_customer": "channel"}


class Story:
    """Turns events into sentences in the current language."""

    def __init__(
        self, catalogue: Catalogue, names: Mapping[str, str], view: CaseView, tz: ZoneInfo
    ) -> None:
        self.lang = i18n.current()
        self.zh = self.lang == "zh_CN"
        self.tz = tz
        self.catalogue = catalogue
        self.names = names
        self.view = view

    def colon(self, head: str, tail: str) -> str:
        if not tail:
            return head
        return f"{head}：{tail}" if self.zh else f"{head}: {tail}"

    def paren(self, head: str, inner: str) -> str:
        if not inner:
            return head
        return f"{head}（{inner}）" if self.zh else f"{head} ({inner})"

    def person(self, staff_no: str) -> str:
        name = self.names.get(staff_no)
        return f"{staff_no} {name}" if name else staff_no

    def value(self, spec: ParamSpec, raw: Any) -> str:
        if raw is None:
            return ""
        if spec.type is ParamType.CHOICE and spec.choices is not None:
            return i18n.word(f"label.{spec.choices.__name__}", str(raw))
        if spec.type is ParamType.CHOICES and spec.choices is not None:
            words = [i18n.word(f"label.{spec.choices.__name__}", str(v)) for v in raw]
            return ("、" if self.zh else ", ").join(words)
        if spec.type is ParamType.BOOL:
            yes = QCoreApplication.translate("CaseDetail", "yes")
            return yes if raw else QCoreApplication.translate("CaseDetail", "no")
        if spec.type is ParamType.STAFF:
            return self.person(str(raw))
        if spec.type is ParamType.MILESTONE:
            return i18n.word("milestone", str(raw))
        if spec.type is ParamType.CATEGORY:
            return self.catalogue.label(str(raw), self.lang)
        return str(raw)

    def tell(self, event: EventView) -> Told:
        if event.kind == "received":
            return self._received(event)
        p = event.payload
        specs = {s.name: s for s in ACTION_PARAMS.get(event.kind, ())}
        essence = _ESSENCE.get(event.kind) or tuple(n for n in specs if specs[n].required)[:2]
        qualifier = _QUALIFIER.get(event.kind)
        used = {*essence, qualifier}
        title = i18n.word("label.Action", event.kind)
        if qualifier:
            title = self.paren(title, self.value(specs[qualifier], p.get(qualifier)))
        parts = [self.value(specs[n], p.get(n)) for n in essence]
        match event.kind:
            case "assign":  # "分派给 H201 刘志强" says it all
                title, parts = f"{field_label('to', self.lang)} {parts[0]}", []
            case "record_feedback":
                verdict = (
                    QCoreApplication.translate("CaseDetail", "satisfied")
                    if p.get("satisfied")
                    else QCoreApplication.translate("CaseDetail", "not satisfied")
                )
                parts = [f"{verdict} · {field_label('score', self.lang)} {p.get('score')}/5"]
            case "extend":
                used |= {"milestone", "amount"}
                parts.insert(0, self._extension(p))
            case "archive":
                parts = [str(p.get("archive_no", ""))]
        details = tuple(
            self.colon(field_label(name, self.lang), self.value(spec, p.get(name)))
            for name, spec in specs.items()
            if name not in used and p.get(name) not in (None, "", [])
        )
        return Told(title, " — ".join(x for x in parts if x), details)

    def _extension(self, p: Mapping[str, Any]) -> str:
        """ "确认投诉内容 +24小时": the milestone and the time added, in its own unit."""
        milestone = i18n.word("milestone", p.get("milestone"))
        status = next((m for m in self.view.milestones if m.id == p.get("milestone")), None)
        if status is None or status.limit is None:
            return f"{milestone} +{p.get('amount')}"
        amount = i18n.text(f"unit.{status.limit.unit.value}", amount=p.get("amount"))
        return f"{milestone} +{amount}"

    def _received(self, event: EventView) -> Told:
        p = event.payload
        title = self.paren(
            QCoreApplication.translate("CaseDetail", "Case received"),
            i18n.word("label.Channel", p.get("channel")),
        )
        details = []
        if p.get("description"):
            details.append(self.colon(field_label("description", self.lang), p["description"]))
        if p.get("backdated"):
            entered = display.when(datetime.fromisoformat(p["entered_at"]), self.tz)
            details.append(
                QCoreApplication.translate(
                    "CaseDetail", "Back-dated: received earlier, entered on {entered}"
                ).format(entered=entered)
            )
        return Told(title, str(p.get("summary", "")), tuple(details))


# -- the pane ---------------------------------------------------------------------------
