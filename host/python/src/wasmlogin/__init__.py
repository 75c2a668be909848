"""OAuth 2 and OpenID Connect sign-in for Python programs and command-line tools.

The flows (PKCE, state, nonce, the code exchange, ID token validation, refresh with rotation, the device flow) run
in one sandboxed WebAssembly plugin; this package lends it HTTP to the issuer's own hosts, a browser, the terminal,
the OS keyring and signature checks, and nothing else.

    import wasmlogin
    wasmlogin.login(issuer="https://login.example.com", client_id="my-cli")
    print(wasmlogin.token().access_token)
    requests.get("https://api.example.com/me", auth=wasmlogin.auth())
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .errors import (BadInput, LoginRequired, PluginFailure, PluginMismatch, ServerRefused, StorageUnavailable,
                     Transient, UntrustedHost, WasmloginError)
from .models import DeviceCode, LogoutResult, ProfileInfo, Session, Token
from .session import logout, profiles, status, token, use
from .signin import client_credentials, login
from .ui import Silent, Terminal, UserInterface

if TYPE_CHECKING:
    from .httpx_adapter import WasmloginHttpxAuth
    from .requests_adapter import WasmloginAuth

__version__ = "0.3.0"  # the plugin's release (plugin/api.Version); tests hold the two equal

__all__ = [
    "login", "client_credentials", "token", "status", "logout", "profiles", "use", "auth", "httpx_auth",
    "Token", "Session", "LogoutResult", "ProfileInfo", "DeviceCode", "UserInterface", "Terminal", "Silent",
    "WasmloginError", "BadInput", "LoginRequired", "Transient", "StorageUnavailable", "ServerRefused",
    "UntrustedHost", "PluginMismatch", "PluginFailure", "__version__",
]


def auth(profile: Optional[str] = None) -> "WasmloginAuth":
    """A `requests` auth: the profile's bearer token on every request, refreshed and retried once on a 401.
    Needs the extra: pip install 'wasmlogin[requests]'."""
    from .requests_adapter import WasmloginAuth
    return WasmloginAuth(profile)


def httpx_auth(profile: Optional[str] = None) -> "WasmloginHttpxAuth":
    """An `httpx` auth (Client and AsyncClient): as auth(), for httpx. Needs the extra: pip install 'wasmlogin[httpx]'."""
    from .httpx_adapter import WasmloginHttpxAuth
    return WasmloginHttpxAuth(profile)
