"""Take the README's screenshots of the desktop app (offscreen, real widgets, demo data):

    python tools/screenshots.py            # writes docs/screenshots/*.png

Main window, intake form (with the inline validation the domain reports) and the case
detail, in Simplified Chinese and in English.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def settle(app: QApplication, rounds: int = 40) -> None:
    for _ in range(rounds):
        app.processEvents()


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from branchdesk.bootstrap import initialise
    from branchdesk.services import demo
    from ui import i18n
    from ui.app import install_fonts
    from ui.main_window import MainWindow
    from ui.worker import DbWorker

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    install_fonts(app)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx, _ = initialise(
            Path(tmp) / "demo",
            **demo.DEMO_BRANCH,
            passphrase="screenshots only",
            use_keyring=False,
        )
        demo.generate_demo(ctx, cases=2000, actor="A001", seed=3)
        worker = DbWorker(ctx)
        window = MainWindow(ctx, worker, "H201")
        window.resize(1600, 900)
        window.show()
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
        i18n.set_language("zh_CN")
        window.close()
        worker.shutdown()
        ctx.db.close()
    print(f"screenshots in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
