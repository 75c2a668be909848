"""Well-known providers: configuration data only, the same as the Go host's (host/presets, where each value has the
provider's documentation beside it). What a provider's answers mean (Strava's expires_at, GitHub's HTTP 200
errors, ...) is decided by the plugin for every server alike; a preset only fills in what the caller left out."""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional
from urllib.parse import urlsplit, urlunsplit

from .errors import bad_input


@dataclasses.dataclass(frozen=True)
class Preset:
    name: str
    title: str
    register: str  # where a developer registers the client, for messages
    issuer: str = ""  # enables discovery; "{tenant}" is replaced (Microsoft)
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    device_authorization_endpoint: str = ""
    origins: tuple[str, ...] = ()  # documented origins discovery cannot teach
    scopes: tuple[str, ...] = ()
    auth_params: tuple[tuple[str, str], ...] = ()
    scope_separator: str = ""
    token_auth_method: str = ""
    redirect_host: str = ""  # the loopback host the provider accepts ("" = 127.0.0.1)
    default_tenant: str = ""
    secret_required: bool = False  # the token endpoint refuses the code exchange without the client secret
    device_without_secret: bool = False


PRESETS = {p.name: p for p in (
    Preset("github", "GitHub", "https://github.com/settings/developers",
           authorization_endpoint="https://github.com/login/oauth/authorize",
           token_endpoint="https://github.com/login/oauth/access_token",
           device_authorization_endpoint="https://github.com/login/device/code", device_without_secret=True,
           token_auth_method="client_secret_post", secret_required=True),
    Preset("google", "Google", "https://console.cloud.google.com/apis/credentials", issuer="https://accounts.google.com",
           scopes=("openid", "email"), auth_params=(("access_type", "offline"), ("prompt", "consent")), secret_required=True),
    Preset("microsoft", "Microsoft", "https://entra.microsoft.com (App registrations)",
           issuer="https://login.microsoftonline.com/{tenant}/v2.0", default_tenant="common",
           origins=("https://graph.microsoft.com",), scopes=("openid", "profile", "offline_access"), redirect_host="localhost"),
    Preset("gitlab", "GitLab", "https://gitlab.com/-/user_settings/applications", issuer="https://gitlab.com",
           scopes=("openid", "read_user")),
    # https://developers.strava.com/docs/authentication/: no OpenID Connect; scopes comma-delimited; the secret in the
    # form of every token request; expires_at beside expires_in; a refresh token that may change on every refresh.
    Preset("strava", "Strava", "https://www.strava.com/settings/api",
           authorization_endpoint="https://www.strava.com/oauth/authorize", token_endpoint="https://www.strava.com/oauth/token",
           scopes=("read", "activity:read"), scope_separator=",", token_auth_method="client_secret_post", secret_required=True),
)}

_TENANT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|common|organizations")


def lookup(name: str) -> Preset:
    if p := PRESETS.get(name.lower()):
        return p
    raise bad_input(f"provider {name!r} is not known; use one of {', '.join(sorted(PRESETS))}, or give the issuer "
                    "(or the authorization and token endpoints) yourself")


def _rebase(endpoint: str, replaced: str, by: str) -> str:
    """endpoint moved from replaced's origin to by's, when it is on replaced's origin; otherwise ""."""
    e, r, b = urlsplit(endpoint), urlsplit(replaced), urlsplit(by)
    if not endpoint or not by or (e.scheme, e.netloc) != (r.scheme, r.netloc):
        return ""
    return urlunsplit((b.scheme, b.netloc, e.path, e.query, e.fragment))


def apply(preset: Preset, given: dict[str, Any], tenant: Optional[str] = None) -> tuple[dict[str, Any], list[str]]:
    """The provider the caller meant, and the preset's extra origins: what the caller gave wins; the preset fills
    the rest. Endpoints are one group: given an issuer or endpoint (a self-managed GitLab, a test server), the
    preset's endpoints are dropped, except one on the replaced token endpoint's origin, which moves with it."""
    p = dict(given)
    p["scopes"] = p.get("scopes") or list(preset.scopes)
    params = dict(preset.auth_params)
    params.update(p.get("extra_auth_params") or {})
    if params:
        p["extra_auth_params"] = params
    p["scope_separator"] = p.get("scope_separator") or preset.scope_separator or None
    p["token_auth_method"] = p.get("token_auth_method") or preset.token_auth_method or None
    explicit = any(given.get(k) for k in ("issuer", "authorization_endpoint", "token_endpoint"))
    if not explicit:
        p["issuer"] = preset.issuer or None
        p["authorization_endpoint"] = preset.authorization_endpoint or None
        p["token_endpoint"] = preset.token_endpoint or None
        p["device_authorization_endpoint"] = p.get("device_authorization_endpoint") or preset.device_authorization_endpoint or None
    elif not p.get("device_authorization_endpoint"):
        p["device_authorization_endpoint"] = _rebase(preset.device_authorization_endpoint, preset.token_endpoint,
                                                     given.get("token_endpoint") or "") or None
    issuer = p.get("issuer") or ""
    if "{tenant}" in issuer:
        tenant = tenant or preset.default_tenant
        if not _TENANT.fullmatch(tenant):
            raise bad_input(f"tenant {tenant!r}: give the tenant ID (a GUID), common or organizations; a domain "
                            "name's metadata names the tenant ID as issuer, so it cannot be verified")
        p["issuer"] = issuer.replace("{tenant}", tenant)
    elif tenant:
        raise bad_input("a tenant applies only to the microsoft provider")
    return {k: v for k, v in p.items() if v not in (None, "", [], {})}, [] if explicit else list(preset.origins)
