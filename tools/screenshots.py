"""Take the README's screenshots of the desktop app (offscreen, real widgets, demo data):

    python tools/screenshots.py            # writes docs/screenshots/*.png

The sign-in and lock screens, the main window, the intake form (with the inline
validation the domain reports), the case detail, the staff accounts window and the
audit trail, in Simplified Chinese and in English.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from branchdesk.services.context import ServiceContext
    from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def settle(app: QApplication, rounds: int = 40) -> None:
    for _ in range(rounds):
        app.processEvents()


def shoot_appointment_book(app: QApplication, ctx: ServiceContext, window: MainWindow) -> None:
    """The demo's appointment book on the last working day before today: the three
    technicians' visits, some of them missed."""
    from datetime import timedelta

    from ui import i18n
    from ui.appointment_book import AppointmentBookPanel

    tomorrow = ctx.now().astimezone(ctx.tz).date() - timedelta(days=1)
    while not ctx.calendar.is_working_day(tomorrow):
        tomorrow -= timedelta(days=1)
    for lang in ("zh_CN", "en"):
        i18n.set_language(lang)
        desk = window.desks.show_desk("appointments")
        assert desk is not None
        panel = desk.findChild(AppointmentBookPanel)
        assert panel is not None
        panel.set_day(tomorrow)
        settle(app, 300)
        desk.grab().save(str(OUT / f"desk_appointments.{lang}.png"))
        desk.close()
        settle(app, 20)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    # The audit trail names the workstation: the pictures show a made-up counter PC, not
    # the machine that took them (set before the service context's default is bound).
    import socket

    socket.gethostname = lambda: "GZ0012-COUNTER-1"
    from branchdesk.bootstrap import initialise
    from branchdesk.services import auth, demo, staff
    from branchdesk.services.demo_stories import DEMO_STAFF
    from ui import i18n
    from ui.app import Extras, install_fonts, open_workbench
    from ui.audit_view import AuditView
    from ui.gatekeeper import Gatekeeper
    from ui.session import UserSession
    from ui.staff_dialog import StaffDialog
    from ui.worker import DbWorker

    password = "Screenshots#2026"

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    install_fonts(app)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx, _ = initialise(
            Path(tmp) / "demo",
            **demo.DEMO_BRANCH,
            admin_password=password,
            passphrase="screenshots only",
            use_keyring=False,
        )
        demo.generate_demo(ctx, cases=2000, actor="A001", seed=3, staff_password=password)
        worker = DbWorker(ctx)
        session = UserSession(ctx.permissions)
        gate = Gatekeeper(worker, session)
        gate.screen.set_branch(str(demo.DEMO_BRANCH["branch_name"]))
        numbers = {"A001", *(s[0] for s in DEMO_STAFF)}
        gate.screen.set_accounts([m for m in staff.list_staff(ctx) if m.staff_no in numbers])
        gate.start("H201")
        gate.screen.resize(1100, 720)
        for lang in ("zh_CN", "en"):
            i18n.set_language(lang)
            settle(app, 20)
            gate.screen.grab().save(str(OUT / f"sign_in.{lang}.png"))
        i18n.set_language("zh_CN")
        session.start(auth.sign_in(ctx, staff_no="H201", password=password))
        extras = Extras(Path(tmp) / "demo", "screenshots only")
        open_workbench(app, ctx, worker, session, gate, extras)
        window = gate.window
        assert window is not None
        window.resize(1600, 900)
        window.queues.select("all")
        while window.table.model.is_loading() or window.table.model.rowCount() == 0:
            settle(app, 5)
        for lang in ("zh_CN", "en"):
            i18n.set_language(lang)
            window.table.select_first()
            settle(app, 200)
            window.grab().save(str(OUT / f"main_window.{lang}.png"))
            window.detail.grab().save(str(OUT / f"case_detail.{lang}.png"))
            window.open_intake()
            intake = window._intake
            assert intake is not None
            intake.resize(1100, 760)
            form = intake.form
            form.clear()
            form.field_widget("customer.phone").setFocus()
            form.field_widget("customer.phone").insert("1381234")  # type: ignore[attr-defined]
            form._save(print_receipt=False)  # the domain answers with every field error
            settle(app, 200)
            intake.grab().save(str(OUT / f"intake_form.{lang}.png"))
            intake.close()
        # The lock screen, over the workbench it hides.
        for lang in ("zh_CN", "en"):
            i18n.set_language(lang)
            gate.lock()
            settle(app, 20)
            gate.screen.grab().save(str(OUT / f"lock_screen.{lang}.png"))
            gate._accept(session.current)  # type: ignore[arg-type]  # unlocked (same person)
        # What an administrator and a manager see.
        admin = UserSession(ctx.permissions, auth.sign_in(ctx, staff_no="A001", password=password))
        for lang in ("zh_CN", "en"):
            i18n.set_language(lang)
            staff_dialog = StaffDialog(worker, admin)
            staff_dialog.show()
            while not staff_dialog.accounts:
                settle(app, 5)
            staff_dialog.table.selectRow(2)
            settle(app, 20)
            staff_dialog.grab().save(str(OUT / f"staff_dialog.{lang}.png"))
            staff_dialog.close()
            audit_view = AuditView(worker, admin)
            audit_view.show()
            while audit_view.model.is_loading() or audit_view.model.rowCount() == 0:
                settle(app, 5)
            audit_view.table.selectRow(0)
            audit_view.verify()
            while audit_view.report is None or audit_view.model.is_loading():
                settle(app, 5)
            audit_view.table.selectRow(0)
            settle(app, 40)
            audit_view.grab().save(str(OUT / f"audit_view.{lang}.png"))
            audit_view.close()
        # The manager's other desks (the "More" menu), with an outage under way.
        from datetime import timedelta

        from branchdesk.domain.incidents import IncidentDraft
        from branchdesk.services import incidents

        incidents.create_incident(
            ctx,
            IncidentDraft(
                type="network_outage",
                level=2,
                started_at=ctx.now() - timedelta(minutes=40),
                district="天河区",
                street="体育西路",
                services=["technical/network", "宽带"],
                scope="体育西路光缆中断，约 300 户宽带中断",
            ),
            actor="M301",
        )
        session.start(auth.sign_in(ctx, staff_no="M301", password=password))
        settle(app, 40)
        for lang in ("zh_CN", "en"):
            i18n.set_language(lang)
            for key in ("archive", "ledger", "incidents", "visits", "dashboard"):
                desk = window.desks.show_desk(key)
                assert desk is not None, key
                settle(app, 300)
                if key == "dashboard":
                    from ui.dashboard import DashboardPanel

                    panel = desk.findChild(DashboardPanel)
                    assert panel is not None
                    while panel.working or panel.report is None:  # its own database thread
                        settle(app, 5)
                    settle(app, 60)
                desk.grab().save(str(OUT / f"desk_{key}.{lang}.png"))
                if key == "dashboard":
                    panel.tabs.setCurrentWidget(panel.pages["staff"])
                    settle(app, 60)
                    desk.grab().save(str(OUT / f"desk_dashboard_staff.{lang}.png"))
                desk.close()
                settle(app, 20)
        i18n.set_language("zh_CN")
        shoot_appointment_book(app, ctx, window)
        extras.stop()
        window.close()
        worker.shutdown()
        ctx.db.close()
    print(f"screenshots in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
