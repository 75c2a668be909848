"""The provider and client a sign-in is with (wit record provider), from what the caller gave and a preset, each URL
held to the rule the sandbox enforces before anything is loaded or sent."""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Union
from urllib.parse import urlsplit

from . import presets
from .errors import bad_input
from .network import origin

Scopes = Union[str, Iterable[str], None]


def check_url(name: str, value: Optional[str], example: str) -> None:
    """An https URL, or http to this machine only (127.0.0.1, ::1, localhost), without user information."""
    if not value:
        return
    u = urlsplit(value)
    if not u.scheme or not u.hostname:
        raise bad_input(f"{name} {value!r} is not a URL; give the full address with https://, e.g. {example}")
    if u.username is not None:
        raise bad_input(f"{name}: a URL with a user name or password in it is not accepted; give the address alone, e.g. {example}")
    if origin(value) is None:
        if u.scheme.lower() == "http":
            raise bad_input(f"{name} {value!r}: plain http is only accepted for 127.0.0.1, ::1 and localhost; use https")
        raise bad_input(f"{name} {value!r}: use an https URL, e.g. {example}")


def scope_list(scopes: Scopes, separator: Optional[str]) -> list[str]:
    """Scopes separated by spaces (RFC 6749 3.3), or a list; split at commas too for a provider that takes a
    comma-separated list (Strava)."""
    items = scopes.split() if isinstance(scopes, str) else list(scopes or [])
    if separator == ",":
        return [s for item in items for s in item.split(",") if s]
    return items


def build(*, issuer: Optional[str] = None, client_id: Optional[str] = None, preset: Optional[str] = None,
          tenant: Optional[str] = None, scopes: Scopes = None, client_secret: Optional[str] = None,
          prompt_client_secret: bool = False, auth_url: Optional[str] = None, token_url: Optional[str] = None,
          jwks_url: Optional[str] = None, device_url: Optional[str] = None, revocation_url: Optional[str] = None,
          auth_params: Optional[Mapping[str, str]] = None,
          token_auth_method: Optional[str] = None) -> tuple[dict[str, Any], list[str], Optional[presets.Preset]]:
    """The provider record, the preset's extra origins, and the preset (if any)."""
    for name, value, example in (("issuer", issuer, "https://login.example.com"),
                                 ("auth_url", auth_url, "https://login.example.com/oauth/authorize"),
                                 ("token_url", token_url, "https://login.example.com/oauth/token"),
                                 ("jwks_url", jwks_url, "https://login.example.com/keys"),
                                 ("device_url", device_url, "https://login.example.com/oauth/device/code"),
                                 ("revocation_url", revocation_url, "https://login.example.com/oauth/revoke")):
        check_url(name, value, example)
    if issuer and ("?" in issuer or "#" in issuer):
        raise bad_input(f"issuer {issuer!r}: an issuer has no query or fragment (OpenID Connect Discovery 4.1)")
    p: dict[str, Any] = {"issuer": issuer, "client_id": client_id, "authorization_endpoint": auth_url,
                         "token_endpoint": token_url, "jwks_uri": jwks_url, "device_authorization_endpoint": device_url,
                         "revocation_endpoint": revocation_url, "extra_auth_params": dict(auth_params or {}),
                         "client_secret": client_secret, "prompt_client_secret": prompt_client_secret,
                         "token_auth_method": token_auth_method}
    p["scopes"] = scope_list(scopes, None)
    extra: list[str] = []
    ps = None
    if preset:
        ps = presets.lookup(preset)
        p, extra = presets.apply(ps, p, tenant)
        if not p.get("client_id"):
            raise bad_input(f"provider {ps.name} needs a client ID: register an application at {ps.register} and pass its client ID")
    elif tenant:
        raise bad_input("a tenant goes with provider microsoft")
    p["scopes"] = scope_list(p.get("scopes"), p.get("scope_separator"))
    p = {k: v for k, v in p.items() if v not in (None, "", [], {}, False)}
    if not p.get("client_id") or not (p.get("issuer") or p.get("token_endpoint")):
        raise bad_input("a sign-in needs a client ID and an issuer (or a token endpoint, for servers without discovery)")
    return p, extra, ps


def origins(p: Mapping[str, Any], extra: Iterable[str] = ()) -> list[str]:
    """The origins allowed up front: the issuer's and every configured endpoint's (discovery may add more)."""
    keys = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "device_authorization_endpoint",
            "revocation_endpoint")
    return [o for u in [*(p.get(k) for k in keys), *extra] if (o := origin(u))]
