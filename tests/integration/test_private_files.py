"""Files holding a secret or a customer's data are written for their owner alone (0600,
like exports), whatever the umask: the recovery sheet (`archive recovery-key --out`,
`init --recovery-sheet`), a case's printed document and an archived case's reprinted
one, the audit trail's CSV, the supervision ledger, an incident's report and closure
letters and the quality report, also when an earlier, world-readable file of that name
is replaced; the data folder a set-up creates is its owner's alone (0700)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from branchdesk.bootstrap import open_branch
from branchdesk.cli import main
from branchdesk.persistence.schema import archive_entries
from tests.integration.conftest import INIT, Cli
from tests.integration.test_cli import NEW
from tests.integration.test_cli_archive import setup_branch
from tests.support.backups import PASSPHRASE, ROOT, Prepared, cli_env
from tests.support.files import usual_umask


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The usual 022, under which a plain write makes a world-readable file."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_recovery_sheet_is_for_its_owner_alone(cli: Cli, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(b"an earlier sheet")
    sheet.chmod(0o644)
    cli.json("archive", "recovery-key", "--out", str(sheet))
    assert sheet.read_bytes().startswith(b"%PDF")
    assert mode(sheet) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".sheet")] == []


def test_a_printed_case_document_is_for_its_owner_alone(cli: Cli, tmp_path: Path) -> None:
    [number] = setup_branch(cli, cases=1)
    out = tmp_path / "receipt.pdf"
    cli.json("case", "print", number, "--document", "receipt", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF") and mode(out) == 0o600


def test_the_audit_ledger_incident_and_report_files_are_for_their_owner_alone(
    cli: Cli, tmp_path: Path
) -> None:
    case = cli.json(*NEW)["case"]["number"]
    number = cli.json(
        "incident", "create", "--type", "network_outage", "--level", "2",
        "--district", "天河区", "--services", "technical/network", "--scope", "移动网络中断",
    )["number"]  # fmt: skip
    cli.json("incident", "link", number, case)
    resolution = ["--root-cause", "光缆被挖断", "--explanation", "网络已恢复"]
    cli.json("incident", "resolve", number, *resolution)
    cli.json("incident", "bulk-resolve", number)
    files = {name: tmp_path / name for name in ("audit.csv", "ledger.pdf", "letters.pdf")}
    files |= {name: tmp_path / name for name in ("incident.pdf", "quality.pdf")}
    files["audit.csv"].write_bytes(b"an earlier export")
    files["audit.csv"].chmod(0o644)
    cli.json("audit", "export", "--out", str(files["audit.csv"]))
    cli.json("ledger", "--pdf", str(files["ledger.pdf"]))
    cli.json("incident", "letters", number, "--out", str(files["letters.pdf"]))
    cli.json("incident", "report", number, "--out", str(files["incident.pdf"]))
    cli.json("report", "quality", "--month", "2026-11", "--pdf", str(files["quality.pdf"]))
    assert files["audit.csv"].read_bytes().startswith("\ufeff".encode())  # still Excel's UTF-8
    assert {name: oct(mode(path)) for name, path in files.items()} == dict.fromkeys(
        files, oct(0o600)
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_sheet_printed_at_set_up_is_for_its_owner_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Counter#2026")
    sheet = tmp_path / "at-set-up.pdf"
    code = main(["--data-dir", str(tmp_path / "data"), *INIT, "--recovery-sheet", str(sheet)])
    assert code == 0, capsys.readouterr().err
    assert sheet.read_bytes().startswith(b"%PDF") and mode(sheet) == 0o600


def test_a_reprinted_archived_document_is_for_its_owner_alone(
    backup_made: tuple[Prepared, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir = tmp_path / "branch"
    shutil.copytree(backup_made[0].data_dir, data_dir)
    ctx = open_branch(data_dir, passphrase=PASSPHRASE)
    try:
        with ctx.db.read() as conn:
            archive_no = conn.execute(select(archive_entries.c.archive_no)).scalars().first()
    finally:
        ctx.db.close()
    monkeypatch.setenv("BRANCHDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BRANCHDESK_STAFF", "R401")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Counter#2026")
    out = tmp_path / "receipt.pdf"
    args = ["archive", "reprint", str(archive_no), "--document", "receipt", "--out", str(out)]
    code = main(["--data-dir", str(data_dir), *args])
    assert code == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF") and mode(out) == 0o600


@pytest.mark.parametrize("before", ["none", "empty"])
def test_the_data_folder_a_set_up_makes_is_for_its_owner_alone(
    before: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside the encrypted database it holds the archive volumes and logs. A folder made
    empty for BranchDesk is BranchDesk's, and is made owner-only too."""
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Counter#2026")
    data_dir = tmp_path / "new-pc" / "BranchDesk"
    if before == "empty":
        data_dir.mkdir(parents=True, mode=0o755)
    assert main(["--data-dir", str(data_dir), *INIT]) == 0, capsys.readouterr().err
    assert mode(data_dir) == 0o700


def test_a_folder_holding_other_files_keeps_its_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person's own folder: narrowing it could lock others out of their files."""
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Counter#2026")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    (shared / "notes.txt").write_text("the person's own file", encoding="utf-8")
    assert main(["--data-dir", str(shared), *INIT]) == 0, capsys.readouterr().err
    assert mode(shared) == 0o755


def test_a_document_written_to_standard_output_goes_there(
    backup_made: tuple[Prepared, Path], tmp_path: Path
) -> None:
    """`--pdf /dev/stdout` in a pipeline (the real command in its own process, its
    output a pipe): there is no file to replace and the folder is not the person's to
    write in, so the document is written straight into it. Named here by the path
    `/dev/stdout` links to: a regressed fix run as root would otherwise replace the
    machine's own `/dev/stdout` link with a file (as the unfixed code did)."""
    data_dir = tmp_path / "branch"
    shutil.copytree(backup_made[0].data_dir, data_dir)
    args = ["--data-dir", str(data_dir), "report", "quality", "--month", "2026-11"]
    done = subprocess.run(
        [sys.executable, "-m", "branchdesk.cli", *args, "--pdf", "/proc/self/fd/1"],
        env=cli_env(BRANCHDESK_STAFF="A001"),
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert done.stdout.startswith(b"%PDF") and b"%%EOF" in done.stdout


def test_a_printed_case_document_can_go_into_a_pipe(cli: Cli, tmp_path: Path) -> None:
    """`case print --out FIFO`: a named pipe another program reads (a print spooler,
    say) is written into as it is, neither replaced nor chmod-ed."""
    [number] = setup_branch(cli, cases=1)
    fifo = tmp_path / "to-printer"
    os.mkfifo(fifo, 0o640)
    # Held open (it does not wait for a writer) so that the pipe itself can be reached
    # to end the reader even if the command replaced the name with a file.
    held = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        code, _, err = cli("case", "print", number, "--document", "receipt", "--out", str(fifo))
    finally:
        # A writer that opens and closes at once: the reader then ends at the end of
        # what the command wrote, or with nothing if the command never opened the pipe.
        os.close(os.open(f"/proc/self/fd/{held}", os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=60)
        os.close(held)
    assert code == 0, err
    assert received and received[0].startswith(b"%PDF")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and mode(fifo) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_standard_output_redirected_to_a_file_gets_the_document(
    backup_made: tuple[Prepared, Path], tmp_path: Path
) -> None:
    """`--pdf /dev/stdout > quality.pdf`: the name is a link to the file the shell
    opened. The document goes beside that file and replaces it (owner-only); the
    link is not replaced by a file of its own (as root, the unfixed code replaced the
    machine's `/dev/stdout`; named here by the path it links to, which cannot be
    replaced, so that a regression fails instead of doing that)."""
    data_dir = tmp_path / "branch"
    shutil.copytree(backup_made[0].data_dir, data_dir)
    redirected = tmp_path / "quality.pdf"
    args = ["--data-dir", str(data_dir), "report", "quality", "--month", "2026-11"]
    with usual_umask(), open(redirected, "wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "branchdesk.cli", *args, "--pdf", "/proc/self/fd/1"],
            env=cli_env(BRANCHDESK_STAFF="A001"),
            cwd=ROOT,
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert redirected.read_bytes().startswith(b"%PDF") and mode(redirected) == 0o600


def test_a_link_to_a_file_is_followed_not_replaced(cli: Cli, tmp_path: Path) -> None:
    """`--out latest.pdf`, a symbolic link to the real file elsewhere: the file it
    points to gets the document (owner-only), and the link stays a link."""
    [number] = setup_branch(cli, cases=1)
    (tmp_path / "prints").mkdir()
    real = tmp_path / "prints" / "receipt.pdf"
    real.write_bytes(b"an earlier receipt")
    real.chmod(0o644)
    link = tmp_path / "latest.pdf"
    link.symlink_to(real)
    cli.json("case", "print", number, "--document", "receipt", "--out", str(link))
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes().startswith(b"%PDF") and mode(real) == 0o600
    assert sorted(p.name for p in real.parent.iterdir()) == ["receipt.pdf"]
