"""The branch's sync client: enrollment, pushing the outbox to HQ in batches,
pulling HQ's instructions, retrying with backoff. No Qt here: the desktop shows its
state through `background.SyncRunner`, scripts use `branchdesk sync`."""

from __future__ import annotations

from collections.abc import Sequence

#: The `branchdesk` subcommands the sync client answers (the core CLI cannot import sync).
COMMANDS = ("sync", "enroll")


def is_sync_command(argv: Sequence[str]) -> bool:
    """Whether the first word of `argv` that is not a global option is a sync command."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--data-dir", "--lang", "--as", "--user"):
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg in COMMANDS
    return False
