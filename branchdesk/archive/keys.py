"""The archive's key hierarchy, as plain functions over bytes (no database, no files).

- Each volume has its own random 256-bit data key (DEK). Only the DEK encrypts data.
- The DEK is wrapped (AES-256-GCM, the volume id as associated data) by the branch's
  archive master key (AMK). The AMK lives in the OS keyring through the SecretStore,
  or, on a PC without a secure keyring, is stored wrapped by a key derived from the
  operator's passphrase. Rotating the AMK re-wraps every DEK: no data is re-encrypted.
- The DEK is also sealed to the branch's recovery key: an X25519 key pair whose
  private half is printed once (the recovery sheet) and never stored on the PC. The
  PC keeps only the public half, so it can seal new volumes and backups to the
  recovery key without being able to open them with it. With the printed key, every
  volume and backup opens on any computer, without this PC's keyring.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from branchdesk.domain.errors import DomainError

KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_ALG = "X25519-HKDF-SHA256-A256GCM"
WRAP_ALG = "A256GCM"
#: The printed recovery key: a prefix, then base32 of (private key + 3 checksum bytes).
RECOVERY_PREFIX = "BDRK"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class ArchiveKeyError(DomainError):
    """A key is wrong, missing or damaged: nothing was decrypted or written."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_data_key() -> bytes:
    return os.urandom(KEY_BYTES)


# ----------------------------------------------------------------- master-key wrap


def wrap_key(master: bytes, master_id: str, key: bytes, *, context: str) -> dict[str, str]:
    """`key` encrypted under `master`; `context` (e.g. "volume:<id>") is bound to it, so
    a wrapped key cannot be moved to another volume or purpose."""
    nonce = os.urandom(NONCE_BYTES)
    aad = f"branchdesk-wrap|{master_id}|{context}".encode()
    return {
        "alg": WRAP_ALG,
        "key_id": master_id,
        "nonce": b64(nonce),
        "wrapped": b64(AESGCM(master).encrypt(nonce, key, aad)),
    }


def unwrap_key(master: bytes, slot: dict[str, Any], *, context: str) -> bytes:
    aad = f"branchdesk-wrap|{slot['key_id']}|{context}".encode()
    try:
        return AESGCM(master).decrypt(unb64(slot["nonce"]), unb64(slot["wrapped"]), aad)
    except (InvalidTag, ValueError) as exc:
        raise ArchiveKeyError("error.archive.wrong_master_key", key_id=slot.get("key_id")) from exc


# ------------------------------------------------------------------- recovery key


@dataclass(frozen=True)
class RecoveryKey:
    """The private half: shown once, printed, never stored by the app."""

    private: bytes

    @classmethod
    def generate(cls) -> RecoveryKey:
        raw = X25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(raw)

    @property
    def public(self) -> bytes:
        return public_of(self.private)

    @property
    def key_id(self) -> str:
        return recovery_key_id(self.public)

    def text(self) -> str:
        """`BDRK-XXXX-XXXX-…`: 14 groups of 4 characters (A–Z, 2–7)."""
        body = self.private + hashlib.sha256(self.private).digest()[:3]
        chars = base64.b32encode(body).decode("ascii").rstrip("=")
        groups = [chars[i : i + 4] for i in range(0, len(chars), 4)]
        return "-".join([RECOVERY_PREFIX, *groups])

    @classmethod
    def parse(cls, text: str) -> RecoveryKey:
        """From what a person types: case, spaces and dashes do not matter; a typo is
        caught by the checksum and reported as such, not as a wrong key."""
        chars = "".join(ch for ch in text.upper() if ch.isalnum())
        if chars.startswith(RECOVERY_PREFIX):
            chars = chars[len(RECOVERY_PREFIX) :]
        chars = chars.replace("0", "O").replace("1", "I").replace("8", "B")
        if len(chars) != 56 or any(ch not in _B32 for ch in chars):
            raise ArchiveKeyError("error.archive.recovery_key_malformed")
        body = base64.b32decode(chars)
        private, check = body[:KEY_BYTES], body[KEY_BYTES:]
        if hashlib.sha256(private).digest()[:3] != check:
            raise ArchiveKeyError("error.archive.recovery_key_typo")
        return cls(private)


def public_of(private: bytes) -> bytes:
    return (
        X25519PrivateKey.from_private_bytes(private)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def recovery_key_id(public: bytes) -> str:
    """A short fingerprint printed on the sheet and written in every volume header."""
    return "rk-" + hashlib.sha256(public).hexdigest()[:16]


def _seal_key(shared: bytes, epk: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=epk + recipient,
        info=b"branchdesk-recovery-seal-v1",
    ).derive(shared)


def seal_to_recovery(public: bytes, key: bytes, *, context: str) -> dict[str, str]:
    """`key` sealed to the recovery public key (ECIES: an ephemeral X25519 exchange,
    HKDF-SHA256, AES-256-GCM); only the printed private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    epk = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    nonce = os.urandom(NONCE_BYTES)
    aad = f"branchdesk-seal|{context}".encode()
    return {
        "alg": SEAL_ALG,
        "key_id": recovery_key_id(public),
        "epk": b64(epk),
        "nonce": b64(nonce),
        "wrapped": b64(AESGCM(_seal_key(shared, epk, public)).encrypt(nonce, key, aad)),
    }


def open_sealed(recovery: RecoveryKey, slot: dict[str, Any], *, context: str) -> bytes:
    if slot.get("key_id") != recovery.key_id:
        raise ArchiveKeyError(
            "error.archive.other_recovery_key", wanted=slot.get("key_id"), given=recovery.key_id
        )
    epk = unb64(slot["epk"])
    shared = X25519PrivateKey.from_private_bytes(recovery.private).exchange(
        X25519PublicKey.from_public_bytes(epk)
    )
    aad = f"branchdesk-seal|{context}".encode()
    try:
        return AESGCM(_seal_key(shared, epk, recovery.public)).decrypt(
            unb64(slot["nonce"]), unb64(slot["wrapped"]), aad
        )
    except (InvalidTag, ValueError) as exc:
        raise ArchiveKeyError("error.archive.recovery_slot_damaged") from exc


# ------------------------------------------------------------ passphrase-mode KEK


def passphrase_kek(db_key: bytes) -> bytes:
    """Without a keyring, the master key is stored wrapped by a key derived from the
    passphrase-derived database key (HKDF with its own label, so neither key reveals
    the other): the passphrase opens the archive exactly as it opens the database."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"branchdesk-archive-kek-v1"
    ).derive(db_key)
