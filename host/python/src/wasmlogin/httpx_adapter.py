"""`httpx` with a signed-in profile: httpx.get(url, auth=wasmlogin.httpx_auth(profile="work"))."""
from __future__ import annotations

from typing import AsyncGenerator, Callable, Generator, Optional

import anyio.to_thread
import httpx

from .models import Token
from .session import token as _token


class WasmloginHttpxAuth(httpx.Auth):
    """Adds the profile's access token as a bearer token (RFC 6750 2.1); on a 401 it refreshes once (force_refresh)
    and sends the request again, once. With an AsyncClient the token is fetched on a worker thread, since getting
    one may mean a refresh over the network and a keyring read."""

    requires_request_body = True  # read before sending, so it can be sent again

    def __init__(self, profile: Optional[str] = None, *, get_token: Callable[..., Token] = _token) -> None:
        self.profile = profile
        self._get_token = get_token

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._get_token(self.profile).authorization
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = self._get_token(self.profile, force_refresh=True).authorization
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        tok = await anyio.to_thread.run_sync(lambda: self._get_token(self.profile))
        request.headers["Authorization"] = tok.authorization
        response = yield request
        if response.status_code == 401:
            tok = await anyio.to_thread.run_sync(lambda: self._get_token(self.profile, force_refresh=True))
            request.headers["Authorization"] = tok.authorization
            yield request


def httpx_auth(profile: Optional[str] = None) -> WasmloginHttpxAuth:
    """An httpx auth for the profile (default: the default profile)."""
    return WasmloginHttpxAuth(profile)
