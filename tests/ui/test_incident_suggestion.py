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


def test_the_intake_form_offers_the_incident_and_links_the_saved_complaint(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    """At the counter: a walk-in complaint about the outage's service in its area is
    offered the incident while it is typed, and saved linked to it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from tests.ui.signing import signed_in
    from tests.ui.typing import type_text
    from ui.intake_form import IntakeForm

    number = outage(branch)
    form = IntakeForm(worker, signed_in(branch.ctx, "A001"))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.clear()
    qtbot.keyClick(form, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # complaint

    def line(name: str) -> QLineEdit:
        widget = form.field_widget(name)
        assert isinstance(widget, QLineEdit)
        return widget

    type_text(line("customer.phone"), "13812345678")
    type_text(line("customer.name"), "张三")
    type_text(line("summary"), "家里宽带断了")
    for name, text in (("description", "从昨晚起一直无法上网"), ("remedy", "尽快恢复")):
        widget = form.field_widget(name)
        widget.setFocus()
        type_text(widget, text)
    category = form.field_widget("category")
    assert isinstance(category, QComboBox)
    assert form.incident_hint.isHidden()
    category.setCurrentIndex(category.findData("technical/network"))
    type_text(line("customer.address"), "天河区体育西路100号")
    qtbot.waitUntil(lambda: form.incident_hint.chosen() == number, timeout=5000)
    assert number in form.incident_hint.choice.currentText() or form.incident_hint.isVisible()
    with qtbot.waitSignal(form.incident_hint.linked, timeout=5000) as linked:
        qtbot.keyClick(line("customer.address"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved, incident = linked.args
    assert incident == number
    assert cases.get_case(branch.ctx, saved, viewer="A001").case.incident == number


def test_a_link_that_can_no_longer_be_made_saves_nothing_until_unticked(
    qtbot: QtBot, branch: Branch, worker: DbWorker
) -> None:
    """The case and its link are one save: the incident resolved while the complaint
    was typed refuses the save, naming the incident (the case is not left saved without
    the link the clerk chose); unticked, the same form saves, unlinked."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

    from branchdesk.domain.incidents import Resolution
    from branchdesk.i18n import translate
    from branchdesk.services import queries
    from tests.ui.signing import signed_in
    from tests.ui.typing import type_text
    from ui.intake_form import IntakeForm

    number = outage(branch)
    form = IntakeForm(worker, signed_in(branch.ctx, "A001"))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.clear()
    qtbot.keyClick(form, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)

    def line(name: str) -> QLineEdit:
        widget = form.field_widget(name)
        assert isinstance(widget, QLineEdit)
        return widget

    type_text(line("customer.phone"), "13812345678")
    type_text(line("customer.name"), "张三")
    type_text(line("summary"), "家里宽带断了")
    remedy = form.field_widget("remedy")
    remedy.setFocus()
    type_text(remedy, "尽快恢复")
    category = form.field_widget("category")
    assert isinstance(category, QComboBox)
    category.setCurrentIndex(category.findData("technical/network"))
    type_text(line("customer.address"), "天河区体育西路100号")
    qtbot.waitUntil(lambda: form.incident_hint.chosen() == number, timeout=5000)
    resolution = Resolution(root_cause="光缆挖断", explanation="已修复")
    incidents.resolve_incident(branch.ctx, number, resolution, actor="M301")

    error = form.findChild(QLabel, "form_error")
    assert error is not None
    with qtbot.assertNotEmitted(form.saved, wait=0):
        form.activateWindow()
        qtbot.waitUntil(form.isActiveWindow)
        qtbot.keyClick(line("customer.address"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(error.isVisible)
        drain(qtbot, worker)
    assert translate("error.incident.not_active", "zh_CN", number=number) in error.text()
    assert queries.list_cases(branch.ctx, limit=5) == []

    form.incident_hint.link.setChecked(False)
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        qtbot.keyClick(line("customer.address"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    drain(qtbot, worker)
    (case,) = queries.list_cases(branch.ctx, limit=5)
    assert saved.args == [case.number]
    assert cases.get_case(branch.ctx, case.number, viewer="A001").case.incident is None
