"""A backup's `manifest.json`: what it must hold, field by field, and its MAC.

The manifest is read before anything else of a backup, by a PC that may never have seen
the branch, from a medium anyone could have edited. So every field a verify or restore
relies on is checked for presence and shape first (each key slot's fields too, not
only its `type`), and a manifest that falls short is refused with the field named,
instead of failing somewhere later with a Python error. The MAC then proves, with the
key a slot opens, that nobody changed any of it.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from branchdesk.archive.keys import KEY_BYTES, NONCE_BYTES, SEAL_ALG, WRAP_ALG, unb64
from branchdesk.archive.volume import SUFFIX
from branchdesk.bootstrap import DB_NAME
from branchdesk.domain.errors import DomainError

FORMAT = "branchdesk-backup"
VERSION = 1
MANIFEST = "manifest.json"
#: AES-GCM appends a 16-byte tag to the 32-byte key it wraps.
WRAPPED_BYTES = KEY_BYTES + 16
_HEX64 = re.compile(r"[0-9a-f]{64}")
_VOLUME = re.compile(r"volumes/[A-Za-z0-9._-]+" + re.escape(SUFFIX))


class BackupError(DomainError):
    """A backup is damaged, incomplete, or the key does not open it."""


def mac_key(backup_key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"branchdesk-backup-manifest-v1"
    ).derive(backup_key)


def canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def mac_of(backup_key: bytes, body: Mapping[str, Any]) -> str:
    return hmac.new(mac_key(backup_key), canonical(body), hashlib.sha256).hexdigest()


def _missing(field: str) -> BackupError:
    return BackupError("error.backup.manifest_missing", file=MANIFEST, field=field)


def _invalid(field: str, value: object) -> BackupError:
    shown = json.dumps(value, ensure_ascii=False)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return BackupError("error.backup.manifest_invalid", file=MANIFEST, field=field, value=shown)


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _moment(value: object) -> bool:
    try:
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _b64_of(size: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        try:
            return isinstance(value, str) and len(unb64(value)) == size
        except (binascii.Error, ValueError):
            return False

    return check


def _is(expected: str) -> Callable[[object], bool]:
    return lambda value: value == expected


_BODY: dict[str, Callable[[object], bool]] = {
    "backup_id": _uuid,
    "created_at": _moment,
    "branch": _text,
    "source_db_id": _text,
    "device_epoch": lambda v: _count(v) and bool(v),
    "files": lambda v: isinstance(v, list) and bool(v),
    "key_slots": lambda v: isinstance(v, list) and bool(v),
}
_FILE: dict[str, Callable[[object], bool]] = {
    "path": lambda v: v == DB_NAME or (isinstance(v, str) and bool(_VOLUME.fullmatch(v))),
    "bytes": _count,
    "sha256": lambda v: isinstance(v, str) and bool(_HEX64.fullmatch(v)),
}
_SLOTS: dict[str, dict[str, Callable[[object], bool]]] = {
    "recovery": {
        "alg": _is(SEAL_ALG),
        "key_id": _text,
        "epk": _b64_of(KEY_BYTES),
        "nonce": _b64_of(NONCE_BYTES),
        "wrapped": _b64_of(WRAPPED_BYTES),
    },
    "master": {
        "alg": _is(WRAP_ALG),
        "key_id": _text,
        "nonce": _b64_of(NONCE_BYTES),
        "wrapped": _b64_of(WRAPPED_BYTES),
    },
}


def _fields(where: str, item: object, rules: Mapping[str, Callable[[object], bool]]) -> None:
    if not isinstance(item, dict):
        raise _invalid(where, item)
    for name, ok in rules.items():
        if name not in item:
            raise _missing(f"{where}.{name}" if where else name)
        if not ok(item[name]):
            raise _invalid(f"{where}.{name}" if where else name, item[name])


def check_body(body: object) -> None:
    """Every field verify and restore rely on, present and well-formed; the first that
    is not is named. (Format and version are checked before, by `read_manifest`.)"""
    _fields("", body, _BODY)
    assert isinstance(body, dict)
    paths: set[str] = set()
    for n, item in enumerate(body["files"]):
        _fields(f"files[{n}]", item, _FILE)
        if item["path"] in paths:
            raise _invalid(f"files[{n}].path", item["path"])
        paths.add(item["path"])
    if DB_NAME not in paths:
        raise _missing(f"files[path={DB_NAME}]")
    seen: set[str] = set()
    for n, slot in enumerate(body["key_slots"]):
        if not isinstance(slot, dict):
            raise _invalid(f"key_slots[{n}]", slot)
        if "type" not in slot:
            raise _missing(f"key_slots[{n}].type")
        kind = slot["type"]
        if kind not in _SLOTS or kind in seen:
            raise _invalid(f"key_slots[{n}].type", kind)
        seen.add(kind)
        _fields(f"key_slots[{n}]", slot, _SLOTS[kind])
    for kind in _SLOTS:
        if kind not in seen:
            raise _missing(f"key_slots[type={kind}]")


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of backup folder `path`, its structure checked (not yet its MAC,
    which needs the backup key)."""
    try:
        outer = json.loads((path / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise BackupError("error.backup.not_a_backup", path=str(path)) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise BackupError("error.backup.damaged", file=MANIFEST, detail=str(exc)[:100]) from exc
    if not isinstance(outer, dict) or "manifest" not in outer:
        raise _missing("manifest")
    body = outer["manifest"]
    if not isinstance(body, dict):
        raise _invalid("manifest", body)
    if "format" not in body:
        raise _missing("format")
    if body["format"] != FORMAT:
        raise _invalid("format", body["format"])
    if "version" not in body:
        raise _missing("version")
    if body["version"] != VERSION:
        raise BackupError("error.backup.version", version=body.get("version"))
    if "mac" not in outer:
        raise _missing("mac")
    if not isinstance(outer["mac"], str) or not _HEX64.fullmatch(outer["mac"]):
        raise _invalid("mac", outer["mac"])
    check_body(body)
    return dict(outer)
