"""The plugin's only way to the network (host function http_request) and the rule by which its reach grows.

The plugin may reach the origins the host configured, and those of the back-channel endpoints named by the
configured issuer's own discovery document (wit/EMBEDDING.md, "Sandbox"). Redirects are never followed: a followed
redirect would take the request to an origin nobody allowed.
"""
from __future__ import annotations

import contextlib
import ipaddress
import json
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit

from .hostcall import HostError

TIMEOUT = 30.0  # seconds per socket operation, as the Go host's 30 s per request
MAX_BYTES = 1 << 20  # a response body larger than this is refused (too_large)
USER_AGENT = "wasmlogin-python"

# The metadata members (RFC 8414 2, OpenID Connect Discovery 1.0 3, RFC 9126 5, RFC 8628 4, RFC 7009) that name
# where the plugin sends requests. No other member widens the allowlist.
ENDPOINT_FIELDS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "revocation_endpoint",
                   "device_authorization_endpoint", "pushed_authorization_request_endpoint")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).is_loopback
    return False


def origin(url: Any) -> Optional[str]:
    """"scheme://host[:port]" of an https URL, or of plain http to loopback, without user information; else None.
    Plain http elsewhere would let anyone on the path read and change the tokens (RFC 6749 3.1, RFC 8252 8.3)."""
    if not isinstance(url, str):
        return None
    with contextlib.suppress(ValueError):
        u = urlsplit(url)
        host, port = u.hostname or "", u.port
        if host and u.username is None and u.password is None and (
                u.scheme == "https" or u.scheme == "http" and is_loopback(host)):
            port_text = "" if port in (None, {"https": 443, "http": 80}[u.scheme]) else f":{port}"
            return f"{u.scheme}://{f'[{host}]' if ':' in host else host}{port_text}"
    return None


def discovery_urls(issuer: str) -> tuple[str, str]:
    """Where the plugin looks up the issuer's metadata: OpenID Connect Discovery 1.0 section 4 (the issuer, then the
    well-known path) and RFC 8414 section 3.1 (the well-known path between the origin and the issuer's path)."""
    return (issuer.removesuffix("/") + "/.well-known/openid-configuration",
            (origin(issuer) or "") + "/.well-known/oauth-authorization-server" + urlsplit(issuer).path.removesuffix("/"))


def learned_origins(issuer: Optional[str], req: dict[str, Any], resp: dict[str, Any]) -> set[str]:
    """The origins an answer teaches: only a 200 GET of one of the configured issuer's discovery URLs, whose body is
    one JSON object naming that issuer byte for byte (RFC 8414 3.3), and only through ENDPOINT_FIELDS."""
    if not issuer or req.get("method") != "GET" or resp["status"] != 200 or req.get("url") not in discovery_urls(issuer):
        return set()
    with contextlib.suppress(ValueError):
        doc = json.loads(resp["body"])
        if isinstance(doc, dict) and doc.get("issuer") == issuer:
            return {o for field in ENDPOINT_FIELDS if (o := origin(doc.get(field)))}
    return set()


def _opener(host: str) -> Any:
    """urllib's opener, with every status an answer for the plugin: no HTTPError, and no redirect followed. HTTPS_PROXY
    and NO_PROXY apply as to any program; this machine itself is never reached through a proxy."""
    import urllib.request  # imported when the plugin first asks: serving a stored token needs no HTTP

    class AsIs(urllib.request.HTTPErrorProcessor):
        def http_response(self, request: Any, response: Any) -> Any:
            return response

        https_response = http_response

    handlers: list[Any] = [AsIs()]
    if is_loopback(host):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def fetch(req: dict[str, Any], allowed: Iterable[str], timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """One exchange for the plugin, under the sandbox's rules; raises HostError with the WIT's codes."""
    url = req.get("url")
    o = origin(url)
    if not isinstance(url, str) or o is None or o not in allowed:
        raise HostError("disallowed_host", f"refusing {o or 'a URL that is not https (or http to loopback)'}: "
                                           "neither configured nor named by the issuer's discovery document")
    method = req.get("method")
    if method not in ("GET", "POST"):
        raise HostError("denied", f"only GET and POST, not {method!r}")
    raw_headers = req.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise HostError("bad_input", "headers must be an object from name to a list of values")
    headers = {str(name): ", ".join(map(str, values if isinstance(values, list) else [values]))
               for name, values in raw_headers.items()}
    headers["User-Agent"] = USER_AGENT
    body = req.get("body") or ""
    if not isinstance(body, str):
        raise HostError("bad_input", "the body must be a string")
    import ssl
    import urllib.request
    r = urllib.request.Request(url, body.encode() or None, headers, method=method)
    try:
        with _opener(urlsplit(url).hostname or "").open(r, timeout=timeout) as resp:  # timeout: per socket operation
            data = resp.read(max_bytes + 1)
            status, resp_headers = resp.status, resp.headers
    except OSError as e:  # URLError, TimeoutError, ConnectionError, ssl errors
        reason = getattr(e, "reason", e)
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise HostError("certificate", f"{o}: its TLS certificate was not accepted ({reason.verify_message}); "
                                           "if a company proxy inspects TLS, point SSL_CERT_FILE at its authority") from None
        code = "timeout" if isinstance(reason, TimeoutError) else "connect"
        raise HostError(code, f"{o}: {reason}") from None
    if len(data) > max_bytes:
        raise HostError("too_large", f"the response from {o} is larger than {max_bytes} bytes")
    out_headers = {name.title(): resp_headers.get_all(name) for name in resp_headers}
    return {"status": status, "headers": out_headers, "body": data.decode("utf-8", "replace")}
