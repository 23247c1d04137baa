"""The branch database on disk: encrypted with a key from the keyring or a passphrase,
migrated on open, refusing a newer schema, and keeping history append-only."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from branchdesk.bootstrap import CONFIG_NAME, DB_NAME, SetupError, initialise, open_branch
from branchdesk.persistence.database import Database, DatabaseError, is_plain_sqlite
from branchdesk.persistence.migrate import current_revision, head_revision, migrate
from branchdesk.secrets import KeyringSecretStore, SecretStoreError, new_key
from branchdesk.services import cases
from tests.conftest import Branch, complaint_form
from tests.support.fakes import MemoryKeyring

PASSPHRASE = "counter-desk-2026"


def test_database_file_is_unreadable_without_its_key(branch: Branch) -> None:
    cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    branch.ctx.db.close()
    db_file = branch.data_dir / DB_NAME
    assert not is_plain_sqlite(db_file)
    raw = db_file.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    for needle in ("张三", "13812345678", "家中手机信号弱"):
        assert needle.encode("utf-8") not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db_file).execute("SELECT * FROM cases").fetchall()


def test_wrong_key_is_a_clear_error(branch: Branch) -> None:
    branch.ctx.db.close()
    with pytest.raises(DatabaseError) as caught:
        Database(branch.data_dir / DB_NAME, new_key())
    assert caught.value.key == "error.db.wrong_key"


def test_key_lives_in_the_keyring_not_in_the_data_directory(
    branch: Branch, _isolated: MemoryKeyring
) -> None:
    config = json.loads((branch.data_dir / CONFIG_NAME).read_text())
    assert config["key_mode"] == "keyring"
    key = branch.store.get(f"db-key:{config['db_id']}")
    assert key is not None and len(key) == 32
    for path in branch.data_dir.iterdir():
        assert key.hex().encode() not in path.read_bytes()
        assert key not in path.read_bytes()
    branch.ctx.db.close()
    reopened = open_branch(branch.data_dir, store=branch.store)
    reopened.db.close()
    _isolated.store.clear()
    with pytest.raises(SetupError) as caught:
        open_branch(branch.data_dir, store=branch.store)
    assert caught.value.key == "error.setup.key_not_in_keyring"


def test_passphrase_mode_when_no_secure_keyring(tmp_path: Path) -> None:
    data_dir = tmp_path / "pp"
    with pytest.raises(SetupError) as caught:
        initialise(
            data_dir,
            branch_code="SZ0001",
            branch_name="深圳营业厅",
            admin_no="A001",
            admin_name="管理员",
            admin_password="Counter#2026",
            use_keyring=False,
        )
    assert caught.value.key == "error.setup.passphrase_required"
    assert not data_dir.exists() or not any(data_dir.iterdir())

    ctx, _ = initialise(
        data_dir,
        branch_code="SZ0001",
        branch_name="深圳营业厅",
        admin_no="A001",
        admin_name="管理员",
        admin_password="Counter#2026",
        passphrase=PASSPHRASE,
        use_keyring=False,
    )
    ctx.db.close()
    config = json.loads((data_dir / CONFIG_NAME).read_text())
    assert config["key_mode"] == "passphrase"
    assert set(config["kdf"]) == {"algorithm", "salt", "time_cost", "memory_kib", "parallelism"}
    assert config["kdf"]["algorithm"] == "argon2id"
    assert PASSPHRASE not in (data_dir / CONFIG_NAME).read_text()

    open_branch(data_dir, passphrase=PASSPHRASE).db.close()
    with pytest.raises(DatabaseError) as wrong:
        open_branch(data_dir, passphrase=PASSPHRASE + "x")
    assert wrong.value.key == "error.db.wrong_key"
    with pytest.raises(SetupError):
        open_branch(data_dir)


def test_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError) as caught:
        initialise(
            tmp_path / "x",
            branch_code="SZ0001",
            branch_name="深圳营业厅",
            admin_no="A001",
            admin_name="管理员",
            admin_password="Counter#2026",
            passphrase="short",
            use_keyring=False,
        )
    assert caught.value.key == "error.secret.passphrase_short"


def test_insecure_keyring_backends_are_refused() -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    with pytest.raises(SecretStoreError):
        KeyringSecretStore(FailKeyring())
    KeyringSecretStore(MemoryKeyring())


def test_initialise_twice_is_refused(branch: Branch) -> None:
    with pytest.raises(SetupError) as caught:
        initialise(
            branch.data_dir,
            branch_code="GZ0012",
            branch_name="x",
            admin_no="A001",
            admin_name="y",
            admin_password="Counter#2026",
            store=branch.store,
        )
    assert caught.value.key == "error.setup.already_initialised"


def test_connection_settings(branch: Branch) -> None:
    with branch.ctx.db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_events_are_append_only(branch: Branch) -> None:
    cases.intake(branch.ctx, form=complaint_form(), actor="A001")
    with pytest.raises(IntegrityError), branch.ctx.db.write() as conn:
        conn.execute(text("UPDATE case_events SET actor = 'X'"))
    with pytest.raises(IntegrityError), branch.ctx.db.write() as conn:
        conn.execute(text("DELETE FROM case_events"))
    with branch.ctx.db.read() as conn:
        assert conn.execute(text("SELECT actor FROM case_events")).scalar() == "A001"


def test_newer_database_is_refused_untouched(branch: Branch) -> None:
    with branch.ctx.db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseError) as caught:
        migrate(branch.ctx.db)
    assert caught.value.key == "error.db.too_new"
    with branch.ctx.db.read() as conn:
        assert current_revision(conn) == "9999_future"


def test_migration_from_the_first_schema_keeps_and_indexes_old_cases(tmp_path: Path) -> None:
    """A database made by the earliest schema (0001, before the search index) with a
    case in it upgrades to head; the case is kept and becomes searchable."""
    key = new_key()
    db = Database(tmp_path / "old.db", key)
    migrate(db, target="0001")
    with db.write() as conn:
        assert current_revision(conn) == "0001"
        conn.execute(
            text(
                "INSERT INTO cases (id, number, kind, channel, category, grade, state, is_open,"
                " escalation, paused, customer_name, customer_phone, summary, description, remedy,"
                " received_at, entered_at, updated_at, receiving_clerk, owner, reopen_count,"
                " investigations, version, provisional) VALUES (1, 'GZ0012-20250101-0001X',"
                " 'complaint', 'walk_in', 'technical/network', 'ordinary', 'received', 1,"
                " 'none', 0,"
                " '王五', '13900001111', '宽带晚上经常断网', '', '', 1735700000, 1735700000,"
                " 1735700000, 'A001', 'A001', 0, 0, 1, 0)"
            )
        )
    migrate(db)
    with db.read() as conn:
        assert current_revision(conn) == head_revision()
        assert conn.execute(text("SELECT customer_name FROM cases")).scalar() == "王五"
        found = (
            conn.execute(
                text("SELECT rowid FROM case_search WHERE case_search MATCH '\"晚上经常\"'")
            )
            .scalars()
            .all()
        )
        assert found == [1]
        by_name = (
            conn.execute(text("SELECT rowid FROM case_grams WHERE case_grams MATCH '\"王五\"'"))
            .scalars()
            .all()
        )
        assert by_name == [1]  # 1–2 character queries work on old cases too
    db.close()


def test_schema_head_constant_matches_the_migrations() -> None:
    from branchdesk.persistence.migrate import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD


def test_upkeep_merges_index_segments_and_keeps_search_working(branch: Branch) -> None:
    from branchdesk.persistence import maintenance
    from branchdesk.services import queries

    for _ in range(40):  # each save its own transaction: its own index segment
        cases.intake(branch.ctx, form=complaint_form(), actor="A001")

    def structure_rows() -> int:
        with branch.ctx.db.read() as conn:
            return int(conn.execute(text("SELECT count(*) FROM case_search_data")).scalar_one())

    with branch.ctx.db.read() as conn:
        automerge = conn.execute(
            text("SELECT v FROM case_search_config WHERE k = 'automerge'")
        ).scalar()
    assert automerge == 0  # saves never merge; the upkeep step does
    before = structure_rows()
    assert maintenance.merge_indexes(branch.ctx.db, budget_s=2.0) >= 1
    assert structure_rows() < before
    maintenance.maintain(branch.ctx.db)
    assert len(queries.search(branch.ctx, "信号弱", limit=100)) == 40
    with branch.ctx.db.read() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert (
            conn.execute(
                text("INSERT INTO case_search(case_search) VALUES ('integrity-check')")
            ).rowcount
            != 0
        )
