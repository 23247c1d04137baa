"""An upgrade that fails leaves the database as it was, byte for byte, and tells the
person which schema revision failed and why, in their language, with exit status 5
from the command line (not a traceback). The broken database is the first release's
fixture with one row damaged so that migration 0009 cannot read it: the repair of its
0002 and migrations 0003 to 0008 have run in the upgrade's transaction when 0009 fails,
and all of it is undone."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from branchdesk.bootstrap import DB_NAME, open_branch
from branchdesk.persistence.database import DatabaseError
from tests.upgrades.snapshot import ADMIN_NO, ADMIN_PASSWORD, PASSPHRASE, fixture_key, take
from tests.upgrades.test_upgrade_matrix import copy_fixture

ROOT = Path(__file__).resolve().parents[2]
#: What the damaged row holds instead of a date-time: it must not be shown anywhere.
DAMAGE = "soon"


def broken_branch(tmp_path: Path) -> Path:
    """The first release's branch with one case's appointment start not a date-time."""
    data_dir, _ = copy_fixture("0002-original", tmp_path)
    conn = sqlcipher.connect(str(data_dir / DB_NAME))
    try:
        conn.execute(f"PRAGMA key = \"x'{fixture_key(data_dir).hex()}'\"")
        changed = conn.execute(
            f"UPDATE cases SET appointment = json_set(appointment, '$.start', '{DAMAGE}')"
            " WHERE id = (SELECT min(id) FROM cases WHERE json_type(appointment) = 'object')"
        ).rowcount
        conn.commit()
        assert changed == 1
    finally:
        conn.close()
    return data_dir


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_upgrade_changes_nothing_and_names_the_revision(tmp_path: Path) -> None:
    data_dir = broken_branch(tmp_path)
    db = data_dir / DB_NAME
    before_bytes = digest(db)
    before = take(db, fixture_key(data_dir))

    with pytest.raises(DatabaseError) as caught:
        open_branch(data_dir, passphrase=PASSPHRASE)

    assert caught.value.key == "error.db.upgrade_failed"
    assert caught.value.params["revision"] == "0009"
    assert caught.value.params["current"] == "0002"
    # The kind of error and where, never the values: the damaged row's 'soon' (a row can
    # hold a customer's details) is in neither the message nor anything chained to it,
    # which the desktop's log would print with a traceback.
    assert caught.value.params["detail"] == "ValueError, 0009_faq_appointments.py:89"
    assert DAMAGE not in "".join(traceback.format_exception(caught.value))
    assert digest(db) == before_bytes
    assert take(db, fixture_key(data_dir)) == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["schema 0009 failed", "still at schema 0002"]), ("zh_CN", ["0009", "未作任何改动"])],
)
def test_the_command_line_says_why_with_status_5(
    tmp_path: Path, lang: str, words: list[str]
) -> None:
    data_dir = broken_branch(tmp_path)
    before_bytes = digest(data_dir / DB_NAME)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    env.update(
        PYTHONPATH=str(ROOT),
        BRANCHDESK_PASSPHRASE=PASSPHRASE,
        BRANCHDESK_STAFF=ADMIN_NO,
        BRANCHDESK_PASSWORD=ADMIN_PASSWORD,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    command = ["--data-dir", str(data_dir), "--lang", lang, "case", "list"]
    done = subprocess.run(
        [sys.executable, "-m", "branchdesk.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 5, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr
    assert "ValueError" in done.stderr and DAMAGE not in done.stderr
    assert done.stdout == ""
    assert digest(data_dir / DB_NAME) == before_bytes
