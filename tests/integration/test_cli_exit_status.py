"""Every refusal the command line can give exits with the status the README promises,
and writes nothing.

The kinds of refusal are taken from the code, not listed by hand: every `DomainError`
class in the application and every message key raised as a plain `DomainError` must
have its case here, so a new kind of refusal cannot be left with a wrong exit status.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import keyring
import pytest
from sqlalchemy import select

import branchdesk
from branchdesk import cli_exit
from branchdesk.archive.keys import RecoveryKey
from branchdesk.bootstrap import open_branch
from branchdesk.domain.errors import DomainError
from branchdesk.persistence.schema import audit_log, metadata
from branchdesk.secrets import KeyringSecretStore
from branchdesk.services import staff
from branchdesk.services.backup_leftovers import LOCK_NAME
from tests.conftest import activate
from tests.integration.conftest import INIT, Cli
from tests.integration.test_audit_chain import tampering
from tests.integration.test_cli import NEW, NEW_OUTAGE

ROOT = Path(__file__).resolve().parents[2]


def readme_statuses() -> dict[str, int]:
    """The README's sentence on exit statuses, as {meaning: status}."""
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    sentence = re.search(r"the exit status is (.*?)\. A refused command writes nothing", text)
    assert sentence is not None, "the README no longer explains the exit statuses"
    clauses = re.findall(r"(\d) (?:for|when) (.*?)(?=, \d (?:for|when) |$)", sentence.group(1))
    return {meaning.strip(" ,"): int(status) for status, meaning in clauses}


def readme_status(meaning: str) -> int:
    """The status of the README clause that says `meaning`."""
    [status] = [s for clause, s in readme_statuses().items() if meaning in clause]
    return status


INVALID = "invalid input"
NOT_NOW = "not allowed in"
MISSING = "does not exist"
SETUP = "set-up or database problem"
REFUSED = "sign-in is refused"
TAMPERED = "finds tampering"


# --------------------------------------------------------------------------- the branch


def snapshot(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the branch holds, but what signing in itself records (the sign-in's
    audit entry and the account's last-sign-in and failure counters)."""
    ctx = open_branch(data_dir)
    sign_in_columns = {"last_sign_in_at", "failed_attempts", "locked_until"}
    try:
        with ctx.db.read() as conn:
            tables: dict[str, list[tuple[Any, ...]]] = {}
            for table in metadata.sorted_tables:
                if table.name in ("audit_anchors", "api_tokens"):
                    continue
                columns = [c for c in table.c if c.name not in sign_in_columns]
                query = select(*columns)
                if table is audit_log:
                    query = query.where(~audit_log.c.action.startswith("auth.sign_in"))
                tables[table.name] = sorted(map(tuple, conn.execute(query)), key=repr)
            return tables
    finally:
        ctx.db.close()


def add_clerk(cli: Cli) -> None:
    """C101, a clerk only, signed up with PASSWORD."""
    ctx = open_branch(cli.data_dir)
    try:
        new = staff.add_staff(ctx, staff_no="C101", name="前台", roles=("clerk",), actor="A001")
        activate(ctx, "C101", new.one_time_code)
    finally:
        ctx.db.close()


# --------------------------------------------------------------------------- refusals


@dataclass(frozen=True)
class Refusal:
    """One refused command: `prepare` sets the branch up and returns the command line."""

    meaning: str
    prepare: Callable[[Cli, Path, pytest.MonkeyPatch], list[str]]
    #: The branch's data must be the same afterwards (False only where nothing exists
    #: yet to compare, or where the command's finding is the result).
    compare: bool = True


def _case(cli: Cli) -> str:
    return str(cli.json(*NEW)["case"]["number"])


def _no_such_case(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    from datetime import date

    from branchdesk.domain.case_numbers import format_case_number

    return ["case", "show", format_case_number("GZ0012", date(2020, 1, 2), 9)]


def _wrong_password(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    mp.setenv("BRANCHDESK_PASSWORD", "Wrong#password1")
    return ["case", "list"]


def _clerk_adds_staff(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    add_clerk(cli)
    mp.setenv("BRANCHDESK_STAFF", "C101")
    return ["staff", "add", "--staff-no", "C102", "--name", "某人", "--roles", "clerk"]


def _tampered_audit(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    _case(cli)
    with tampering(cli.data_dir, KeyringSecretStore(keyring.get_keyring())) as conn:
        conn.execute("UPDATE audit_log SET action = 'edited' WHERE id = 1")
    return ["audit", "verify"]


def _closure_letter_too_early(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    number = _case(cli)
    return ["case", "print", number, "--document", "closure_letter", "--out", str(tmp / "l.pdf")]


def _not_initialised(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return ["--data-dir", str(tmp / "nowhere"), "case", "list"]


def _wrong_passphrase(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    mp.setenv("BRANCHDESK_PASSPHRASE", "correct horse 42")
    code, _, err = cli("--data-dir", str(tmp / "pp"), *INIT, "--no-keyring")
    assert code == 0, err
    mp.setenv("BRANCHDESK_PASSPHRASE", "wrong horse 42")
    return ["--data-dir", str(tmp / "pp"), "case", "list"]


def _short_passphrase(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    mp.setenv("BRANCHDESK_PASSPHRASE", "short")
    return ["--data-dir", str(tmp / "pp"), *INIT, "--no-keyring"]


def _not_a_backup(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "usb").mkdir()
    return ["backup", "verify", str(tmp / "usb")]


def _damaged_backup(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "usb").mkdir()
    (tmp / "usb" / "manifest.json").write_text("{ cut off", encoding="utf-8")
    return ["backup", "verify", str(tmp / "usb")]


def _restore_over_a_branch(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "usb").mkdir()
    return ["backup", "restore", str(tmp / "usb"), "--data-dir", str(cli.data_dir)]


#: Locks a refusal holds while its command runs, let go after the test.
_held: list[BinaryIO] = []


@pytest.fixture(autouse=True)
def _let_go() -> Iterator[None]:
    yield
    while _held:
        _held.pop().close()


def _backup_under_way(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    """Another process making a backup of this branch holds its lock (flock, per open
    file: a second open in this process is refused as another process would be)."""
    import fcntl

    lock = (cli.data_dir / LOCK_NAME).open("a+b")
    _held.append(lock)
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    return ["backup", "create", "--to", str(tmp / "usb")]


def _malformed_recovery_key(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "x.bdav").write_bytes(b"x")
    return ["archive", "verify", str(tmp / "x.bdav"), "--recovery-key", "BDRK-1234"]


def _damaged_volume(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "x.bdav").write_bytes(b"not a volume")
    key = RecoveryKey.generate().text()
    return ["archive", "verify", str(tmp / "x.bdav"), "--recovery-key", key]


def _last_admin(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return ["staff", "disable", "A001"]


def _not_signed_in(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    mp.delenv("BRANCHDESK_STAFF")
    return ["case", "list"]


def _no_password(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    mp.delenv("BRANCHDESK_PASSWORD")
    return ["case", "list"]


def _incident(cli: Cli) -> str:
    return str(cli.json(*NEW_OUTAGE)["number"])


def _bulk_resolve_too_early(cli: Cli, tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return ["incident", "bulk-resolve", _incident(cli)]


#: One refusal of every kind (a class, or a key of a plain DomainError).
REFUSALS: dict[str, Refusal] = {
    "UsageError": Refusal(INVALID, lambda c, t, m: ["demo", "--cases", "0"]),
    "ValidationError": Refusal(INVALID, lambda c, t, m: [*NEW[:-4], "--phone", "12345", *NEW[-4:]]),
    "IllegalTransition": Refusal(NOT_NOW, lambda c, t, m: ["case", "act", _case(c), "close"]),
    "NotFound": Refusal(MISSING, _no_such_case),
    "SignInError": Refusal(REFUSED, _wrong_password),
    "PermissionDenied": Refusal(REFUSED, _clerk_adds_staff),
    "ChainBroken": Refusal(TAMPERED, _tampered_audit, compare=False),
    "DocumentError": Refusal(NOT_NOW, _closure_letter_too_early),
    "SetupError": Refusal(SETUP, _not_initialised, compare=False),
    "DatabaseError": Refusal(SETUP, _wrong_passphrase, compare=False),
    "SecretStoreError": Refusal(INVALID, _short_passphrase, compare=False),
    "BackupError": Refusal(SETUP, _damaged_backup),
    "error.backup.not_a_backup": Refusal(INVALID, _not_a_backup),
    "error.backup.target_not_empty": Refusal(INVALID, _restore_over_a_branch),
    "error.backup.busy": Refusal(NOT_NOW, _backup_under_way),
    "ArchiveKeyError": Refusal(INVALID, _malformed_recovery_key),
    "VolumeError": Refusal(SETUP, _damaged_volume),
    "error.staff.last_admin": Refusal(NOT_NOW, _last_admin),
    "error.auth.not_signed_in": Refusal(REFUSED, _not_signed_in),
    "error.auth.password_needed": Refusal(REFUSED, _no_password),
    "error.incident.not_resolved": Refusal(NOT_NOW, _bulk_resolve_too_early),
}

#: Kinds no command of the branch's command line raises, with where they come from.
#: Their status is still checked, from an instance.
NOT_ON_THE_COMMAND_LINE = {
    "CalendarError": "a holiday calendar HQ publishes (refused when it is applied)",
    "PolicyError": "an SLA policy HQ publishes",
    "CatalogueError": "a category catalogue HQ publishes",
    "Cancelled": "the desktop's cancel button on a search-index rebuild",
    "ExportCancelled": "the desktop's cancel button on an export",
}


def _error_classes() -> dict[str, type[BaseException]]:
    """Every DomainError class in the application, and the command line's own kinds."""
    for module in pkgutil.walk_packages(branchdesk.__path__, "branchdesk."):
        if ".migrations" not in module.name:  # Alembic's scripts, run only by Alembic
            importlib.import_module(module.name)

    def walk(cls: type[DomainError]) -> Iterator[type[DomainError]]:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("branchdesk."):
                yield sub
            yield from walk(sub)

    found: dict[str, type[BaseException]] = {c.__name__: c for c in walk(DomainError)}
    found.update(UsageError=cli_exit.UsageError, ChainBroken=cli_exit.ChainBroken)
    return found


def _raised_keys() -> dict[str, set[str]]:
    """Message keys raised anywhere in the application, by the name of the class
    raised: `DomainError("error.…")`, `NotFound("error.…")`, …"""
    keys: dict[str, set[str]] = {}
    for path in [*(ROOT / "branchdesk").rglob("*.py"), *(ROOT / "sync" / "client").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).startswith("error.")
            ):
                keys.setdefault(node.func.id, set()).add(str(node.args[0].value))
    return keys


def _backup_keys_listed() -> set[str]:
    """The backup keys in the backup services' text: also those a check lists among
    its problems, which a failed restore then raises by the key it found."""
    listed = set()
    for path in (ROOT / "branchdesk" / "services").glob("backup*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and str(node.value).startswith("error.backup."):
                listed.add(str(node.value))
    return listed


def test_every_backup_refusal_has_its_meaning() -> None:
    """A `BackupError` is a set-up problem or what the person typed (a folder that is
    no backup, a target that holds a branch), by its key: every key a backup can be
    refused with, raised or listed among a check's problems, is in the table."""
    raised = _raised_keys()
    keys = raised["BackupError"] | _backup_keys_listed()
    keys |= {k for k in raised["ArchiveKeyError"] if k.startswith("error.backup.")}
    assert keys - set(cli_exit.BY_KEY) == set(), "add them to cli_exit.BY_KEY"


def test_the_readme_names_every_status() -> None:
    assert sorted(readme_statuses().values()) == [2, 3, 4, 5, 6, 7]


def test_every_kind_of_refusal_has_its_case() -> None:
    classes = set(_error_classes())
    covered = {k for k in REFUSALS if not k.startswith("error.")} | set(NOT_ON_THE_COMMAND_LINE)
    assert classes - covered == set(), "give these refusals a case in REFUSALS"
    assert covered - classes == set(), "these kinds no longer exist"


def test_every_plain_domain_error_key_has_its_meaning() -> None:
    """A plain DomainError has no kind to say what it means: its key must be in the
    command line's table, and that table must hold no key nothing raises."""
    raised = _raised_keys()
    assert raised["DomainError"] - set(cli_exit.BY_KEY) == set(), "add them to cli_exit.BY_KEY"
    anywhere = set().union(*raised.values(), _backup_keys_listed())
    assert set(cli_exit.BY_KEY) - anywhere == set(), "nothing raises these any more"


@pytest.mark.parametrize("kind", sorted(NOT_ON_THE_COMMAND_LINE))
def test_kinds_raised_elsewhere_are_set_up_problems(kind: str) -> None:
    cls = _error_classes()[kind]
    problem = cls.__new__(cls)  # their own constructors take what the source found wrong
    DomainError.__init__(problem, "error.some_problem")
    assert cli_exit.exit_status(problem) == readme_status(SETUP)


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_a_refusal_exits_with_the_readme_status_and_writes_nothing(
    kind: str, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = REFUSALS[kind]
    command = refusal.prepare(cli, tmp_path, monkeypatch)
    before = snapshot(cli.data_dir) if refusal.compare else None
    code, _, err = cli("--lang", "en", *command)
    assert code == readme_status(refusal.meaning), (kind, err)
    assert err.strip(), "a refusal says why"
    if before is not None:
        assert snapshot(cli.data_dir) == before
    assert not (tmp_path / "l.pdf").exists()
    if kind == "SecretStoreError":
        assert not (tmp_path / "pp" / "branchdesk.json").exists()
