"""The archive and backup commands on a fresh branch, as a script runs them: the
recovery sheet, the archive duty from queue to reprint, tampering named, holds and
purges refused, and a backup restored onto a new data directory only when an
archivist of the restored branch confirms it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from branchdesk.archive.keys import RecoveryKey
from branchdesk.bootstrap import is_initialised, open_branch
from branchdesk.domain.errors import DomainError
from branchdesk.services import archiving, staff
from tests.conftest import PASSWORD, Branch, activate
from tests.integration.conftest import Cli
from tests.unit.archive.support import acknowledge_outbox, closed_case, keys_of


def pdf_text(pdf: bytes | Path) -> str:
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def sheet_key(sheet: Path) -> RecoveryKey:
    """The key read back from the printed sheet, as a person would type it."""
    text = pdf_text(sheet)
    groups = re.findall(r"\b[A-Z2-7]{4}\b", text.split("BDRK", 1)[1])[:14]
    return RecoveryKey.parse("BDRK-" + "-".join(groups))


def setup_branch(cli: Cli, cases: int = 2) -> list[str]:
    """Colleagues (handler H201, archivist R401) and closed complaints, made through the
    services on the CLI's branch, as the workbench would have made them."""
    ctx = open_branch(cli.data_dir)
    try:
        for no, name, role in (("H201", "刘志强", "handler"), ("R401", "郑雅琴", "archivist")):
            new = staff.add_staff(ctx, staff_no=no, name=name, roles=(role,), actor="A001")
            activate(ctx, no, new.one_time_code)
        return [closed_case(ctx, name=f"王{i}明") for i in range(cases)]
    finally:
        ctx.db.close()


def hq_received_everything(cli: Cli) -> None:
    ctx = open_branch(cli.data_dir)
    try:
        acknowledge_outbox(ctx)
    finally:
        ctx.db.close()


@pytest.fixture
def sealed(cli: Cli, tmp_path: Path) -> tuple[list[str], list[str], RecoveryKey]:
    """Two cases archived and sealed through the commands; the recovery key from its
    sheet."""
    numbers = setup_branch(cli)
    sheet = tmp_path / "sheet.pdf"
    issued = cli.json("archive", "recovery-key", "--out", str(sheet))
    key = sheet_key(sheet)
    assert key.key_id == issued["key_id"]
    approved = cli.json("archive", "approve", *numbers)
    assert [a["case"] for a in approved["approved"]] == numbers
    assert approved["sealed"] == 0 and approved["waiting_for_sync"] == 2  # HQ first
    hq_received_everything(cli)
    assert cli.json("archive", "seal")["sealed"] == 2
    return numbers, [a["archive_no"] for a in approved["approved"]], key


def test_the_recovery_sheet_carries_the_key_its_fingerprint_and_what_to_do(
    cli: Cli, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.pdf"
    code, out, err = cli("archive", "recovery-key", "--out", str(sheet))
    assert code == 0, err
    assert "BDRK" not in out + err  # the key is on paper only
    text = pdf_text(sheet)
    key = sheet_key(sheet)
    for expected in ("档案恢复密钥单", "广州天河营业厅", "GZ0012", key.key_id, "A001 管理员"):
        assert expected in text
    assert "backup restore" in text and "保险柜" in text
    english = tmp_path / "sheet-en.pdf"
    cli.json("archive", "recovery-key", "--out", str(english), "--sheet-lang", "en")
    assert "Archive recovery key" in pdf_text(english)
    assert sheet_key(english).key_id != key.key_id  # a new key each time


def test_the_archive_duty_from_queue_to_reprint(
    cli: Cli, tmp_path: Path, sealed: tuple[list[str], list[str], RecoveryKey]
) -> None:
    numbers, archive_nos, _ = sealed
    assert cli.json("archive", "queue")["items"] == []
    found = cli.json("archive", "find", "--customer", "王0明")
    assert [f["archive_no"] for f in found] == [archive_nos[0]]
    assert found[0]["phone"] != "13812345678"  # masked in the index listing
    assert {f["case"] for f in cli.json("archive", "find", "--kind", "complaint")} == set(numbers)
    assert cli.json("archive", "find", "--since", "2000-01-01", "--until", "2000-01-02") == []
    shown = cli.json("archive", "show", archive_nos[1])
    assert shown["case"]["number"] == numbers[1]
    assert [e["kind"] for e in shown["events"]][-1] == "archive"
    assert shown["documents"] == ["receipt", "closure_letter", "case_record"]
    code, out, _ = cli("archive", "show", numbers[1])  # by case number, for people
    assert code == 0 and archive_nos[1] in out and "王1明" in out
    letter = tmp_path / "letter.pdf"
    cli.json(
        "archive", "reprint", archive_nos[0], "--document", "closure_letter", "--out", str(letter)
    )
    assert numbers[0] in pdf_text(letter)
    actions = [e["action"] for e in cli.json("audit", "list", "--action", "archive")]
    assert "archive.reprint" in actions and "archive.open" in actions


def test_review_names_what_is_missing(cli: Cli) -> None:
    setup_branch(cli, cases=0)
    ctx = open_branch(cli.data_dir)
    try:
        number = closed_case(ctx, steps=("acknowledge",))
    finally:
        ctx.db.close()
    code, out, _ = cli("archive", "review", number)
    assert code == 0 and "未记录调查" in out  # the branch's language
    [row] = cli.json("--lang", "en", "archive", "review", number)
    assert row["complete"] is False and "no investigation recorded" in row["missing"]


def test_a_flipped_byte_in_a_volume_is_named(
    cli: Cli, sealed: tuple[list[str], list[str], RecoveryKey]
) -> None:
    _, _, key = sealed
    assert cli.json("archive", "verify")["ok"] is True
    [volume] = (cli.data_dir / "archive").glob("*.bdav")
    data = bytearray(volume.read_bytes())
    data[len(data) // 2] ^= 0x01
    volume.write_bytes(bytes(data))
    code, _, err = cli("--lang", "en", "archive", "verify")
    assert code == 5 and volume.name in err and "entry" in err
    code, _, err = cli(
        "--lang", "en", "archive", "verify", str(volume), "--recovery-key", key.text()
    )
    assert code == 5 and volume.name in err


def test_holds_and_retention_refuse_a_purge(
    cli: Cli, sealed: tuple[list[str], list[str], RecoveryKey]
) -> None:
    _, archive_nos, _ = sealed
    cli.json("archive", "hold", archive_nos[0], "--reason", "诉讼中")
    assert cli.json("archive", "find", "--archive-no", archive_nos[0])[0]["hold"] == "诉讼中"
    code, _, err = cli("--lang", "en", "archive", "purge-request", *archive_nos, "--reason", "x")
    assert code == 2 and "legal hold" in err and "must be kept until" in err
    cli.json("archive", "release", archive_nos[0])
    assert cli.json("archive", "find", "--archive-no", archive_nos[0])[0]["hold"] == ""


def test_a_clerk_cannot_read_the_archive(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, sealed: tuple[list[str], list[str], RecoveryKey]
) -> None:
    monkeypatch.setenv("BRANCHDESK_STAFF", "H201")
    for command in (["archive", "queue"], ["archive", "find"], ["backup", "create", "--to", "x"]):
        code, _, _ = cli(*command)
        assert code == 6, command


def test_rotating_the_master_key_keeps_every_volume_readable(
    cli: Cli, sealed: tuple[list[str], list[str], RecoveryKey]
) -> None:
    rotated = cli.json("archive", "rotate-key")
    assert rotated["volumes"] == 1
    assert cli.json("archive", "verify")["ok"] is True


def test_backup_verify_and_restore_on_a_new_pc(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sealed: tuple[list[str], list[str], RecoveryKey],
) -> None:
    numbers, archive_nos, key = sealed
    made = cli.json("backup", "create", "--to", str(tmp_path / "usb"))
    folder = made["folder"]
    assert cli.json("backup", "verify", folder)["ok"] is True
    # Away from the branch, no sign-in: the key from the sheet is the proof.
    monkeypatch.delenv("BRANCHDESK_PASSWORD")
    assert cli.json("backup", "verify", folder, "--recovery-key", key.text())["cases"] >= 2

    new_pc = tmp_path / "new-pc"
    # A handler of the restored branch may not restore it: nothing stays behind.
    monkeypatch.setenv("BRANCHDESK_STAFF", "H201")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    code, _, err = cli(
        "backup", "restore", folder, "--data-dir", str(new_pc), "--recovery-key", key.text()
    )
    assert code == 6, err
    assert not is_initialised(new_pc) and not list(tmp_path.glob(".new-pc.restoring-*"))
    # Nor may a wrong password, or a wrong recovery key.
    monkeypatch.setenv("BRANCHDESK_STAFF", "R401")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "Wrong#password1")
    code, _, _ = cli(
        "backup", "restore", folder, "--data-dir", str(new_pc), "--recovery-key", key.text()
    )
    assert code == 6 and not is_initialised(new_pc)
    monkeypatch.setenv("BRANCHDESK_PASSWORD", PASSWORD)
    other = RecoveryKey.generate().text()
    code, _, err = cli(
        "backup", "restore", folder, "--data-dir", str(new_pc), "--recovery-key", other
    )
    assert code == 5 and not is_initialised(new_pc)

    restored = cli.json(
        "backup", "restore", folder, "--data-dir", str(new_pc), "--recovery-key", key.text()
    )
    assert restored["restored_by"] == "R401" and restored["volumes"] == 1
    assert is_initialised(new_pc)
    # The new PC is the branch: same archived cases, same audit chain, readable.
    monkeypatch.setenv("BRANCHDESK_STAFF", "A001")
    run = Cli(new_pc, cli.capsys)
    assert run.json("audit", "verify")["ok"] is True
    shown = run.json("archive", "show", archive_nos[0])
    assert shown["case"]["number"] == numbers[0]
    actions = [e["action"] for e in run.json("audit", "list", "--limit", "10")]
    assert "backup.restore" in actions and "archive.verify" in actions


def test_restore_refuses_a_folder_that_holds_a_branch(
    cli: Cli, tmp_path: Path, sealed: tuple[list[str], list[str], RecoveryKey]
) -> None:
    _, _, key = sealed
    folder = cli.json("backup", "create", "--to", str(tmp_path / "usb"))["folder"]
    code, _, err = cli(
        "--lang",
        "en",
        "backup",
        "restore",
        folder,
        "--data-dir",
        str(cli.data_dir),
        "--recovery-key",
        key.text(),
    )
    assert code == 2 and "already holds" in err  # the person named the wrong folder


def test_a_manager_cannot_approve_their_own_purge_request(branch: Branch) -> None:
    """Four eyes: whoever asked for a purge cannot also approve it, whatever roles they
    hold (the first administrator holds both the admin and the manager role)."""
    ctx = branch.ctx
    archiving.issue_recovery_key(ctx, actor="A001")
    number = closed_case(ctx)
    [(_, archive_no)] = archiving.approve(
        ctx, keys_of(branch), numbers=[number], actor="M301"
    ).approved
    acknowledge_outbox(ctx)
    assert archiving.seal_archived(ctx, keys_of(branch), actor="M301").sealed == 1
    branch.clock.advance(days=4 * 366)
    request = archiving.request_purge(
        ctx, archive_nos=[archive_no], mode="purge", reason="保存期满", actor="A001"
    )
    with pytest.raises(DomainError) as refused:
        archiving.approve_purge(ctx, keys_of(branch), request_id=request, actor="A001")
    assert refused.value.key == "error.archive.four_eyes"
    [entry] = archiving.find(ctx, actor="M301", archive_no=archive_no)
    assert entry.status == "stored"
    done = archiving.approve_purge(ctx, keys_of(branch), request_id=request, actor="M301")
    assert done.cases == 1
    [entry] = archiving.find(ctx, actor="M301", archive_no=archive_no)
    assert entry.status == "purged" and entry.customer is None
