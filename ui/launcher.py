"""The `branchdesk` command: with a subcommand it is the headless command line (no Qt
is even imported); without one it opens the desktop application.

    branchdesk                 open the workbench on the default data directory
    branchdesk --demo          … creating a demo branch with demo data on first run
    branchdesk case list …     the command line (see `branchdesk --help`)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

GUI_OPTIONS = {"--demo", "--data-dir", "--lang", "--as", "--demo-cases"}


def _is_gui(argv: Sequence[str]) -> bool:
    """No subcommand: only desktop options (and their values) were given."""
    skip_value = False
    for arg in argv:
        if skip_value:
            skip_value = False
            continue
        name = arg.split("=", 1)[0]
        if name in GUI_OPTIONS:
            skip_value = "=" not in arg and name != "--demo"
            continue
        return False
    return True


def gui_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="branchdesk", description="BranchDesk workbench")
    parser.add_argument("--data-dir")
    parser.add_argument("--lang")
    parser.add_argument("--as", dest="actor")
    parser.add_argument(
        "--demo", action="store_true", help="create a demo branch with demo data if none exists yet"
    )
    parser.add_argument("--demo-cases", type=int, default=3000)
    return parser.parse_args(list(argv))


NO_DISPLAY = (
    "BranchDesk needs a graphical desktop, and this session has none (no DISPLAY or "
    "WAYLAND_DISPLAY).\n本机当前没有图形桌面，无法打开工作台。\n"
    "Use the command line instead, e.g. `branchdesk start` for today's queues, or "
    "`branchdesk --help`.\n可改用命令行，例如 `branchdesk start` 查看今日工单。"
)


def has_display(env: Mapping[str, str]) -> bool:
    """Whether Qt can open a window here (Windows and macOS always can)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    from sync.client import is_sync_command

    if is_sync_command(args):  # `branchdesk sync …` / `branchdesk enroll …`
        from sync.client.cli import main as sync_main

        sys.exit(sync_main(args))
    if not _is_gui(args):
        from branchdesk.cli import main as cli_main

        sys.exit(cli_main(args))
    if "-h" not in args and "--help" not in args and not has_display(os.environ):
        print(NO_DISPLAY, file=sys.stderr)
        sys.exit(2)
    # The core first: modules imported after PySide6 are each read back as source by
    # shiboken's feature hook, which costs a tenth of a second at start-up.
    import branchdesk.bootstrap
    import branchdesk.services.worklists  # noqa: F401
    from ui.app import run

    sys.exit(run(gui_arguments(args)))


if __name__ == "__main__":
    main()
