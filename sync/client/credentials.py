"""Where the device credential lives: the OS keyring through the SecretStore, or,
on a machine without a secure keyring, inside the branch database (which is then
encrypted with the operator's passphrase). Never in a plaintext file."""

from __future__ import annotations

from branchdesk.secrets import SecretStore, default_secret_store
from branchdesk.services import sync_state
from branchdesk.services.context import ServiceContext


def secret_name(device_id: str) -> str:
    return f"sync-token:{device_id}"


def save_token(
    ctx: ServiceContext, *, device_id: str, token: str, store: SecretStore | None
) -> str | None:
    """Keep `token`; returns the token when it must go to the database instead."""
    store = store if store is not None else default_secret_store()
    if store is None:
        return token
    store.set(secret_name(device_id), token.encode("utf-8"))
    return None


def load_token(ctx: ServiceContext, *, device_id: str, store: SecretStore | None) -> str | None:
    store = store if store is not None else default_secret_store()
    if store is not None:
        value = store.get(secret_name(device_id))
        if value is not None:
            return value.decode("utf-8")
    return sync_state.stored_credential(ctx)
