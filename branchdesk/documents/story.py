"""A case's events told in words for paper: the same telling as the desktop's case
history (an action's title, its essential parameters, then "label: value" details),
built from the document text tables instead of Qt translations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from branchdesk.documents.texts import Texts
from branchdesk.domain.actions import ACTION_PARAMS, ParamSpec, ParamType
from branchdesk.domain.catalogue import Catalogue
from branchdesk.domain.sla import MilestoneStatus
from branchdesk.services.cases import EventView

# The parameters each action's sentence is made of (the rest become detail lines);
# by default the first two required ones. As on screen.
_ESSENCE = {
    "record_investigation": ("methods", "findings"),
    "reply_customer": ("summary",),
    "resolve": ("result",),
    "extend": ("reason",),
    "approve_escalation": ("supervisor",),
    "order_supervision": ("supervisor", "reason"),
}
# A choice that qualifies the action itself: "记录调查（初步核实）".
_QUALIFIER = {"record_investigation": "stage", "reply_customer": "channel"}


@dataclass(frozen=True)
class Told:
    """One event in words: `title` ("认定责任"), `text` ("电信企业 — 基站覆盖不足")
    and further "label: value" lines."""

    title: str
    text: str
    details: tuple[str, ...]


class Story:
    """Turns the events of one case into sentences in `texts`' language."""

    def __init__(
        self,
        texts: Texts,
        catalogue: Catalogue,
        names: Mapping[str, str],
        milestones: tuple[MilestoneStatus, ...],
        *,
        describe_intake: bool = False,
    ) -> None:
        self.t = texts
        # On paper the description is printed once with the case details; a screen's
        # history tells it with the intake.
        self.describe_intake = describe_intake
        self.catalogue = catalogue
        self.names = names
        self.milestones = {m.id: m for m in milestones}

    @property
    def lang(self) -> str:
        return self.t.lang

    def person(self, staff_no: str) -> str:
        """ "C101 王晓燕" (the number alone for someone unknown)."""
        return self.t.person(staff_no, self.names)

    def colon(self, head: str, tail: str) -> str:
        """ "head：tail", or the head alone when there is nothing to add."""
        return self.t.pair(head, tail) if tail else head

    def paren(self, head: str, inner: str) -> str:
        if not inner:
            return head
        return f"{head}（{inner}）" if self.t.zh else f"{head} ({inner})"

    def field(self, name: str) -> str:
        if name == "compensation_fen":  # the form asks in fen; paper shows yuan
            return self.t("doc.field.compensation")
        return self.t.word("field", name)

    def value(self, spec: ParamSpec, raw: Any) -> str:
        if raw is None:
            return ""
        if spec.type is ParamType.CHOICE and spec.choices is not None:
            return self.t.word(f"label.{spec.choices.__name__}", str(raw))
        if spec.type is ParamType.CHOICES and spec.choices is not None:
            prefix = f"label.{spec.choices.__name__}"
            return self.t.join([self.t.word(prefix, str(v)) for v in raw])
        if spec.type is ParamType.BOOL:
            return self.t("doc.yes") if raw else self.t("doc.no")
        if spec.type is ParamType.STAFF:
            return self.t.person(str(raw), self.names)
        if spec.type is ParamType.MILESTONE:
            return self.t.word("milestone", str(raw))
        if spec.type is ParamType.CATEGORY:
            return self.catalogue.label(str(raw), self.t.lang)
        if spec.type is ParamType.INT and spec.name == "compensation_fen":
            return self.t.money(int(raw))
        return str(raw)

    def tell(self, event: EventView) -> Told:
        if event.kind == "received":
            return self._received(event)
        p = event.payload
        specs = {s.name: s for s in ACTION_PARAMS.get(event.kind, ())}
        essence = _ESSENCE.get(event.kind) or tuple(n for n in specs if specs[n].required)[:2]
        qualifier = _QUALIFIER.get(event.kind)
        used = {*essence, qualifier}
        title = self.t.word("label.Action", event.kind)
        if qualifier:
            title = self.paren(title, self.value(specs[qualifier], p.get(qualifier)))
        parts = [self.value(specs[n], p.get(n)) for n in essence]
        match event.kind:
            case "assign":  # "分派给 H201 刘志强" says it all
                title, parts = f"{self.field('to')} {parts[0]}", []
            case "record_feedback":
                verdict = self.t(
                    "doc.story.satisfied" if p.get("satisfied") else "doc.story.not_satisfied"
                )
                parts = [f"{verdict} · {self.t('doc.story.score', score=p.get('score'))}"]
            case "extend":
                used |= {"milestone", "amount"}
                parts.insert(0, self._extension(p))
            case "archive":
                parts = [str(p.get("archive_no", ""))]
            case "return_visit":  # recorded by the return-visit service, not an action
                if p.get("reached"):
                    solved = "doc.story.solved" if p.get("solved") else "doc.story.not_solved"
                    score = self.t("doc.story.score", score=p.get("score"))
                    parts = [f"{score} · {self.t(solved)}", str(p.get("comment") or "")]
                else:
                    parts = [self.t("doc.story.not_reached")]
        details = tuple(
            self.t.pair(self.field(name), self.value(spec, p.get(name)))
            for name, spec in specs.items()
            if name not in used and p.get(name) not in (None, "", [])
        )
        return Told(title, " — ".join(x for x in parts if x), details)

    def _extension(self, p: Mapping[str, Any]) -> str:
        """ "确认投诉内容 +24小时": the milestone and the time added, in its own unit."""
        milestone = self.t.word("milestone", p.get("milestone"))
        status = self.milestones.get(str(p.get("milestone")))
        if status is None or status.limit is None:
            return f"{milestone} +{p.get('amount')}"
        return f"{milestone} +{self.t(f'unit.{status.limit.unit.value}', amount=p.get('amount'))}"

    def _received(self, event: EventView) -> Told:
        p = event.payload
        title = self.paren(
            self.t("doc.story.received"), self.t.word("label.Channel", p.get("channel"))
        )
        details = []
        if self.describe_intake and p.get("description"):
            details.append(self.t.pair(self.field("description"), str(p["description"])))
        if p.get("backdated"):
            entered = self.t.when(datetime.fromisoformat(p["entered_at"]))
            details.append(self.t("doc.story.backdated", entered=entered))
        return Told(title, str(p.get("summary", "")), tuple(details))
