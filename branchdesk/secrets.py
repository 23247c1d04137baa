"""SecretStore: the one place secrets (the database key, later the archive master key)
are kept and fetched.

The preferred home is the operating system's keyring (Windows Credential Locker,
macOS Keychain, the Secret Service on Linux). A keyring backend that is not secure
(keyring's fail/null backends, or keyrings.alt's plaintext and "encrypted" file
backends) is refused: with no secure keyring the key is derived from an operator
passphrase with argon2id instead, and the app says so. A key is never written to a
plaintext file.
"""

from __future__ import annotations

import base64
import contextlib
import os
from dataclasses import dataclass
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors
from argon2.low_level import Type, hash_secret_raw

from branchdesk.domain.errors import DomainError

SERVICE = "BranchDesk"
KEY_BYTES = 32

# Backends whose storage is a readable file or nothing at all. Matched by module so
# that an optional package (keyrings.alt) need not be importable to be recognised.
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


class SecretStoreError(DomainError):
    """The secret store cannot be used (no secure keyring, secret missing, …)."""


class SecretStore(Protocol):
    description: str

    def get(self, name: str) -> bytes | None: ...

    def set(self, name: str, value: bytes) -> None: ...

    def delete(self, name: str) -> None: ...


def _leaf_backends(backend: keyring.backend.KeyringBackend) -> list[keyring.backend.KeyringBackend]:
    inner = getattr(backend, "backends", None)
    if inner:  # ChainerBackend: what matters is what it would actually use
        return [b for sub in inner for b in _leaf_backends(sub)]
    return [backend]


def is_secure_backend(backend: keyring.backend.KeyringBackend) -> bool:
    leaves = _leaf_backends(backend)
    return bool(leaves) and all(
        not type(b).__module__.startswith(_INSECURE_MODULES) for b in leaves
    )


class KeyringSecretStore:
    """Secrets in the OS keyring, base64-encoded under service "BranchDesk"."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend or keyring.get_keyring()
        if not is_secure_backend(self._backend):
            raise SecretStoreError(
                "error.secret.no_secure_keyring", backend=type(self._backend).__name__
            )
        self.description = f"keyring:{type(self._backend).__name__}"

    def get(self, name: str) -> bytes | None:
        try:
            value = self._backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError("error.secret.keyring_failed", detail=str(exc)) from exc
        return None if value is None else base64.b64decode(value)

    def set(self, name: str, value: bytes) -> None:
        try:
            self._backend.set_password(SERVICE, name, base64.b64encode(value).decode("ascii"))
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError("error.secret.keyring_failed", detail=str(exc)) from exc

    def delete(self, name: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):  # already gone
            self._backend.delete_password(SERVICE, name)


def default_secret_store() -> KeyringSecretStore | None:
    """The OS keyring if a secure backend exists, else None (passphrase mode)."""
    try:
        return KeyringSecretStore()
    except SecretStoreError:
        return None


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


@dataclass(frozen=True)
class KdfParams:
    """argon2id parameters; stored beside the database (they are not secret)."""

    salt: bytes
    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 2

    @classmethod
    def fresh(cls) -> KdfParams:
        return cls(salt=os.urandom(16))

    def to_json(self) -> dict[str, object]:
        return {
            "algorithm": "argon2id",
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "time_cost": self.time_cost,
            "memory_kib": self.memory_kib,
            "parallelism": self.parallelism,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> KdfParams:
        return cls(
            salt=base64.b64decode(str(data["salt"])),
            time_cost=int(str(data["time_cost"])),
            memory_kib=int(str(data["memory_kib"])),
            parallelism=int(str(data["parallelism"])),
        )


MIN_PASSPHRASE = 10


def derive_key(passphrase: str, params: KdfParams) -> bytes:
    """The raw database key from an operator passphrase (argon2id, ~0.2 s)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise SecretStoreError("error.secret.passphrase_short", min=MIN_PASSPHRASE)
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        params.salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
