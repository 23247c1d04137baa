"""The archive volume file (`*.bdav`): a self-describing, authenticated-encrypted
container of case records. docs/ARCHIVE.md describes it byte by byte so that it can be
read years later without this application.

    magic   8 bytes   b"BDARCHV\\0"
    version u16       1 (all integers big-endian)
    hlen    u32       length of the header
    header  hlen      UTF-8 JSON: volume id, branch, cipher, key slots, record format
    hsum    32 bytes  SHA-256 of everything above (names a damaged header as such)
    entries …         kind u8 | index u32 | clen u32 | nonce 12 | ciphertext clen

Each entry is AES-256-GCM under the volume's data key with associated data
`hsum | kind | index`: an entry cannot be edited, moved to another position or into
another volume without failing authentication. Kind 1 is a case record (zlib-compressed
JSON, see `record.py`); the last entry, kind 2, is the trailer listing every entry's
tag, so a truncated or shortened volume is detected too.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from branchdesk.archive.keys import NONCE_BYTES, RecoveryKey, open_sealed
from branchdesk.domain.errors import DomainError

MAGIC = b"BDARCHV\x00"
VERSION = 1
FORMAT_NAME = "branchdesk-archive-volume"
SUFFIX = ".bdav"
ENTRY_CASE = 1
ENTRY_TRAILER = 2
_PREFIX = struct.Struct(">8sHI")
_ENTRY = struct.Struct(">BII")
ENTRY_OVERHEAD = _ENTRY.size + NONCE_BYTES + 16


class VolumeError(DomainError):
    """A volume is damaged, tampered with or not a volume: says which file and where."""


def _damaged(path: Path, where: str, detail: str = "") -> VolumeError:
    return VolumeError("error.archive.volume_damaged", volume=path.name, where=where, detail=detail)


def _aad(hsum: bytes, kind: int, index: int) -> bytes:
    return hsum + struct.pack(">BI", kind, index)


def fsync_dir(path: Path) -> None:
    """Make a rename durable (no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Written:
    offset: int
    length: int
    index: int


@dataclass(frozen=True)
class Sealed:
    path: Path
    size: int
    sha256: str
    entries: int


class VolumeWriter:
    """Writes a volume to `<final>.partial`; `finish` makes it durable and renames it
    to its final name. A crash leaves at most a `.partial` file (or a complete volume
    no database row names): both are removed by the next archiving run."""

    def __init__(self, final: Path, header: dict[str, Any], data_key: bytes) -> None:
        self.final = final
        self.partial = final.with_name(final.name + ".partial")
        self._aes = AESGCM(data_key)
        self._hash = hashlib.sha256()
        self._tags: list[str] = []
        raw = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
        prefix = _PREFIX.pack(MAGIC, VERSION, len(raw)) + raw
        self.hsum = hashlib.sha256(prefix).digest()
        self._file: BinaryIO = open(self.partial, "xb")  # noqa: SIM115 (closed in finish/abort)
        self._offset = 0
        self._write(prefix + self.hsum)

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)
        self._offset += len(data)

    def _entry(self, kind: int, plaintext: bytes) -> Written:
        index = len(self._tags)
        nonce = os.urandom(NONCE_BYTES)
        ct = self._aes.encrypt(nonce, plaintext, _aad(self.hsum, kind, index))
        offset = self._offset
        self._write(_ENTRY.pack(kind, index, len(ct)) + nonce + ct)
        self._tags.append(ct[-16:].hex())
        return Written(offset, self._offset - offset, index)

    def add(self, record: dict[str, Any]) -> Written:
        raw = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._entry(ENTRY_CASE, zlib.compress(raw, 6))

    def finish(self) -> Sealed:
        entries = len(self._tags)
        trailer = {"entries": entries, "tags": self._tags}
        self._entry(ENTRY_TRAILER, json.dumps(trailer).encode("utf-8"))
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.final)
        fsync_dir(self.final.parent)
        return Sealed(self.final, self._offset, self._hash.hexdigest(), entries)

    def abort(self) -> None:
        self._file.close()
        self.partial.unlink(missing_ok=True)


@dataclass(frozen=True)
class VolumeInfo:
    path: Path
    header: dict[str, Any]
    hsum: bytes
    body_offset: int

    @property
    def volume_id(self) -> str:
        return str(self.header["volume_id"])

    def recovery_data_key(self, recovery: RecoveryKey) -> bytes:
        """The data key, from the printed recovery key alone (no keyring, no database)."""
        slot = next(s for s in self.header["key_slots"] if s["type"] == "recovery")
        return open_sealed(recovery, slot, context=f"volume:{self.volume_id}")


def read_header(path: Path) -> VolumeInfo:
    try:
        with open(path, "rb") as f:
            prefix = f.read(_PREFIX.size)
            if len(prefix) < _PREFIX.size or prefix[:8] != MAGIC:
                raise _damaged(path, "header", "not an archive volume")
            _, version, hlen = _PREFIX.unpack(prefix)
            if version != VERSION:
                raise VolumeError("error.archive.volume_version", volume=path.name, version=version)
            raw = f.read(hlen)
            hsum = f.read(32)
    except FileNotFoundError:
        raise VolumeError("error.archive.volume_missing", volume=path.name) from None
    if len(raw) != hlen or hashlib.sha256(prefix + raw).digest() != hsum:
        raise _damaged(path, "header")
    return VolumeInfo(path, json.loads(raw), hsum, _PREFIX.size + hlen + 32)


def _decrypt(info: VolumeInfo, aes: AESGCM, f: BinaryIO, offset: int) -> tuple[int, int, bytes]:
    f.seek(offset)
    head = f.read(_ENTRY.size + NONCE_BYTES)
    if len(head) < _ENTRY.size + NONCE_BYTES:
        raise _damaged(info.path, f"offset {offset}", "truncated")
    kind, index, clen = _ENTRY.unpack(head[: _ENTRY.size])
    ct = f.read(clen)
    if len(ct) != clen:
        raise _damaged(info.path, f"entry {index + 1} (offset {offset})", "truncated")
    try:
        plain = aes.decrypt(head[_ENTRY.size :], ct, _aad(info.hsum, kind, index))
    except InvalidTag:
        raise _damaged(info.path, f"entry {index + 1} (offset {offset})") from None
    return kind, index, plain


def read_entry(path: Path, data_key: bytes, offset: int) -> dict[str, Any]:
    """One case record, decrypting only that entry (the index knows its offset)."""
    info = read_header(path)
    with open(path, "rb") as f:
        kind, _, plain = _decrypt(info, AESGCM(data_key), f, offset)
    if kind != ENTRY_CASE:
        raise _damaged(path, f"offset {offset}", "not a case record")
    record: dict[str, Any] = json.loads(zlib.decompress(plain))
    return record


def iter_records(path: Path, data_key: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every case record with its offset, after the whole volume was verified."""
    info = verify_volume(path, data_key)
    with open(path, "rb") as f:
        for offset in info.offsets:
            yield offset, read_entry_from(f, info, data_key, offset)


def read_entry_from(f: BinaryIO, info: Verified, key: bytes, offset: int) -> dict[str, Any]:
    _, _, plain = _decrypt(info.info, AESGCM(key), f, offset)
    record: dict[str, Any] = json.loads(zlib.decompress(plain))
    return record


@dataclass(frozen=True)
class Verified:
    info: VolumeInfo
    entries: int
    size: int
    offsets: tuple[int, ...]


def verify_volume(path: Path, data_key: bytes) -> Verified:
    """Authenticate every entry, their order and the trailer; raise VolumeError naming
    the first damaged place. Records are not decompressed: the tag already proves them."""
    info = read_header(path)
    aes = AESGCM(data_key)
    size = path.stat().st_size
    offsets: list[int] = []
    tags: list[str] = []
    with open(path, "rb") as f:
        offset = info.body_offset
        kind, index, plain = _decrypt(info, aes, f, offset)
        while True:
            if index != len(offsets):
                raise _damaged(path, f"entry {len(offsets) + 1} (offset {offset})", "out of order")
            end = f.tell()
            if kind == ENTRY_TRAILER:
                trailer = json.loads(plain)
                if trailer.get("entries") != len(offsets) or trailer.get("tags") != tags:
                    raise _damaged(path, "trailer", "entries missing")
                if end != size:
                    raise _damaged(path, f"offset {end}", "bytes after the trailer")
                return Verified(info, len(offsets), size, tuple(offsets))
            offsets.append(offset)
            f.seek(end - 16)
            tags.append(f.read(16).hex())
            offset = end
            if offset >= size:
                raise _damaged(path, "end", "trailer missing (truncated)")
            kind, index, plain = _decrypt(info, aes, f, offset)
