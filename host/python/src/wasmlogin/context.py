"""What every operation starts from: the secret store a profile's secrets live in, and a plugin instance whose
sandbox reaches only that profile's origins and secrets."""
from __future__ import annotations

import os
import threading
from typing import Iterable, Optional

from . import index
from .errors import StorageUnavailable, bad_input
from .plugin import Instance
from .sandbox import Sandbox
from .stores import FileStore, KeyringStore, SecretStore, StoreError
from .ui import UserInterface

STORES = ("keyring", "file")
_file_stores: dict[tuple[str, str], FileStore] = {}
_file_stores_mu = threading.Lock()


def keyring_service() -> str:
    """WASMLOGIN_SERVICE, else "wasmlogin-py": the Python host's own keyring service."""
    return os.environ.get("WASMLOGIN_SERVICE") or "wasmlogin-py"


def store_kind(chosen: Optional[str], recorded: Optional[str] = None) -> str:
    """The store to use: the caller's choice, else the one the profile was signed in with, else WASMLOGIN_STORE,
    else the OS keyring."""
    kind = chosen or recorded or os.environ.get("WASMLOGIN_STORE") or "keyring"
    if kind not in STORES:
        raise bad_input(f"store {kind!r}: use keyring or file")
    return kind


def open_store(kind: str) -> SecretStore:
    """The store of that kind. The encrypted file is opened (its key derived) once per process and passphrase."""
    if kind == "keyring":
        return KeyringStore(keyring_service())
    passphrase = os.environ.get("WASMLOGIN_STORE_PASSPHRASE") or ""
    if not passphrase:
        raise bad_input("the encrypted file store (store file, or the store this profile was signed in with) needs its "
                        "passphrase in WASMLOGIN_STORE_PASSPHRASE")
    path = index.index_dir() / "secrets.enc"
    with _file_stores_mu:
        key = (str(path), passphrase)
        if key not in _file_stores:
            try:
                _file_stores[key] = FileStore(path, passphrase)
            except StoreError as e:
                raise StorageUnavailable("storage_unavailable", str(e)) from None
        return _file_stores[key]


def start(store: SecretStore, granted: Iterable[str], *, issuer: Optional[str], allowed: Iterable[str],
          ui: Optional[UserInterface] = None, open_browser: bool = True) -> Instance:
    """A plugin instance lent a sandbox for the granted profiles."""
    return Instance(Sandbox(store, granted, issuer=issuer, allowed=allowed, ui=ui, open_browser=open_browser))
