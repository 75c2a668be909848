"""What one plugin instance may reach, and the host functions that hold it to that (wit/flow.wit, interfaces host
and crypto). The plugin has no sockets, files or environment; everything it touches goes through here."""
from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from . import browser, network
from .hostcall import HostError
from .stores import SecretStore, StoreError
from .ui import Terminal, UserInterface


class Sandbox:
    """The reach of one instance: the origins it may send HTTP to (`allowed`, growing only from `issuer`'s own
    discovery document), the profiles whose secrets it may touch (`granted`), the store those live in, and the user
    interface its messages and questions go to."""

    def __init__(self, store: SecretStore, granted: Iterable[str], *, issuer: Optional[str] = None,
                 allowed: Iterable[str] = (), ui: Optional[UserInterface] = None, open_browser: bool = True,
                 http_timeout: float = network.TIMEOUT) -> None:
        self.store = store
        self.granted = frozenset(granted)
        self.issuer = issuer
        self.allowed = {o for a in allowed if (o := network.origin(a))}
        if issuer and (o := network.origin(issuer)):
            self.allowed.add(o)
        self.ui = ui or Terminal()
        self.may_open_browser = open_browser
        self.http_timeout = http_timeout

    # ---- interface host ----

    def http_request(self, req: dict[str, Any]) -> dict[str, Any]:
        resp = network.fetch(req, self.allowed, self.http_timeout)
        self.allowed |= network.learned_origins(self.issuer, req, resp)
        return resp

    def open_browser(self, req: dict[str, Any]) -> dict[str, Any]:
        url = browser.browser_url(req.get("url"))
        if not self.may_open_browser:
            return {"opened": False}
        browser.open_in_browser(url, lambda: self.ui.notify("warn", "Could not open a browser; open the URL above yourself."))
        return {"opened": True}

    def notify(self, req: dict[str, Any]) -> None:
        self.ui.notify(str(req.get("level") or "info"), str(req.get("message") or ""))

    def prompt(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"value": self.ui.prompt(str(req.get("message") or ""), bool(req.get("secret")))}

    def may_use_secret(self, op: str, key: Any, value: Any = None) -> bool:
        """The store's scope: only the records of the granted profiles (profile/<p>, served/<p>), and
        default-profile, which the instance may read, and set or delete only when it names a granted profile.
        An instance for profile A so never reads profile B's tokens, nor any key this host keeps for itself."""
        if not isinstance(key, str):
            return False
        if m := re.fullmatch(r"(profile|served)/(.*)", key, re.S):
            return m[2] in self.granted
        if key != "default-profile":
            return False
        if op == "get":
            return True
        if op == "delete":
            value = self.store.get(key)
            return value is None or value in self.granted
        return isinstance(value, str) and value in self.granted

    def _scoped(self, op: str, req: dict[str, Any]) -> str:
        key = req.get("key")
        try:
            allowed = self.may_use_secret(op, key, req.get("value"))
        except StoreError as e:
            raise HostError("unavailable", str(e)) from None
        if not allowed:
            raise HostError("denied", f"this instance may not {op} the secret {key!r}: it serves only "
                                      f"{', '.join(sorted(self.granted)) or 'no profile'}")
        return key  # type: ignore[return-value]

    def secret_get(self, req: dict[str, Any]) -> dict[str, Any]:
        key = self._scoped("get", req)
        value = self._store_call(self.store.get, key)
        return {"found": value is not None, "value": value or ""}

    def secret_set(self, req: dict[str, Any]) -> None:
        value = req.get("value")
        if not isinstance(value, str):
            raise HostError("bad_input", "the value must be a string")
        self._store_call(self.store.set, self._scoped("set", req), value)

    def secret_delete(self, req: dict[str, Any]) -> None:
        self._store_call(self.store.delete, self._scoped("delete", req))

    @staticmethod
    def _store_call(f: Any, *args: Any) -> Any:
        try:
            return f(*args)
        except StoreError as e:
            raise HostError("unavailable", str(e)) from None

    # ---- interface crypto ----

    def verify_signature(self, req: dict[str, Any]) -> dict[str, Any]:
        from . import signatures  # imported when first needed: `cryptography` is not needed to serve a token
        try:
            return signatures.verify_signature(req)
        except signatures.UnusableRequest as e:
            raise HostError("bad_input", str(e)) from None

    def sign(self, req: dict[str, Any]) -> dict[str, Any]:
        """This host keeps no private keys, so a client that authenticates with private_key_jwt is not offered."""
        raise HostError("unavailable", "this host holds no private keys to sign with")


# The host functions of wit/flow.wit, as the plugin imports them from extism:host/user.
HOST_FUNCTIONS = ("http_request", "open_browser", "notify", "prompt", "secret_get", "secret_set", "secret_delete",
                  "verify_signature", "sign")
