"""Make the upgrade matrix's fixtures: for every schema revision BranchDesk has had, a
small branch made by THAT revision's own code (the last commit at which it was the
newest schema), through its own command line, and the record it holds written down.

    python -m tests.upgrades.make_fixtures [NAME ...]
    python -m tests.upgrades.make_fixtures --expected-only [NAME ...]

Each fixture is checked out of git into a temporary worktree, its CLI run with the
worktree first on PYTHONPATH (this venv's libraries), and the result kept in
tests/upgrades/fixtures/NAME/: `branch.db` (SQLCipher, key from the fixture
passphrase), `branchdesk.json` (the salt), `expected.json` (revision, counts, the kept
rows, see snapshot.py), `made.json` (what was done and what that code refused) and
whatever else the installation holds (`archive/` volumes from 0008 on).

A fixture is made once and committed: the code that made it is history. Run this
again only to add a fixture (a new revision: add a line to FIXTURES).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.upgrades.snapshot import ADMIN_NO, ADMIN_PASSWORD, PASSPHRASE, fixture_key, take

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "fixtures"

#: name -> (commit, revision): the last commit at which each revision was the head.
#: "-original": a migration's first version, for the two that were edited in place
#: after release (see branchdesk/persistence/migrations/repairs.py).
FIXTURES: dict[str, tuple[str, int]] = {
    "0002-original": ("1ed76ac", 2),
    "0002": ("efb9df5", 2),
    "0003": ("3cd4deb", 3),
    "0004": ("ceb936b", 4),
    "0005": ("d607633", 5),
    "0006": ("5b9b24a", 6),
    "0007": ("aec7afb", 7),
    "0008": ("eb40a16", 8),
    "0009": ("69f869e", 9),
    "0010": ("f32652a", 10),
    "0011-original": ("17c6df2", 11),  # the first 0011, before it was edited
    "0011": ("e63a6b4", 11),
    "0012": ("86dc2f4", 12),
}

SIGNED_IN_FROM = 6  # 0006: every command but init signs in; HQ sync arrives
CLI = "import sys; from branchdesk.cli import main; sys.exit(main(sys.argv[1:]))"


class Branch:
    """One fixture branch being made by an old commit's command line."""

    def __init__(self, worktree: Path, data_dir: Path, revision: int) -> None:
        self.worktree = worktree
        self.data_dir = data_dir
        self.revision = revision
        self.log: list[dict[str, Any]] = []

    def run(self, *args: str, json_out: bool = False, module: str = "") -> Any:
        argv = ["--data-dir", str(self.data_dir), "--lang", "en", *args]
        if json_out:
            argv.append("--json")
        env = {
            **os.environ,
            "PYTHONPATH": str(self.worktree),
            "BRANCHDESK_PASSPHRASE": PASSPHRASE,
            "BRANCHDESK_STAFF": ADMIN_NO,
            "BRANCHDESK_PASSWORD": ADMIN_PASSWORD,
            "QT_QPA_PLATFORM": "offscreen",
            # Nothing of a fixture goes to this machine's keyring (the device
            # credential is kept in the encrypted database instead).
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        done = subprocess.run(
            [sys.executable, "-m", module, *argv] if module else [sys.executable, "-c", CLI, *argv],
            env=env,
            cwd=self.worktree,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        scratch = str(self.data_dir.parent)
        entry = {"args": [a.replace(scratch, "$SCRATCH") for a in args], "exit": done.returncode}
        if done.returncode != 0:
            entry["stderr"] = done.stderr.strip()[-400:].replace(scratch, "$SCRATCH")
            print(f"  refused {args[:3]}: {entry['stderr']}", file=sys.stderr)
        self.log.append(entry)
        if done.returncode == 0 and json_out:
            return json.loads(done.stdout)
        return None

    def new_case(self, *args: str) -> str | None:
        made = self.run("case", "new", *args, json_out=True)
        return None if made is None else str(made["case"]["number"])

    def act(self, number: str | None, *steps: tuple[str, ...]) -> None:
        if number is None:
            return
        for step in steps:
            self.run("case", "act", number, *step)


def make(name: str, commit: str, revision: int, scratch: Path) -> None:
    worktree = scratch / f"src-{name}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), commit],
        check=True,
        capture_output=True,
    )
    try:
        data_dir = scratch / f"data-{name}"
        b = Branch(worktree, data_dir, revision)
        _record(b, scratch)
        out = HERE / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        # The whole installation: the database, its key's salt, archive volumes.
        shutil.copytree(
            data_dir,
            out,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("*-wal", "*-shm", ".lock"),
        )
        peek = scratch / f"peek-{name}"
        peek.mkdir()
        write_expected(out, peek)
        (out / "made.json").write_text(
            json.dumps({"commit": commit, "commands": b.log}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        refused = [e for e in b.log if e["exit"] != 0]
        print(f"{name}: {len(b.log)} commands, {len(refused)} refused")
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
            check=False,
            capture_output=True,
        )


def write_expected(out: Path, scratch: Path) -> None:
    """expected.json from the fixture's database, read from a copy in `scratch` (even a
    read-only open of a WAL database leaves its -shm beside it)."""
    shutil.copy2(out / "branch.db", scratch / "branch.db")
    expected = take(scratch / "branch.db", fixture_key(out))
    expected["fixture"] = {"name": out.name, "commit": FIXTURES[out.name][0]}
    (out / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )


def _record(b: Branch, scratch: Path) -> None:
    """Cases of every kind taken through the process, as far as this code goes."""
    b.run(
        "init",
        "--no-keyring",
        "--branch-code",
        "GZ0012",
        "--branch-name",
        "天河营业厅",
        "--admin-no",
        ADMIN_NO,
        "--admin-name",
        "管理员",
        "--address",
        "广州市天河路1号",
        "--phone",
        "020-12345678",
    )
    assign = ("assign", "--to", ADMIN_NO)
    complaint = b.new_case(
        "--kind", "complaint", "--category", "technical/network", "--name", "张三",
        "--phone", "13812345678", "--service-number", "13812345678",
        "--summary", "家中信号弱经常掉线", "--remedy", "尽快解决",
    )  # fmt: skip
    b.act(
        complaint,
        ("acknowledge", "--note", "已受理"),
        assign,
        ("record_investigation", "--stage", "initial", "--methods", "on_site,system_data",
         "--findings", "基站覆盖不足"),
        ("determine_responsibility", "--party", "carrier", "--explanation", "覆盖问题"),
        ("plan", "--measures", "rectification", "--detail", "加装室分"),
        ("reply_customer", "--channel", "phone", "--summary", "已告知整改计划"),
        ("resolve", "--result", "信号恢复正常", "--cause-analysis", "覆盖不足"),
        ("record_feedback", "--satisfied", "yes", "--score", "5"),
        ("close", "--summary", "客户满意"),
    )  # fmt: skip
    # `case new` without an appointment: before 0009 this stored the JSON text 'null'.
    request = b.new_case(
        "--kind", "service_request", "--category", "service_request/sim_replacement",
        "--name", "李四", "--phone", "13900001111", "--summary", "补换SIM卡",
    )  # fmt: skip
    b.act(
        request,
        ("acknowledge",),
        assign,
        ("start_work",),
        ("resolve", "--result", "已补卡"),
        ("record_feedback", "--satisfied", "yes", "--score", "4"),
        ("close",),
    )
    booked = b.new_case(
        "--kind", "service_request", "--category", "service_request/broadband_install",
        "--name", "王五", "--phone", "13700002222", "--address", "天河路2号",
        "--summary", "宽带新装预约上门",
        "--appointment-type", "broadband_install",
        "--appointment-start", "2026-12-21 10:00", "--appointment-end", "2026-12-21 11:00",
        "--appointment-staff", "赵师傅",
    )  # fmt: skip
    b.act(booked, ("acknowledge",))
    consultation = b.new_case(
        "--kind", "consultation", "--category", "consultation/roaming",
        "--name", "Alice Smith", "--phone", "13600003333", "--summary", "国际漫游资费咨询",
    )  # fmt: skip
    b.act(consultation, ("answer", "--answer", "按日计费，每天25元"), ("close",))
    waiting = b.new_case(
        "--kind", "complaint", "--category", "service_quality/attitude", "--grade", "major",
        "--channel", "phone", "--name", "赵六", "--phone", "13500004444",
        "--summary", "营业员态度差", "--remedy", "道歉",
    )  # fmt: skip
    b.act(waiting, ("acknowledge",), ("add_note", "--text", "客户下午再来"))
    b.new_case(
        "--kind", "consultation", "--category", "consultation/billing",
        "--name", "孙七", "--phone", "13400005555", "--summary", "话费账单疑问",
    )  # fmt: skip
    b.run("demo", "--cases", "4", "--seed", "7", "--days", "20")
    if b.revision >= 4:  # printed documents (the print log)
        for number, document in ((complaint, "receipt"), (complaint, "closure_letter")):
            if number is not None:
                b.run("case", "print", number, "--document", document,
                      "--out", str(scratch / f"{document}.pdf"))  # fmt: skip
    if b.revision >= 8 and complaint is not None:  # 0007's archive tables in use
        b.run("archive", "recovery-key", "--out", str(scratch / "recovery-key.pdf"))
        b.run("backup", "create", "--to", str(scratch / f"backup-{b.revision}"))
        b.run("archive", "review", complaint)
        b.run("archive", "approve", complaint)
    if b.revision >= SIGNED_IN_FROM:
        _sync(b, scratch)
        if b.revision >= 8:
            b.run("archive", "seal")  # the approved case, now that HQ has its events
        # And one event HQ has not had yet: the outbox has sent and unsent entries.
        b.new_case(
            "--kind", "consultation", "--category", "consultation/plans",
            "--name", "周八", "--phone", "13300006666", "--summary", "同步之后登记的咨询",
        )  # fmt: skip
        b.run("audit", "verify")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sync(b: Branch, scratch: Path) -> None:
    """Enroll with that commit's own HQ (SQLite) and send everything once."""
    hq_db = f"sqlite:///{scratch / f'hq-{b.revision}.db'}"
    env = {**os.environ, "PYTHONPATH": str(b.worktree)}
    hq = [sys.executable, "-m", "sync.server.cli", "--db", hq_db]
    subprocess.run([*hq, "migrate"], env=env, cwd=b.worktree, check=True, capture_output=True)
    made = subprocess.run(
        [*hq, "enroll-branch", "GZ0012", "--name", "天河营业厅"],
        env=env,
        cwd=b.worktree,
        check=True,
        capture_output=True,
        text=True,
    )
    code = made.stdout.strip().splitlines()[-1].strip()
    port = _free_port()
    server = subprocess.Popen(
        [*hq, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=b.worktree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        b.run("enroll", f"http://127.0.0.1:{port}", code, module="ui.launcher")
        b.run("sync", module="ui.launcher")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--expected-only"]:
        # Read again what the committed fixtures hold (after snapshot.py keeps more);
        # the databases themselves stay as their own code made them.
        with tempfile.TemporaryDirectory(prefix="bd-fixtures-") as tmp:
            for name in argv[1:] or list(FIXTURES):
                peek = Path(tmp) / name
                peek.mkdir()
                write_expected(HERE / name, peek)
        return 0
    names = argv or list(FIXTURES)
    with tempfile.TemporaryDirectory(prefix="bd-fixtures-") as tmp:
        for name in names:
            commit, revision = FIXTURES[name]
            make(name, commit, revision, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
