"""Signing in: the browser (authorization code with PKCE and a loopback redirect, or the redirect pasted), the device
flow (RFC 8628), and a confidential client as itself (client credentials, RFC 6749 4.4). Which browser-or-device flow
fits is the plugin's decision (login_choose); the host says what it sees and runs the flow chosen."""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Callable, Literal, Mapping, Optional

from . import index
from . import provider as providers
from .context import open_store, start, store_kind
from .errors import LoginRequired, ServerRefused, Transient, bad_input
from .lock import profile_lock
from .models import DeviceCode, Session, Token
from .plugin import Instance
from .ui import Silent, Terminal, UserInterface

MAX_TRANSIENT_POLLS = 3  # a network blip while the user approves a device code should not cost them the code


def where_we_run() -> tuple[bool, bool]:
    """(remote, browser_usable), read from the environment as ssh and desktop sessions set it: over SSH, or on Linux
    without a display and without $BROWSER, a browser started here may run on another machine, from which the
    loopback redirect cannot come back."""
    env = os.environ.get
    has_browser_var = bool(env("BROWSER"))
    ssh = bool(env("SSH_CONNECTION") or env("SSH_TTY"))
    no_display = sys.platform.startswith("linux") and not env("DISPLAY") and not env("WAYLAND_DISPLAY")
    remote = ssh or (no_display and not has_browser_var)
    return remote, has_browser_var or not remote


def login(issuer: Optional[str] = None, client_id: Optional[str] = None, *, profile: Optional[str] = None,
          provider: Optional[str] = None, tenant: Optional[str] = None, scopes: providers.Scopes = None,
          client_secret: Optional[str] = None, prompt_client_secret: bool = False, auth_url: Optional[str] = None,
          token_url: Optional[str] = None, jwks_url: Optional[str] = None, device_url: Optional[str] = None,
          revocation_url: Optional[str] = None, auth_params: Optional[Mapping[str, str]] = None,
          flow: Optional[Literal["browser", "device"]] = None, open_browser: bool = True, paste: bool = False,
          redirect_host: Optional[str] = None, redirect_port: int = 0, redirect_path: str = "/callback",
          timeout: float = 300.0, store: Optional[str] = None, ui: Optional[UserInterface] = None,
          on_device_code: Optional[Callable[[DeviceCode], None]] = None) -> Session:
    """Signs a user in and keeps the tokens in the secret store; returns who signed in (no secrets).

    `issuer` with discovery, or a preset (`provider="strava"`, "github", "google", "microsoft", "gitlab") and any
    value it should not use. `flow` forces "browser" or "device"; by default the plugin picks the device flow where a
    browser here cannot be used (SSH, no display). `paste=True` is the browser flow whose redirect the user pastes
    (the browser runs on another machine); `open_browser=False` only prints the URL. A confidential client's secret
    comes from `client_secret`, or, with `prompt_client_secret=True`, is asked once without echo and kept with the
    sign-in. `on_device_code` is told the code of a device sign-in (the plugin also shows it through `ui`)."""
    ui = ui or Terminal()
    ix = index.load()
    if profile and not (issuer or client_id or token_url or provider) and profile in ix.profiles:
        recorded = ix.profiles[profile].provider  # sign the profile in again, as it was
        issuer, client_id = recorded.get("issuer"), recorded.get("client_id")
        auth_url = auth_url or recorded.get("authorization_endpoint")
        token_url = token_url or recorded.get("token_endpoint")
        device_url = device_url or recorded.get("device_authorization_endpoint")
        scopes = scopes or recorded.get("scopes")
    p, extra, preset = providers.build(issuer=issuer, client_id=client_id, preset=provider, tenant=tenant, scopes=scopes,
                                       client_secret=client_secret, prompt_client_secret=prompt_client_secret,
                                       auth_url=auth_url, token_url=token_url, jwks_url=jwks_url, device_url=device_url,
                                       revocation_url=revocation_url, auth_params=auth_params)
    if preset and preset.secret_required and not client_secret and not (flow == "device" and preset.device_without_secret):
        p["prompt_client_secret"] = True  # the plugin asks, unless a sign-in before stored the secret
    name = profile or index.derive_profile(p)
    if name not in ix.profiles:
        index.check_name(name)
    kind = store_kind(store, ix.profiles[name].store if name in ix.profiles else None)
    remote, browser_usable = where_we_run()
    opens = browser_usable and open_browser and not paste
    inst = start(open_store(kind), [name], issuer=p.get("issuer"), allowed=providers.origins(p, extra), ui=ui,
                 open_browser=opens)
    ref = {"profile": name, "provider": p}
    prefer = flow or ("browser" if paste or not open_browser else "")
    choice = inst.call("login_choose", {**ref, "prefer": prefer, "browser_usable": browser_usable, "remote": remote})
    ui.notify("info", f"Signing in with the {choice['flow']} flow: {choice['reason']}.")
    if choice["flow"] == "device":
        session = _device(inst, ref, opens, ui, on_device_code)
    else:
        from . import loopback
        host = redirect_host or (preset.redirect_host if preset else "") or "127.0.0.1"
        session = _browser(inst, ref, opens, paste or remote, ui, loopback.Listener(host, redirect_port, redirect_path), timeout)
    _record(name, p, inst, kind)
    return Session.from_wire(session)


def _browser(inst: Instance, ref: dict[str, Any], opens: bool, paste: bool, ui: UserInterface,
             listener: Any, timeout: float) -> dict[str, Any]:
    """Listens first, lets the plugin build the authorization URL, then hands it each candidate callback until one
    ends the sign-in. The listener is the host's: the plugin only judges what arrives."""
    try:
        begun = inst.call("login_begin", {**ref, "redirect_uri": listener.redirect_uri, "open_browser": opens})
        ui.notify("info", f"Waiting for the browser to come back to {listener.redirect_uri} ...")
        if paste:
            ui.notify("info", "If the page does not load (the browser runs on another machine), copy the full URL from "
                              "its address bar, paste it here and press Enter.")

        def finish(url: str) -> Any:
            with profile_lock(index.index_dir(), ref["profile"]):  # it writes the profile's record
                return inst.call("login_complete", {"flow_id": begun["flow_id"], "callback_url": url})

        def rejected(e: Exception) -> None:
            ui.notify("warn", f"Ignored a redirect that is not this sign-in's: {getattr(e, 'message', e)}\n"
                              f"Still waiting for the browser to come back to {listener.redirect_uri} ...")
        from . import loopback
        return loopback.wait(listener, finish, timeout=timeout, paste_from=sys.stdin if paste else None,
                             on_rejected=rejected)
    finally:
        listener.close()


def _device(inst: Instance, ref: dict[str, Any], opens: bool, ui: UserInterface,
            on_code: Optional[Callable[[DeviceCode], None]]) -> dict[str, Any]:
    """The device flow: the plugin shows the code and where to enter it; the host waits exactly as long as the plugin
    says before each poll (an early poll makes Dex answer slow_down and restart its clock)."""
    begun = inst.call("device_begin", {**ref, "open_browser": opens})
    if on_code:
        on_code(DeviceCode(begun["user_code"], begun["verification_uri"], begun.get("verification_uri_complete"),
                           int(begun["expires_in"])))
    deadline = time.monotonic() + int(begun["expires_in"])
    wait, failures = float(begun.get("interval") or 5), 0
    while True:
        time.sleep(max(0.0, min(wait, deadline - time.monotonic())))
        try:
            with profile_lock(index.index_dir(), ref["profile"]):  # signed_in writes the profile's record
                poll = inst.call("device_poll", {"flow_id": begun["flow_id"]})
        except Transient as e:
            failures += 1
            if failures > MAX_TRANSIENT_POLLS:
                raise
            ui.notify("warn", f"{e.message} (retry {failures} of {MAX_TRANSIENT_POLLS})")
            continue
        failures = 0
        status = poll.get("status")
        if status in ("pending", "slow_down"):
            wait = float(poll.get("wait_seconds", wait))
            if poll.get("expires_in") is not None:
                deadline = time.monotonic() + int(poll["expires_in"])
            if poll.get("message"):
                ui.notify("info", poll["message"])
        elif status == "signed_in":
            return poll["session"]
        elif status == "denied":
            raise ServerRefused("server_error", poll.get("message") or "the sign-in was denied")
        elif status == "expired":
            raise LoginRequired("login_required", poll.get("message") or "the code expired; sign in again")
        else:
            raise ServerRefused("invalid_response", f"the flow plugin answered an unknown device status {status!r}; "
                                                    "update the wasmlogin package")


def client_credentials(issuer: Optional[str] = None, client_id: Optional[str] = None,
                       client_secret: Optional[str] = None, *, token_url: Optional[str] = None,
                       revocation_url: Optional[str] = None, profile: Optional[str] = None,
                       scopes: providers.Scopes = None, auth_method: Optional[str] = None,
                       store: Optional[str] = None) -> Token:
    """Signs a confidential client in as itself (RFC 6749 4.4): for cron jobs and services, no user involved. Like
    a user's sign-in it is kept as a profile, so `token()` renews it later by running the grant again.
    `auth_method` is "basic" or "post" (client_secret_basic, client_secret_post); default from discovery."""
    methods = {None: None, "": None, "basic": "client_secret_basic", "post": "client_secret_post",
               "client_secret_basic": "client_secret_basic", "client_secret_post": "client_secret_post"}
    if auth_method not in methods:
        raise bad_input(f"auth_method {auth_method!r}: use basic or post")
    if not client_secret:
        raise bad_input("client credentials need the client's secret (from a secret manager or the environment, "
                        "never the command line)")
    p, _, _ = providers.build(issuer=issuer, client_id=client_id, scopes=scopes, client_secret=client_secret,
                              token_url=token_url, revocation_url=revocation_url)
    ix = index.load()
    name = profile or index.derive_profile(p)
    if name not in ix.profiles:
        index.check_name(name)
    kind = store_kind(store, ix.profiles[name].store if name in ix.profiles else None)
    inst = start(open_store(kind), [name], issuer=p.get("issuer"), allowed=providers.origins(p), ui=Silent(),
                 open_browser=False)
    payload: dict[str, Any] = {"profile": name, "provider": p}
    if methods[auth_method]:
        payload["auth_method"] = methods[auth_method]
    with profile_lock(index.index_dir(), name):
        tok = inst.call("client_credentials", payload)
    _record(name, p, inst, kind)
    return Token.from_wire(tok)


def _record(name: str, p: dict[str, Any], inst: Instance, kind: str) -> None:
    """Keeps the profile in the index: its provider without the secret, the origins its sandbox learned, its store;
    and makes it the default."""
    def change(ix: index.Index) -> None:
        ix.profiles[name] = index.Entry(provider=p, allowed_origins=sorted(inst.sandbox.allowed), store=kind)
        ix.default = name
    try:
        index.update(change)
    except OSError as e:
        raise bad_input(f"signed in, but the profile index {index.index_dir()} could not be saved: {e}") from None
