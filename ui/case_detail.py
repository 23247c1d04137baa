"""The detail pane of one case: who and what it is about, every SLA deadline and how it
stands, the history told as a story (newest first), and a button for each action the
process allows right now. Clicking an action opens `ui.action_dialog.ActionDialog`.

Everything shown comes from one `CaseView` read on the database worker; the pane
re-reads it whenever the worker reports a change."""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from branchdesk import display
from branchdesk.documents.story import Story
from branchdesk.documents.texts import Texts
from branchdesk.domain import process
from branchdesk.domain.errors import DomainError
from branchdesk.domain.model import EscalationState
from branchdesk.domain.sla import MilestoneStatus
from branchdesk.i18n import field_label
from branchdesk.services import cases, staff
from branchdesk.services.cases import CaseView
from branchdesk.services.context import ServiceContext
from ui import i18n
from ui.action_dialog import ActionDialog
from ui.session import UserSession
from ui.worker import DbWorker

OVERDUE = QColor("#c62828")
NEARLY_DUE = QColor("#b26a00")
MET_LATE = QColor("#8d4a3c")
QUIET = QColor("#6b6b6b")
_COLOURS = {"overdue": OVERDUE, "nearly_due": NEARLY_DUE}
# Actions beside the process proper; they come after the main steps.
SECONDARY = (
    "add_note",
    "reply_customer",
    "pause",
    "resume",
    "extend",
    "request_escalation",
    "approve_escalation",
    "reject_escalation",
    "change_grade",
    "reclassify",
    "cancel",
    # Supervision and incidents run beside the case's own steps.
    "order_supervision",
    "report_progress",
    "record_contribution",
    "conclude_supervision",
    "link_incident",
    # The appointment book beside a service request's steps.
    "reschedule_appointment",
    "record_missed_appointment",
)
# Alt+1 … Alt+9 press the action buttons in order (Ctrl+digits are the main window's
# pane keys).
SHORTCUTS = 9
URGENCY_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Loaded:
    """One read of the shown case: the view, staff names for the story, and the
    moment deadlines are measured against."""

    view: CaseView
    names: Mapping[str, str]
    now: datetime


def load(ctx: ServiceContext, number: str, viewer: str) -> Loaded:
    view = cases.get_case(ctx, number, viewer=viewer)
    names = {m.staff_no: m.name for m in staff.list_staff(ctx)}
    return Loaded(view, names, ctx.now())


def ordered_actions(view: CaseView) -> list[str]:
    """`view.allowed_actions` in button order: the steps that move the case on, then
    the other process steps, then the secondary ones (notes, pauses, escalation …)."""
    moves = process.TRANSITIONS[view.case.kind]
    state = view.case.state
    main = [a for a in view.allowed_actions if a not in SECONDARY]
    forward = [a for a in main if moves[a].target(state) != state]
    rest = [a for a in main if a not in forward]
    return forward + rest + [a for a in SECONDARY if a in view.allowed_actions]


# -- the story of a case ----------------------------------------------------------------


class CaseDetail(QWidget):
    """Shows one case and offers its actions. `case_changed(number)` after an action
    was recorded through this pane."""

    case_changed = Signal(str)

    def __init__(
        self, worker: DbWorker, session: UserSession, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.session = session
        self.number: str | None = None
        # The full personal data of the shown case, after "Show full" (for this case
        # and this person only: cleared when either changes).
        self.revealed: Mapping[str, str | None] | None = None
        self.loaded: Loaded | None = None
        self.dialog: ActionDialog | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.timeline_entries: tuple[str, ...] = ()
        self._order: list[str] = []
        self._token = 0
        self._error: DomainError | None = None

        self._stack = QStackedLayout(self)
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #777; padding: 24px;")
        self._stack.addWidget(self.placeholder)
        self._stack.addWidget(self._build_page())
        self._shortcuts = []
        for i in range(SHORTCUTS):
            shortcut = QShortcut(QKeySequence(f"Alt+{i + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda i=i: self._shortcut(i))
            self._shortcuts.append(shortcut)
        worker.changed.connect(self.refresh)
        # Another person: read the case again as they may see it (masking, actions).
        session.changed.connect(lambda: self.show_case(self.number))
        # Besides LanguageChange: Qt sends none when the new translator holds no text.
        i18n.notifier.changed.connect(self.retranslate)
        self.retranslate()

    def _build_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.number_label = QLabel()
        self.number_label.setObjectName("case_number")
        font = QFont(self.number_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.number_label.setFont(font)
        self.number_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        top.addWidget(self.number_label)
        self.badges: dict[str, QLabel] = {}
        for name in ("state", "paused", "escalation"):
            badge = QLabel()
            badge.setObjectName(f"badge_{name}")
            self.badges[name] = badge
            top.addWidget(badge)
        top.addStretch(1)
        top.addWidget(self._build_print_button())
        layout.addLayout(top)
        self.kind_line = QLabel()
        self.kind_line.setObjectName("kind_line")
        layout.addWidget(self.kind_line)

        self.facts = QGridLayout()
        self.facts.setColumnStretch(1, 1)
        self.facts.setColumnStretch(3, 1)
        self.facts.setHorizontalSpacing(12)
        self.fact_labels: dict[str, tuple[QLabel, QLabel]] = {}
        names = (
            "customer",
            "service_number",
            "category",
            "channel",
            "received_at",
            "owner",
            "receiving_clerk",
            "summary",
            "remedy",
            "archive_no",
            "supervisor",
        )
        wide = {"summary", "remedy"}
        row = col = 0
        for name in names:
            key, value = QLabel(), QLabel()
            key.setStyleSheet("color: #555;")
            value.setObjectName(f"fact_{name}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name in wide:
                row, col = row + (col > 0), 0
                self.facts.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
                self.facts.addWidget(value, row, 1, 1, 3)
                row += 1
            else:
                self.facts.addWidget(key, row, col, Qt.AlignmentFlag.AlignTop)
                self.facts.addWidget(value, row, col + 1)
                row, col = (row, 2) if col == 0 else (row + 1, 0)
            self.fact_labels[name] = (key, value)
        layout.addLayout(self.facts)
        reveal_row = QHBoxLayout()
        self.reveal_button = QPushButton()
        self.reveal_button.setObjectName("reveal")
        self.reveal_button.setAutoDefault(True)
        self.reveal_button.clicked.connect(self.reveal)
        self.reveal_note = QLabel()
        self.reveal_note.setObjectName("reveal_note")
        self.reveal_note.setWordWrap(True)
        self.reveal_note.setStyleSheet("color: #555;")
        self.reveal_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        reveal_row.addWidget(self.reveal_button)
        reveal_row.addWidget(self.reveal_note, 1)
        layout.addLayout(reveal_row)

        self.actions_title = QLabel()
        self.actions_title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        layout.addWidget(self.actions_title)
        self.main_row = QHBoxLayout()
        self.more_grid = QGridLayout()
        layout.addLayout(self.main_row)
        layout.addLayout(self.more_grid)

        split = QSplitter(Qt.Orientation.Vertical)
        deadlines = QWidget()
        box = QVBoxLayout(deadlines)
        box.setContentsMargins(0, 6, 0, 0)
        self.deadlines_title = QLabel()
        self.deadlines_title.setStyleSheet("font-weight: bold;")
        box.addWidget(self.deadlines_title)
        self.milestones = QTableWidget(0, 3)
        self.milestones.setObjectName("milestones")
        self.milestones.verticalHeader().hide()
        self.milestones.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.milestones.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.milestones.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.milestones.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.milestones.verticalHeader().setDefaultSectionSize(
            self.milestones.fontMetrics().height() + 8
        )
        self.milestones.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        header = self.milestones.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        box.addWidget(self.milestones)
        self.provisional_note = QLabel()
        self.provisional_note.setStyleSheet("color: #666;")
        self.provisional_note.setWordWrap(True)
        box.addWidget(self.provisional_note)
        split.addWidget(deadlines)

        history = QWidget()
        box = QVBoxLayout(history)
        box.setContentsMargins(0, 6, 0, 0)
        self.history_title = QLabel()
        self.history_title.setStyleSheet("font-weight: bold;")
        box.addWidget(self.history_title)
        self.timeline = QTextBrowser()
        self.timeline.setObjectName("timeline")
        self.timeline.setOpenLinks(False)
        box.addWidget(self.timeline)
        split.addWidget(history)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        return page

    def _build_print_button(self) -> QPushButton:
        """The "Print… (Ctrl+P)" button: the receipt again, the closure letter, the record
        sheet."""
        self.print_button = QPushButton()
        self.print_button.setObjectName("print")
        self.print_menu = QMenu(self.print_button)
        self.print_menu.setObjectName("print_menu")
        self.print_actions: dict[str, QAction] = {}
        for kind in ("receipt", "closure_letter", "case_record"):
            action = self.print_menu.addAction("")
            action.setObjectName(f"print_{kind}")
            action.triggered.connect(lambda _=False, k=kind: self.print_document(k))
            self.print_actions[kind] = action
        # The document language: the branch's by default, overridable for one print run
        # (a customer who reads English).
        self.print_menu.addSeparator()
        self.document_languages = QActionGroup(self.print_menu)
        self.document_language_actions: dict[str | None, QAction] = {}
        for lang in (None, "zh_CN", "en"):
            choice = self.print_menu.addAction("")
            choice.setCheckable(True)
            choice.setChecked(lang is None)
            choice.setObjectName(f"print_lang_{lang or 'branch'}")
            self.document_languages.addAction(choice)
            self.document_language_actions[lang] = choice
        self.print_button.setMenu(self.print_menu)
        shortcut = QShortcut(QKeySequence("Ctrl+P"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open_print_menu)
        return self.print_button

    def open_print_menu(self) -> None:
        """The print menu under its button; arrows and Enter choose (popup(), not
        exec(): the window keeps running)."""
        if self.view is not None:
            self.print_menu.popup(
                self.print_button.mapToGlobal(self.print_button.rect().bottomLeft())
            )
            self.print_menu.setActiveAction(self.print_actions["receipt"])

    def print_document(self, kind: str) -> None:
        """Print document `kind` of the shown case (through its preview)."""
        if self.number is None:
            return
        # Printing support (QtPrintSupport, PDF rendering) loads on the first print.
        from ui.printing import print_case_document

        lang = next(
            (code for code, choice in self.document_language_actions.items() if choice.isChecked()),
            None,
        )
        print_case_document(self.worker, self.session, self.number, kind, self, lang=lang)

    # -- loading --------------------------------------------------------------------
    def show_case(self, number: str | None) -> None:
        """Show case `number` (None: nothing)."""
        self.number = number
        self.loaded = None
        self.revealed = None
        self._error = None
        self._render()
        if number is not None:
            self.refresh()

    def refresh(self) -> None:
        """Re-read the shown case (the worker's `changed` signal calls this)."""
        if self.number is None:
            return
        self._token += 1
        token, number, viewer = self._token, self.number, self.session.staff_no
        self.worker.run(
            lambda ctx: load(ctx, number, viewer),
            on_done=lambda result: self._loaded(token, result),
            on_error=lambda error: self._failed(token, error),
        )

    def _loaded(self, token: int, result: Loaded) -> None:
        if not shiboken6.isValid(self) or token != self._token:
            return  # a later read (or another case) is on its way
        self.loaded = result
        self._error = None
        self._render()

    def _failed(self, token: int, error: DomainError) -> None:
        if not shiboken6.isValid(self) or token != self._token:
            return
        self.loaded = None
        self._error = error
        self._render()

    @property
    def view(self) -> CaseView | None:
        return self.loaded.view if self.loaded else None

    # -- showing --------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text in the current language (an open dialog keeps its input)."""
        self.actions_title.setText(self.tr("Actions (Alt+1 … Alt+9)"))
        self.deadlines_title.setText(self.tr("Time limits"))
        self.history_title.setText(self.tr("History (newest first)"))
        self.print_button.setText(self.tr("Print… (Ctrl+P)"))
        self.reveal_button.setText(self.tr("Show full"))
        self.reveal_button.setToolTip(
            self.tr(
                "Show the customer's full phone, ID and service numbers "
                "(recorded in the audit trail)"
            )
        )
        self.print_actions["receipt"].setText(self.tr("Acceptance &receipt (reprint)"))
        self.print_actions["closure_letter"].setText(self.tr("&Closure letter"))
        self.print_actions["case_record"].setText(self.tr("Case record &sheet"))
        self.document_language_actions[None].setText(self.tr("In the branch's language"))
        self.document_language_actions["zh_CN"].setText(self.tr("In Simplified Chinese"))
        self.document_language_actions["en"].setText(self.tr("In English"))
        self.milestones.setHorizontalHeaderLabels(
            [self.tr("Milestone"), self.tr("Due"), self.tr("Status")]
        )
        self._render()

    def _render(self) -> None:
        if self.loaded is None:
            if self._error is not None:
                self.placeholder.setText(i18n.text(self._error.key, **self._error.params))
            elif self.number is not None:
                self.placeholder.setText(self.tr("Loading {number} …").format(number=self.number))
            else:
                self.placeholder.setText(self.tr("Choose a case to see its details."))
            self._stack.setCurrentIndex(0)
            self._set_actions([])
            return
        view, now = self.loaded.view, self.loaded.now
        ctx = self.worker.ctx
        story = Story(
            Texts(i18n.current(), ctx.tz),
            ctx.catalogue,
            self.loaded.names,
            view.milestones,
            describe_intake=True,
        )
        self._header(view, story)
        self._deadlines(view.milestones, now)
        self._history(view, story)
        self._set_actions(ordered_actions(view))
        self._stack.setCurrentIndex(1)

    def _header(self, view: CaseView, story: Story) -> None:
        c, lang = view.case, story.lang
        tz = self.worker.ctx.tz
        self.number_label.setText(c.number)
        self.kind_line.setText(
            " · ".join(
                [
                    i18n.word("label.CaseKind", c.kind.value),
                    i18n.word("label.CaseState", c.state.value),
                    i18n.word("label.Grade", c.grade),
                ]
            )
        )
        self._badge("state", i18n.word("label.CaseState", c.state.value), "#e3ecf7", "#1f4e8c")
        self._badge("paused", self.tr("Clock paused") if c.paused else "", "#fff1d6", "#8a5300")
        escalated = c.escalation is not EscalationState.NONE
        self._badge(
            "escalation",
            i18n.word("label.EscalationState", c.escalation.value) if escalated else "",
            "#fde3e3" if c.escalation is EscalationState.SUPERVISED else "#f0e6fa",
            "#8c1d1d" if c.escalation is EscalationState.SUPERVISED else "#5b2a86",
        )
        received = display.when(c.received_at, tz)
        if view.events and view.events[0].payload.get("backdated"):
            received += self.tr(" (back-dated; entered {entered})").format(
                entered=display.when(c.entered_at, tz)
            )
        # Masked by the service unless this person needs the full values; "Show full"
        # fetches them (audited) for this case only.
        full = self.revealed or {}
        phone = full.get("phone") or c.customer_phone
        facts = {
            "customer": (field_label("customer", lang), f"{c.customer_name}  {phone}"),
            "service_number": (
                field_label("customer.service_number", lang),
                full.get("service_number") or c.service_number or "",
            ),
            "category": (
                field_label("category", lang),
                self.worker.ctx.catalogue.label(c.category, lang),
            ),
            "channel": (field_label("channel", lang), i18n.word("label.Channel", c.channel)),
            "received_at": (field_label("received_at", lang), received),
            "owner": (self.tr("Owner"), story.person(c.owner)),
            "receiving_clerk": (self.tr("Received by"), story.person(c.receiving_clerk)),
            "summary": (field_label("summary", lang), c.summary),
            "remedy": (field_label("remedy", lang), c.remedy),
            "archive_no": (self.tr("Archive number"), c.archive_no or ""),
            "supervisor": (
                field_label("supervisor", lang),
                story.person(c.supervisor) if c.supervisor else "",
            ),
        }
        for name, (key, value) in facts.items():
            key_label, value_label = self.fact_labels[name]
            key_label.setText(key)
            value_label.setText(value)
            key_label.setVisible(bool(value))
            value_label.setVisible(bool(value))
        self._reveal_state(view, lang)

    def _reveal_state(self, view: CaseView, lang: str) -> None:
        can_reveal = view.masked and self.session.allows("pii.reveal")
        self.reveal_button.setVisible(can_reveal and self.revealed is None)
        if self.revealed is None:
            self.reveal_note.setText(self.tr("Personal data masked") if view.masked else "")
        else:
            id_number = self.revealed.get("id_number")
            shown = self.tr("Shown in full; recorded in the audit trail.")
            if id_number:
                shown = f"{field_label('customer.id_number', lang)}: {id_number}  ·  {shown}"
            self.reveal_note.setText(shown)
        self.reveal_note.setVisible(bool(self.reveal_note.text()))

    def reveal(self) -> None:
        """The customer's full personal data of the shown case (an audited action)."""
        view = self.view
        if view is None or not view.masked:
            return
        number, actor = view.case.number, self.session.staff_no

        def shown(values: Mapping[str, str | None]) -> None:
            # Still the same case and the same person (a re-read of the case keeps it).
            same = self.number == number and self.session.staff_no == actor
            if shiboken6.isValid(self) and same:
                self.revealed = values
                self._render()

        def refused(error: DomainError) -> None:
            if shiboken6.isValid(self):
                self.reveal_note.setText(i18n.text(error.key, **error.params))
                self.reveal_note.show()

        self.worker.run(
            lambda ctx: cases.reveal(ctx, number=number, actor=actor),
            on_done=shown,
            on_error=refused,
        )

    def _badge(self, name: str, text: str, background: str, colour: str) -> None:
        badge = self.badges[name]
        badge.setText(text)
        badge.setVisible(bool(text))
        badge.setStyleSheet(
            f"background: {background}; color: {colour}; border-radius: 8px;"
            " padding: 2px 8px; font-weight: bold;"
        )

    def _deadlines(self, milestones: tuple[MilestoneStatus, ...], now: datetime) -> None:
        lang, tz = i18n.current(), self.worker.ctx.tz
        table = self.milestones
        table.setRowCount(len(milestones))
        provisional_years: set[int] = set()
        for row, m in enumerate(milestones):
            name = QTableWidgetItem(i18n.word("milestone", m.id))
            due = QTableWidgetItem(display.when(m.due_at, tz) + (" *" if m.provisional else ""))
            if m.limit is not None:
                name.setToolTip(
                    " · ".join(
                        [
                            i18n.text(f"clock.{m.clock}"),
                            i18n.text(f"unit.{m.limit.unit.value}", amount=m.limit.amount),
                        ]
                    )
                )
            if m.provisional and m.due_at is not None:
                provisional_years.add(m.due_at.astimezone(tz).year)
                due.setToolTip(i18n.text("sla.provisional", year=m.due_at.astimezone(tz).year))
            urgency = "none"
            colour: QColor | None = None
            if m.met_at is not None:
                late = m.met_late()
                template = self.tr("met late {at}") if late else self.tr("met {at}")
                status = template.format(at=display.when(m.met_at, tz))
                colour = MET_LATE if late else QUIET
            elif m.due_at is None:
                status, colour = self.tr("not started"), QUIET
            else:
                urgency = display.urgency(m.due_at, now, paused=m.paused)
                status = display.time_left(m.due_at, now, lang)
                if m.paused:
                    status = self.tr("paused — {left}").format(left=status)
                    colour = QUIET
                colour = _COLOURS.get(urgency, colour)
            state = QTableWidgetItem(status)
            for item in (name, due, state):
                item.setData(URGENCY_ROLE, urgency)
                if colour is not None:
                    item.setForeground(QBrush(colour))
                if urgency == "overdue":
                    bold = QFont(item.font())
                    bold.setBold(True)
                    item.setFont(bold)
                table.setItem(row, [name, due, state].index(item), item)
        self.provisional_note.setText(
            "\n".join(
                "* " + i18n.text("sla.provisional", year=y) for y in sorted(provisional_years)
            )
        )
        self.provisional_note.setVisible(bool(provisional_years))

    def _history(self, view: CaseView, story: Story) -> None:
        tz = self.worker.ctx.tz
        entries, blocks = [], []
        for event in reversed(view.events):
            told = story.tell(event)
            when = display.when(event.at, tz)
            who = story.person(event.actor)
            entries.append(
                "\n".join([f"{when}  {who}  {story.colon(told.title, told.text)}", *told.details])
            )
            text = _html(story.colon("", told.text)) if told.text else ""
            body = "".join(f"<br>{_html(d)}" for d in told.details)
            blocks.append(
                f'<p style="margin:0 0 10px 0"><span style="color:#666">{when} · '
                f"{_html(who)}</span><br><b>{_html(told.title)}</b>{text}{body}</p>"
            )
        self.timeline_entries = tuple(entries)
        scroll = self.timeline.verticalScrollBar().value()
        self.timeline.setHtml("".join(blocks))
        self.timeline.verticalScrollBar().setValue(scroll)

    # -- actions --------------------------------------------------------------------
    def _set_actions(self, order: list[str]) -> None:
        if order != self._order:
            # The window's focus child, not hasFocus(): the window may not be the active one.
            had_focus = self.window().focusWidget() in self.buttons.values()
            for button in self.buttons.values():
                button.hide()
                button.deleteLater()
            self.buttons = {}
            self._order = order
            for index, action in enumerate(order):
                button = QPushButton()
                button.setObjectName(f"action_{action}")
                button.setAutoDefault(True)  # Enter presses the focused button, as Space does
                button.clicked.connect(lambda _=False, a=action: self.open_action(a))
                if action in SECONDARY:
                    self.more_grid.addWidget(
                        button, (index - self._main_count()) // 4, (index - self._main_count()) % 4
                    )
                else:
                    self.main_row.addWidget(button)
                self.buttons[action] = button
            # Tab runs through the buttons in their order, then on to the history (Qt's
            # default, creation order, would put these late-made buttons last).
            chain = [self.number_label, *self.buttons.values(), self.timeline]
            for first, second in itertools.pairwise(chain):
                QWidget.setTabOrder(first, second)
            # Focusing the pane (the main window's Ctrl+3) lands on the next step.
            self.setFocusProxy(self.buttons[order[0]] if order else self.timeline)
            if order and had_focus:
                self.buttons[order[0]].setFocus()
        for index, action in enumerate(self._order):
            button = self.buttons[action]
            label = i18n.word("label.Action", action)
            key = f"Alt+{index + 1}" if index < SHORTCUTS else ""
            button.setText(label)
            button.setToolTip(f"{label} ({key})" if key else label)
            if index == 0 and action not in SECONDARY:
                button.setStyleSheet("font-weight: bold;")

    def _main_count(self) -> int:
        return sum(1 for a in self._order if a not in SECONDARY)

    def _shortcut(self, index: int) -> None:
        if index < len(self._order) and self.dialog is None:
            self.open_action(self._order[index])

    def open_action(self, action: str) -> ActionDialog | None:
        """Open the dialog for `action` on the shown case."""
        view = self.view
        if view is None or action not in view.allowed_actions:
            return None
        dialog = ActionDialog.open_for(self.worker, self.session, view, action, self)
        dialog.acted.connect(self._acted)
        dialog.finished.connect(lambda _result, d=dialog: self._closed(d))
        self.dialog = dialog
        return dialog

    def _acted(self, view: CaseView) -> None:
        # The worker's `changed` has already asked for a fresh read of the case.
        self.case_changed.emit(view.case.number)

    def _closed(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        # Back to the action row: the keyboard is where the next step is taken, and a
        # rebuilt row (after the fresh read) hands the focus on to its first button.
        button = self.buttons.get(dialog.action) or next(iter(self.buttons.values()), None)
        if button is not None:
            button.setFocus()


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
