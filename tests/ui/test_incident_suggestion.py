"""The counter's incident hint: shown only for a complaint of the same service and
area as an active incident, and linking the saved case in one action."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from branchdesk.domain.incidents import IncidentDraft
from branchdesk.services import cases, incidents
from tests.conftest import Branch, complaint_form
from tests.ui.typing import drain
from ui.incident_suggestion import IncidentSuggestion
from ui.worker import DbWorker


def outage(branch: Branch) -> str:
    draft = IncidentDraft(
        type="network_outage",
        level=2,
        started_at=branch.ctx.now() - timedelta(minutes=10),
        district="天河区",
        street="体育西路",
        services=["technical/network", "宽带"],
        scope="体育西路光缆中断",
    )
    return incidents.create_incident(branch.ctx, draft, actor="M301").number


def strip(qtbot: QtBot, branch: Branch, worker: DbWorker) -> IncidentSuggestion:
    widget = IncidentSuggestion(branch.ctx, worker, "A001")
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_shown_for_the_same_service_and_area_only(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    number = outage(branch)
    widget = strip(qtbot, branch, worker)
    with qtbot.waitSignal(widget.suggested, timeout=5000) as got:
        widget.update_for("technical/network", None, ["天河区体育西路100号"])
    assert [i.number for i in got.args[0]] == [number]
    assert widget.isVisible() and widget.chosen() == number
    with qtbot.waitSignal(widget.suggested, timeout=5000) as got:
        widget.update_for("policy/tariff", None, ["天河区体育西路100号"])
    assert got.args[0] == [] and not widget.isVisible() and widget.chosen() is None
    with qtbot.waitSignal(widget.suggested, timeout=5000) as got:
        widget.update_for("technical/network", None, ["越秀区北京路"])
    assert got.args[0] == []


def test_the_saved_case_is_linked(qtbot: QtBot, branch: Branch, worker: DbWorker) -> None:
    number = outage(branch)
    widget = strip(qtbot, branch, worker)
    with qtbot.waitSignal(widget.suggested, timeout=5000):
        widget.update_for("technical/equipment", "宽带", ["天河区体育西路3号"])
    case = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    with qtbot.waitSignal(widget.linked, timeout=5000) as got:
        widget.link_saved(case)
    assert tuple(got.args) == (case, number)
    drain(qtbot, worker)
    assert cases.get_case(branch.ctx, case, viewer="A001").case.incident == number
    # Unticked: nothing is linked.
    widget.link.setChecked(False)
    other = cases.intake(branch.ctx, form=complaint_form(), actor="A001").case.number
    widget.link_saved(other)
    drain(qtbot, worker)
    assert cases.get_case(branch.ctx, other, viewer="A001").case.incident is None
