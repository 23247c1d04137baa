"""Finding, creating and opening a branch installation: its data directory, the
encrypted database in it, and the database key (OS keyring, or an operator
passphrase when no secure keyring exists).

The data directory holds `branch.db` (SQLCipher) and `branchdesk.json`, which says
how the key is obtained: a keyring entry name, or the argon2id salt and parameters
for the passphrase. It never holds the key.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

from branchdesk.domain.errors import DomainError
from branchdesk.persistence.database import Database
from branchdesk.persistence.migrate import migrate
from branchdesk.secrets import KdfParams, SecretStore, default_secret_store, derive_key, new_key
from branchdesk.services.branch import BranchInfo, initialise_branch, read_settings
from branchdesk.services.context import DEFAULT_TZ, ServiceContext
from branchdesk.services.private_files import make_private_dir
from branchdesk.services.sync_rules import use_published_rules

ENV_DATA_DIR = "BRANCHDESK_DATA_DIR"
ENV_PASSPHRASE = "BRANCHDESK_PASSPHRASE"
CONFIG_NAME = "branchdesk.json"
DB_NAME = "branch.db"


class SetupError(DomainError):
    """The installation is missing, already there, or its key cannot be had."""


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir`, else $BRANCHDESK_DATA_DIR, else the platform's user data dir."""
    chosen = override or os.environ.get(ENV_DATA_DIR)
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(platformdirs.user_data_dir("BranchDesk", appauthor=False))


@dataclass(frozen=True)
class InstallConfig:
    db_id: str
    key_mode: str  # "keyring" | "passphrase"
    kdf: KdfParams | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": 1, "db_id": self.db_id, "key_mode": self.key_mode}
        if self.kdf is not None:
            data["kdf"] = self.kdf.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InstallConfig:
        kdf = KdfParams.from_json(data["kdf"]) if data.get("kdf") else None
        return cls(db_id=str(data["db_id"]), key_mode=str(data["key_mode"]), kdf=kdf)

    @property
    def secret_name(self) -> str:
        return f"db-key:{self.db_id}"


def is_initialised(data_dir: Path) -> bool:
    return (data_dir / CONFIG_NAME).exists() and (data_dir / DB_NAME).exists()


def _read_config(data_dir: Path) -> InstallConfig:
    try:
        raw = json.loads((data_dir / CONFIG_NAME).read_text(encoding="utf-8"))
        return InstallConfig.from_json(raw)
    except FileNotFoundError:
        raise SetupError("error.setup.not_initialised", path=str(data_dir)) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SetupError(
            "error.setup.bad_config", path=str(data_dir / CONFIG_NAME), detail=str(exc)
        ) from exc


def _key_for(config: InstallConfig, *, passphrase: str | None, store: SecretStore | None) -> bytes:
    if config.key_mode == "keyring":
        if store is None:
            raise SetupError("error.setup.keyring_missing")
        key = store.get(config.secret_name)
        if key is None:
            raise SetupError("error.setup.key_not_in_keyring", name=config.secret_name)
        return key
    if passphrase is None:
        raise SetupError("error.setup.passphrase_required", env=ENV_PASSPHRASE)
    assert config.kdf is not None
    return derive_key(passphrase, config.kdf)


def _context(db: Database, settings: dict[str, Any]) -> ServiceContext:
    tz = ZoneInfo(settings.get("branch.timezone", str(DEFAULT_TZ)))
    return ServiceContext(db=db, branch_code=settings.get("branch.code", ""), tz=tz)


def initialise(
    data_dir: Path,
    *,
    branch_code: str,
    branch_name: str,
    admin_no: str,
    admin_name: str,
    admin_password: str,
    address: str = "",
    phone: str = "",
    language: str = "zh_CN",
    passphrase: str | None = None,
    store: SecretStore | None = None,
    use_keyring: bool = True,
) -> tuple[ServiceContext, BranchInfo]:
    """Create the data directory, a fresh key, the encrypted database and the branch.

    The key goes to the OS keyring when a secure one exists (`store`, or the default);
    otherwise it is derived from `passphrase`, which is then required.
    """
    if is_initialised(data_dir):
        raise SetupError("error.setup.already_initialised", path=str(data_dir))
    if use_keyring and store is None:
        store = default_secret_store()
    swept = _sweep(data_dir, store)
    if store is not None and use_keyring:
        config = InstallConfig(db_id=str(uuid.uuid4()), key_mode="keyring")
        key = new_key()
    else:
        if passphrase is None:
            raise SetupError("error.setup.passphrase_required", env=ENV_PASSPHRASE)
        config = InstallConfig(
            db_id=str(uuid.uuid4()), key_mode="passphrase", kdf=KdfParams.fresh()
        )
        assert config.kdf is not None
        key = derive_key(passphrase, config.kdf)
    # Owner-only: beside the encrypted database it holds the archive volumes and logs.
    make_private_dir(data_dir)
    db_path = data_dir / DB_NAME
    if db_path.exists():
        raise SetupError("error.setup.already_initialised", path=str(data_dir))
    if config.key_mode == "keyring":
        # Stored before the database exists: a key without a database is harmless, a
        # database without its key is lost.
        assert store is not None
        store.set(config.secret_name, key)
    db = Database(db_path, key)
    try:
        migrate(db)
        ctx = _context(db, {"branch.code": branch_code})
        info = initialise_branch(
            ctx,
            code=branch_code,
            name=branch_name,
            admin_no=admin_no,
            admin_name=admin_name,
            admin_password=admin_password,
            address=address,
            phone=phone,
            language=language,
        )
    except BaseException:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        raise
    # Written last: its presence is what marks the installation as complete.
    (data_dir / CONFIG_NAME).write_text(json.dumps(config.to_json(), indent=2), encoding="utf-8")
    _record_swept(ctx, swept)
    return ctx, info


def _sweep(data_dir: Path, store: SecretStore | None) -> list[str]:
    """Remove what killed restores into `data_dir` left beside it (hidden copies of a
    branch), unless a live restore into it is running (`backup_leftovers`)."""
    # Imported here: the leftovers module opens a dead restore's copy with open_branch.
    from branchdesk.services import backup_leftovers

    return backup_leftovers.sweep_dead_restores(data_dir, store)


def _record_swept(ctx: ServiceContext, swept: list[str]) -> None:
    from branchdesk.services import backup_leftovers

    backup_leftovers.record_swept(ctx, swept)


def open_branch(
    data_dir: Path,
    *,
    passphrase: str | None = None,
    store: SecretStore | None = None,
    sweep: bool = True,
) -> ServiceContext:
    """Open an initialised installation, migrating its schema if it is older. With
    `sweep` (everything but a restore opening its own staging copy), once it has
    opened, the copies of the branch that killed restores into `data_dir` left beside
    it are removed, and the removal is audited."""
    config = _read_config(data_dir)
    if not (data_dir / DB_NAME).exists():
        raise SetupError("error.setup.not_initialised", path=str(data_dir))
    if config.key_mode == "keyring" and store is None:
        store = default_secret_store()
    key = _key_for(config, passphrase=passphrase, store=store)
    db = Database(data_dir / DB_NAME, key)
    try:
        migrate(db)
        with db.read() as conn:
            settings = read_settings(conn)
        ctx = _context(db, settings)
        # What headquarters published (calendar years, SLA policy, catalogue) replaces
        # the shipped defaults for every service call from now on.
        use_published_rules(ctx)
        # Once the branch has opened with its key: who cannot open it removes nothing.
        if sweep:
            _record_swept(ctx, _sweep(data_dir, store))
    except BaseException:
        db.close()
        raise
    return ctx


def key_mode(data_dir: Path) -> str:
    return _read_config(data_dir).key_mode
