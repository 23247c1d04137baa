"""Fakes for the tests: an in-memory keyring backend and a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """A secure-looking keyring that lives in memory (what the OS keyring would be)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, value: datetime) -> None:
        self.now = value.astimezone(UTC)
