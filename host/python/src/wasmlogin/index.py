"""The profile index: which sign-ins this machine keeps, with what each needs before the plugin runs (its provider
without the secret, the origins its sandbox may reach, the store its secrets are in) and which is the default.
No secrets: those are in the secret store. The plugin never sees this file, so it cannot widen its own allowlist."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from .errors import LoginRequired, bad_input
from .files import replace_privately
from .lock import profile_lock

FILE = "profiles.json"
MAX_NAME_LENGTH = 255
_INDEX_LOCK = "\x00index"  # not a profile name (CheckName refuses control characters): the index's own lock


def index_dir() -> Path:
    """WASMLOGIN_PY_CONFIG_DIR, else wasmlogin-py under $XDG_CONFIG_HOME (~/.config). The Python host keeps its own
    profiles apart from the Go and Node hosts' (wit/EMBEDDING.md, "Each host keeps its own profile store")."""
    if d := os.environ.get("WASMLOGIN_PY_CONFIG_DIR"):
        return Path(d)
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "wasmlogin-py"


def check_name(name: str) -> None:
    """A profile name is the whole key of its secrets (profile/<name>, served/<name>): printable ASCII without
    spaces, 1 to 255 characters, as the Go host requires (host/profiles/names.go)."""
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise bad_input(f"a profile name has 1 to {MAX_NAME_LENGTH} characters, this one {len(name)}")
    for i, c in enumerate(name):
        if not 0x21 <= ord(c) <= 0x7E:
            raise bad_input(f"a profile name is printable ASCII without spaces (letters, digits, and . _ @ - : / # and "
                            f"the like); {name!r} has {c!r} at {i}")


def derive_profile(provider: dict[str, Any]) -> str:
    """The name of a sign-in given none: issuer host and path, '#', client ID. The plugin's own rule
    (plugin/flow.DeriveProfile), applied here so that the host decides which profile an instance may write."""
    from urllib.parse import urlsplit
    base = provider.get("issuer") or provider.get("token_endpoint") or ""
    u = urlsplit(base)
    if u.netloc:
        base = u.netloc + u.path.removesuffix("/")
    return f"{base}#{provider.get('client_id', '')}"


@dataclasses.dataclass
class Entry:
    provider: dict[str, Any]
    allowed_origins: list[str]
    store: str = "keyring"

    def to_json(self) -> dict[str, Any]:
        provider = {k: v for k, v in self.provider.items() if k not in ("client_secret", "prompt_client_secret") and v}
        return {"provider": provider, "allowed_origins": sorted(set(self.allowed_origins)), "store": self.store}


@dataclasses.dataclass
class Index:
    path: Path
    default: Optional[str] = None
    profiles: dict[str, Entry] = dataclasses.field(default_factory=dict)

    def find(self, name: Optional[str] = None, issuer: Optional[str] = None,
             client_id: Optional[str] = None) -> tuple[str, Entry]:
        """The profile a command works on: by name, by issuer and client, else the default."""
        if name:
            if name not in self.profiles:
                raise LoginRequired("login_required", f"no profile {name!r}; sign in with login(profile={name!r}) "
                                                      f"(wasmlogin login --profile {name}) first")
            return name, self.profiles[name]
        if issuer or client_id:
            for n, e in sorted(self.profiles.items()):
                if (not issuer or e.provider.get("issuer") == issuer) and (not client_id or e.provider.get("client_id") == client_id):
                    return n, e
            raise LoginRequired("login_required", "not signed in to that issuer and client; sign in first")
        if self.default in self.profiles:
            return self.default, self.profiles[self.default]
        if self.profiles:
            names = ", ".join(repr(n) for n in sorted(self.profiles))
            raise LoginRequired("login_required", f"no default profile (it was signed out); still signed in: {names}. "
                                                  "Name one (--profile NAME), or make one the default with `use NAME`")
        raise LoginRequired("login_required", "not signed in; sign in first (wasmlogin login --issuer URL --client-id ID)")


def load(directory: Optional[Path] = None) -> Index:
    path = (directory or index_dir()) / FILE
    try:
        raw = json.loads(path.read_text())
        profiles = {name: Entry(provider=dict(e.get("provider") or {}), allowed_origins=list(e.get("allowed_origins") or []),
                                store=e.get("store") or "keyring") for name, e in (raw.get("profiles") or {}).items()}
        return Index(path, raw.get("default") or None, profiles)
    except FileNotFoundError:
        return Index(path)
    except (ValueError, AttributeError, TypeError) as e:
        raise bad_input(f"{path} is damaged ({e}); remove it and sign in again") from None


def _save(ix: Index) -> None:
    data = {"default": ix.default, "profiles": {n: e.to_json() for n, e in sorted(ix.profiles.items())}}
    replace_privately(ix.path, json.dumps(data, indent=2).encode())


@contextlib.contextmanager
def updating(directory: Optional[Path] = None) -> Iterator[Index]:
    """The index, loaded and saved under its own lock, so two sign-ins ending at once both stay recorded."""
    directory = directory or index_dir()
    with profile_lock(directory, _INDEX_LOCK):
        ix = load(directory)
        yield ix
        _save(ix)


def update(change: Callable[[Index], None], directory: Optional[Path] = None) -> None:
    with updating(directory) as ix:
        change(ix)
