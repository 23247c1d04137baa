"""Where this installation's archive master keys come from, and their life cycle:
the first key, rotation (new key, every volume's data key re-wrapped in one
transaction, no data re-encrypted) and the recovery key's public half.

Keyring mode: each master key generation is a SecretStore entry
`archive-key:<db id>:<key id>`, beside the database key. Passphrase mode: the master
key is stored in the database wrapped by a key derived from the passphrase (as the
database key itself is derived from it); it is never written anywhere in the clear.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from branchdesk.archive.keys import (
    ArchiveKeyError,
    new_data_key,
    passphrase_kek,
    unwrap_key,
    wrap_key,
)
from branchdesk.bootstrap import CONFIG_NAME, InstallConfig
from branchdesk.persistence.schema import archive_master_keys, settings
from branchdesk.secrets import SecretStore, default_secret_store, derive_key
from branchdesk.services.context import ServiceContext

RECOVERY_PUBLIC = "archive.recovery_public"
RECOVERY_ID = "archive.recovery_key_id"


@dataclass
class ArchiveKeys:
    """The means to obtain master keys: a SecretStore, or the passphrase-derived KEK."""

    db_id: str
    mode: str  # "keyring" | "passphrase"
    store: SecretStore | None = None
    kek: bytes | None = None
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    def secret_name(self, key_id: str) -> str:
        return f"archive-key:{self.db_id}:{key_id}"

    def create(self, key_id: str) -> tuple[bytes, dict[str, str] | None]:
        """A new master key, kept where this mode keeps it; returns the key and what the
        database row stores (the passphrase-wrapped key, or None in keyring mode)."""
        key = new_data_key()
        if self.mode == "keyring":
            if self.store is None:
                raise ArchiveKeyError("error.archive.keyring_missing")
            # Stored before any volume uses it: a key without data is harmless, data
            # without its key is lost.
            self.store.set(self.secret_name(key_id), key)
            wrapped = None
        else:
            assert self.kek is not None
            wrapped = wrap_key(self.kek, "passphrase", key, context=f"master:{key_id}")
        self._cache[key_id] = key
        return key, wrapped

    def load(self, key_id: str, wrapped: dict[str, Any] | None) -> bytes:
        if key_id in self._cache:
            return self._cache[key_id]
        if wrapped is not None:
            if self.kek is None:
                raise ArchiveKeyError("error.archive.passphrase_needed")
            key = unwrap_key(self.kek, wrapped, context=f"master:{key_id}")
        else:
            value = self.store.get(self.secret_name(key_id)) if self.store else None
            if value is None:
                raise ArchiveKeyError("error.archive.master_key_missing", key_id=key_id)
            key = value
        self._cache[key_id] = key
        return key

    def forget(self, key_id: str) -> None:
        self._cache.pop(key_id, None)
        if self.mode == "keyring" and self.store is not None:
            self.store.delete(self.secret_name(key_id))


def archive_keys(
    data_dir: Path, *, passphrase: str | None = None, store: SecretStore | None = None
) -> ArchiveKeys:
    """The key source of the installation in `data_dir` (its branchdesk.json says which
    mode). Passphrase mode needs the passphrase (argon2id, ~0.2 s)."""
    raw = json.loads((data_dir / CONFIG_NAME).read_text(encoding="utf-8"))
    config = InstallConfig.from_json(raw)
    if config.key_mode == "keyring":
        return ArchiveKeys(config.db_id, "keyring", store=store or default_secret_store())
    if passphrase is None:
        raise ArchiveKeyError("error.archive.passphrase_needed")
    assert config.kdf is not None
    return ArchiveKeys(
        config.db_id, "passphrase", kek=passphrase_kek(derive_key(passphrase, config.kdf))
    )


def current_master(conn: Connection, keys: ArchiveKeys) -> tuple[str, bytes]:
    """The current master key; the first one is created on first use."""
    row = conn.execute(
        select(archive_master_keys.c.key_id, archive_master_keys.c.wrapped)
        .where(archive_master_keys.c.retired_at.is_(None))
        .order_by(archive_master_keys.c.created_at.desc(), archive_master_keys.c.key_id.desc())
        .limit(1)
    ).first()
    if row is not None:
        return str(row.key_id), keys.load(str(row.key_id), row.wrapped)
    return _new_master(conn, keys, None)


def _new_master(
    conn: Connection, keys: ArchiveKeys, ctx: ServiceContext | None
) -> tuple[str, bytes]:
    from datetime import UTC, datetime

    key_id = "amk-" + secrets.token_hex(6)
    key, wrapped = keys.create(key_id)
    now = ctx.now() if ctx is not None else datetime.now(UTC)
    conn.execute(insert(archive_master_keys).values(key_id=key_id, created_at=now, wrapped=wrapped))
    return key_id, key


def master_by_id(conn: Connection, keys: ArchiveKeys, key_id: str) -> bytes:
    wrapped = conn.execute(
        select(archive_master_keys.c.wrapped).where(archive_master_keys.c.key_id == key_id)
    ).scalar()
    return keys.load(key_id, wrapped)


def rotate_in(ctx: ServiceContext, conn: Connection, keys: ArchiveKeys) -> tuple[str, str | None]:
    """A new master key generation; the old ones are marked retired. The caller
    re-wraps the volume keys in the same transaction."""
    old = (
        conn.execute(
            select(archive_master_keys.c.key_id).where(archive_master_keys.c.retired_at.is_(None))
        )
        .scalars()
        .all()
    )
    conn.execute(
        update(archive_master_keys)
        .where(archive_master_keys.c.retired_at.is_(None))
        .values(retired_at=ctx.now())
    )
    new_id, _ = _new_master(conn, keys, ctx)
    return new_id, (str(old[0]) if old else None)


def recovery_public(conn: Connection) -> tuple[str, bytes] | None:
    """The recovery key's id and public half, or None before one was issued."""
    from branchdesk.archive.keys import unb64

    values = dict(
        conn.execute(
            select(settings.c.key, settings.c.value).where(
                settings.c.key.in_((RECOVERY_PUBLIC, RECOVERY_ID))
            )
        ).all()
    )
    if RECOVERY_PUBLIC not in values:
        return None
    return str(values[RECOVERY_ID]), unb64(str(values[RECOVERY_PUBLIC]))
