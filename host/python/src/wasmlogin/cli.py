"""The `wasmlogin` command (and python -m wasmlogin): login, token, status, logout, profiles and use, with the Go
CLI's flags where they apply and its exit codes: 0 ok, 1 failure, 2 usage, 3 login required, 4 transient, 5 no
secret storage, 6 refused by the server or failed validation. Only a token (or JSON) goes to stdout."""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import time
from typing import Any, Literal, NoReturn, Optional, Sequence

from . import __version__
from .errors import EXIT_USAGE, WasmloginError, bad_input
from .models import LogoutResult, Session, Token

PROG = "wasmlogin"


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors in this program's words and exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message}; `{self.prog} --help` lists its flags", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _duration(text: str) -> float:
    """Seconds, from "300", "90s", "5m" or "1h30m" (the Go CLI's duration form)."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|m|s|ms)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration; e.g. 90s, 5m or 1h")
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[u] for n, u in parts)


def _auth_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--auth-param wants NAME=VALUE, got {text!r}")
    return name, value


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="OAuth 2 / OpenID Connect sign-in; the flows run in a sandboxed WebAssembly plugin.",
                epilog="Exit codes: 0 ok, 1 failure, 2 usage, 3 login required, 4 transient (try again), "
                       "5 no secret storage, 6 refused by the server or failed validation.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=summary, prog=f"{PROG} {name}")

    def select(c: argparse.ArgumentParser) -> None:
        c.add_argument("--profile", help="which sign-in, by name (default: the default profile)")
        c.add_argument("--issuer", help="pick the profile signed in to this issuer URL")
        c.add_argument("--client-id", help="pick the profile of this client ID")

    def store(c: argparse.ArgumentParser) -> None:
        c.add_argument("--store", choices=("keyring", "file"), help="where secrets live: the OS keyring (default) or an "
                       "encrypted file (passphrase in WASMLOGIN_STORE_PASSPHRASE); later commands use the profile's")

    c = command("login", "Sign in with your browser (PKCE), with a code entered on another device (--device), or as a "
                         "service client (--client-credentials).")
    c.add_argument("--profile", help="name of this sign-in (default: derived from the issuer and client)")
    c.add_argument("--provider", help="start from a preset: github, gitlab, google, microsoft, strava")
    c.add_argument("--tenant", help="(--provider microsoft) the tenant ID, organizations or common")
    c.add_argument("--issuer", help="the provider's issuer URL; its discovery document supplies the endpoints")
    c.add_argument("--client-id", help="the OAuth client ID registered for this app")
    c.add_argument("--scopes", help="scopes separated by spaces (default: openid, and offline_access when offered)")
    c.add_argument("--auth-url", help="authorization endpoint URL, for servers without discovery")
    c.add_argument("--token-url", help="token endpoint URL, for servers without discovery")
    c.add_argument("--jwks-url", help="URL of the key set for ID tokens when there is no discovery")
    c.add_argument("--device-url", help="device authorization endpoint URL, for servers without discovery")
    c.add_argument("--revocation-url", help="revocation endpoint URL (RFC 7009) for servers whose discovery names none")
    c.add_argument("--auth-param", type=_auth_param, action="append", default=[], metavar="NAME=VALUE",
                   help="extra authorization parameter, repeatable")
    c.add_argument("--client-secret-env", metavar="VAR", help="read a confidential client's secret from this "
                   "environment variable (then kept in the secret store)")
    c.add_argument("--client-secret-prompt", action="store_true", help="ask for the client secret on the terminal, without echo")
    c.add_argument("--redirect-host", help="loopback host in the redirect URI: 127.0.0.1 (default), localhost or [::1]")
    c.add_argument("--redirect-port", type=int, default=0, help="fixed port for providers that demand one")
    c.add_argument("--redirect-path", default="/callback", help="path of the redirect URI")
    c.add_argument("--no-open", action="store_true", help="the browser flow, but only print the URL")
    c.add_argument("--no-browser", action="store_true", help="the browser flow without a browser here: print the URL, "
                   "then paste the address the browser ends on")
    c.add_argument("--device", action="store_true", help="the device flow (RFC 8628): enter a code on any device")
    c.add_argument("--timeout", type=_duration, default=300.0, help="how long to wait for the browser (e.g. 90s, 5m)")
    c.add_argument("--client-credentials", action="store_true", help="the client credentials grant (RFC 6749 4.4): a "
                   "service client signs in as itself; secret via --client-secret-env")
    c.add_argument("--auth-method", choices=("basic", "post"), help="how the client authenticates (default: from discovery)")
    c.add_argument("--json", action="store_true", help="print the session as JSON on stdout")
    store(c)

    c = command("token", "Print a valid access token of a profile, refreshed when needed; only the token goes to stdout.")
    select(c)
    c.add_argument("--json", action="store_true", help="print the token, its type and expiry as JSON")
    c.add_argument("--force-refresh", action="store_true", help="refresh even if the access token is still valid")
    c.add_argument("--header", action="store_true", help='print an "Authorization: Bearer ..." header line, for curl -H @-')
    store(c)

    c = command("status", "Show who is signed in and until when; offline, no secrets printed.")
    select(c)
    c.add_argument("--json", action="store_true", help="print the session as JSON, ID token claims included")
    store(c)

    c = command("logout", "Revoke the profile's tokens at the server (RFC 7009) and forget them here.")
    select(c)
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    store(c)

    c = command("profiles", "List the sign-ins on this machine; * marks the default.")
    c.add_argument("--json", action="store_true", help="print the profiles as a JSON array")

    c = command("use", "Make profile NAME the default for commands given no --profile.")
    c.add_argument("name", metavar="NAME")
    return p


def _wire(value: Any) -> dict[str, Any]:
    """A result as the plugin's JSON (the Go CLI's --json): empty optional members left out."""
    d = dataclasses.asdict(value)
    keep = {"profile", "client_id", "has_refresh_token", "removed", "access_token", "token_type", "refreshed"}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items() if k in keep or v not in (None, (), {}, "")}


def _q(name: str) -> str:
    """A name in double quotes, escaped, as the Go CLI prints it (%q)."""
    return json.dumps(name)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _expiry(unix: Optional[int]) -> str:
    if not unix:
        return "unknown (the server did not say)"
    when = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(unix))
    left = unix - int(time.time())
    if left <= 0:
        return f"{when} (expired; the next token call refreshes it)"
    return f"{when} (in {left // 3600}h{left % 3600 // 60}m{left % 60}s)"


def _claim(name: str, v: Any) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v == int(v):
        if name in ("exp", "iat", "auth_time", "nbf", "updated_at"):
            return f"{int(v)} ({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(int(v)))})"
        return str(int(v))
    return json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else str(v)


def _login(a: argparse.Namespace) -> None:
    from .signin import client_credentials, login
    secret = None
    if a.client_secret_env:
        secret = os.environ.get(a.client_secret_env)
        if not secret:
            raise bad_input(f"--client-secret-env {a.client_secret_env}: that environment variable is empty")
    if a.client_credentials:
        tok = client_credentials(a.issuer, a.client_id, secret, token_url=a.token_url, revocation_url=a.revocation_url,
                                 profile=a.profile, scopes=a.scopes, auth_method=a.auth_method, store=a.store)
        if a.json:
            from .session import status
            _print_json(_wire(status(tok.profile)))
            return
        print(f"Signed in to {a.issuer or a.token_url} as client {a.client_id} (profile {_q(tok.profile)}); the token "
              f"lasts until {_expiry(tok.expires_at)} and `token` renews it.", file=sys.stderr)
        return
    flow: Optional[Literal["browser", "device"]] = "device" if a.device else ("browser" if a.no_browser or a.no_open else None)
    s = login(a.issuer, a.client_id, profile=a.profile, provider=a.provider, tenant=a.tenant, scopes=a.scopes,
              client_secret=secret, prompt_client_secret=a.client_secret_prompt, auth_url=a.auth_url,
              token_url=a.token_url, jwks_url=a.jwks_url, device_url=a.device_url, revocation_url=a.revocation_url,
              auth_params=dict(a.auth_param), flow=flow, open_browser=not (a.no_open or a.no_browser),
              paste=a.no_browser, redirect_host=a.redirect_host, redirect_port=a.redirect_port,
              redirect_path=a.redirect_path, timeout=a.timeout, store=a.store)
    if a.json:
        _print_json(_wire(s))
        return
    who = s.claims.get("email") if isinstance(s.claims.get("email"), str) else s.subject
    print(f"Signed in to {s.issuer or '-'}" + (f" as {who}" if who else "") + f" (profile {_q(s.profile)}).", file=sys.stderr)


def _token(a: argparse.Namespace) -> None:
    from .session import token
    t: Token = token(a.profile, issuer=a.issuer, client_id=a.client_id, force_refresh=a.force_refresh, store=a.store)
    if a.json:
        _print_json(_wire(t))
    elif a.header:
        print("Authorization: " + t.authorization)
    else:
        print(t.access_token)


def _status(a: argparse.Namespace) -> None:
    from .session import status
    s: Session = status(a.profile, issuer=a.issuer, client_id=a.client_id, store=a.store)
    if a.json:
        _print_json(_wire(s))
        return
    print(f"Profile:  {s.profile}\nIssuer:   {s.issuer or '-'}\nClient:   {s.client_id}\nSubject:  {s.subject or '-'}\n"
          f"Expires:  {_expiry(s.expires_at)}\nRefresh:  {str(s.has_refresh_token).lower()}\nScopes:   {' '.join(s.scopes)}")
    if s.claims:
        print("Claims:")
        for k in sorted(s.claims):
            print(f"  {k}: {_claim(k, s.claims[k])}")


def _logout_text(r: LogoutResult) -> str:
    if not r.removed:
        return f"Profile {_q(r.profile)} had no stored tokens; it was removed from the profile list."
    parts = []
    if r.revoked:
        kinds = "refresh and access tokens" if len(r.revoked) == 2 else r.revoked[0].replace("_", " ")
        parts.append(f"revoked the {kinds} at the server")
    if r.revocation_note:
        parts.append(r.revocation_note)
    if not parts:
        return f"Signed out of profile {_q(r.profile)}; its sign-in was deleted from this machine."
    if not r.revocation_note:
        return f"Signed out of profile {_q(r.profile)}: {parts[0]}, and deleted them from this machine."
    return f"Signed out of profile {_q(r.profile)}: {'; '.join(parts)}; forgot them locally."


def _logout(a: argparse.Namespace) -> None:
    from .session import logout
    r = logout(a.profile, issuer=a.issuer, client_id=a.client_id, store=a.store)
    if a.json:
        _print_json(_wire(r))
    else:
        print(_logout_text(r), file=sys.stderr)


def _profiles(a: argparse.Namespace) -> None:
    from .session import profiles
    rows = profiles()
    if a.json:
        _print_json([{"profile": r.name, **({"issuer": r.issuer} if r.issuer else {}), "client_id": r.client_id,
                      "default": r.default} for r in rows])
        return
    if not rows:
        print("No profiles yet; run login.", file=sys.stderr)
    for r in rows:
        print(f"{'*' if r.default else ' '} {r.name}\t{r.issuer or r.token_endpoint or ''}\t{r.client_id}")


def _use(a: argparse.Namespace) -> None:
    from .session import use
    use(a.name)
    print(f"Profile {_q(a.name)} is now the default.", file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs one command line; returns the exit code."""
    args = _parser().parse_args(argv)
    run = {"login": _login, "token": _token, "status": _status, "logout": _logout, "profiles": _profiles, "use": _use}
    try:
        run[args.command](args)
    except WasmloginError as e:
        if getattr(args, "json", False):
            _print_json({"error": e.as_flow_error()})
        print(f"{args.command}: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"{args.command}: cancelled", file=sys.stderr)
        return 1
    return 0
