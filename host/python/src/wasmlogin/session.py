"""Using a sign-in: a valid access token (refreshed when due), who is signed in, signing out, and which profiles
there are."""
from __future__ import annotations

import json
import time
from typing import Optional

from . import index
from .context import open_store, start, store_kind
from .errors import StorageUnavailable, bad_input
from .lock import profile_lock
from .models import LogoutResult, ProfileInfo, Session, Token
from .plugin import Instance
from .stores import SecretStore, StoreError
from .ui import UserInterface


def _open(profile: Optional[str], issuer: Optional[str], client_id: Optional[str],
          store: Optional[str]) -> tuple[str, index.Entry, SecretStore]:
    name, entry = index.load().find(profile, issuer, client_id)
    return name, entry, open_store(store_kind(store, entry.store))


def _instance(name: str, entry: index.Entry, st: SecretStore, ui: Optional[UserInterface] = None) -> Instance:
    """An instance granted this profile alone, reaching the origins its sign-in learned."""
    return start(st, [name], issuer=entry.provider.get("issuer"), allowed=entry.allowed_origins, ui=ui)


def _served(st: SecretStore, name: str) -> Optional[Token]:
    """The access token the plugin published for the profile (wit record served-token), while the deadline the
    plugin wrote holds: a token without loading the plugin. A missing, unreadable or expired entry is None and the
    plugin decides (and refreshes)."""
    try:
        raw = st.get("served/" + name)
    except StoreError as e:
        raise StorageUnavailable("storage_unavailable", str(e)) from None
    if not raw:
        return None
    try:
        s = json.loads(raw)
        if s.get("profile") != name or not time.time() < int(s["serve_until"]) or not s.get("access_token"):
            return None
        return Token(profile=name, access_token=s["access_token"], token_type=s.get("token_type") or "Bearer",
                     expires_at=s.get("expires_at") or None)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def token(profile: Optional[str] = None, *, issuer: Optional[str] = None, client_id: Optional[str] = None,
          force_refresh: bool = False, store: Optional[str] = None, ui: Optional[UserInterface] = None) -> Token:
    """A valid access token of the profile (default: the default profile), refreshed and the rotated refresh token
    stored when it is due, or always with force_refresh. Raises LoginRequired when the sign-in is gone or dead."""
    name, entry, st = _open(profile, issuer, client_id, store)
    if not force_refresh and (served := _served(st, name)):
        return served
    inst = _instance(name, entry, st, ui)
    with profile_lock(index.index_dir(), name):  # it may refresh with a rotating refresh token
        return Token.from_wire(inst.call("token", {"profile": name, "force_refresh": force_refresh}))


def status(profile: Optional[str] = None, *, issuer: Optional[str] = None, client_id: Optional[str] = None,
           store: Optional[str] = None) -> Session:
    """Who is signed in and until when; offline, no secrets."""
    name, entry, st = _open(profile, issuer, client_id, store)
    return Session.from_wire(_instance(name, entry, st).call("status", {"profile": name}))


def logout(profile: Optional[str] = None, *, issuer: Optional[str] = None, client_id: Optional[str] = None,
           store: Optional[str] = None) -> LogoutResult:
    """Revokes the profile's tokens where the server can (RFC 7009) and forgets them and the profile."""
    name, entry, st = _open(profile, issuer, client_id, store)
    inst = _instance(name, entry, st)
    with profile_lock(index.index_dir(), name):
        result = LogoutResult.from_wire(inst.call("logout", {"profile": name}))

    def forget(ix: index.Index) -> None:
        ix.profiles.pop(name, None)
        if ix.default == name:
            ix.default = None
    index.update(forget)
    return result


def profiles() -> list[ProfileInfo]:
    """The sign-ins this machine keeps, from the profile index: no secrets, no plugin."""
    ix = index.load()
    return [ProfileInfo(name=n, client_id=e.provider.get("client_id", ""), issuer=e.provider.get("issuer"),
                        token_endpoint=e.provider.get("token_endpoint"), store=e.store, default=n == ix.default)
            for n, e in sorted(ix.profiles.items())]


def use(name: str) -> None:
    """Makes profile `name` the default for calls that name none."""
    def change(ix: index.Index) -> None:
        if name not in ix.profiles:
            raise bad_input(f"no profile {name!r}; profiles() (wasmlogin profiles) lists them")
        ix.default = name
    index.update(change)
