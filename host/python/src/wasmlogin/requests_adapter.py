"""`requests` with a signed-in profile: requests.get(url, auth=wasmlogin.auth(profile="work"))."""
from __future__ import annotations

from typing import Any, Callable, Optional

import requests
import requests.auth

from .models import Token
from .session import token as _token


class WasmloginAuth(requests.auth.AuthBase):
    """Adds the profile's access token as a bearer token (RFC 6750 2.1). When the server answers 401 (a token revoked
    or expired early), it refreshes once (force_refresh) and sends the request again, once; a second 401 is returned
    as it is. A request whose body cannot be read twice (a generator) is not sent again."""

    def __init__(self, profile: Optional[str] = None, *, get_token: Callable[..., Token] = _token) -> None:
        self.profile = profile
        self._get_token = get_token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self._get_token(self.profile).authorization
        body = r.body
        seekable = body is not None and hasattr(body, "tell") and hasattr(body, "seek")
        position = body.tell() if seekable else None  # type: ignore[union-attr]
        replayable = body is None or isinstance(body, (bytes, str)) or position is not None
        if replayable:
            r.register_hook("response", self._retry_once(position))
        return r

    def _retry_once(self, position: Optional[int]) -> Callable[..., Any]:
        def on_response(resp: requests.Response, **kwargs: Any) -> requests.Response:
            if resp.status_code != 401:
                return resp
            fresh = self._get_token(self.profile, force_refresh=True)
            resp.content  # read the body so the connection can be reused
            resp.close()
            again = resp.request.copy()
            again.headers["Authorization"] = fresh.authorization
            again.hooks["response"] = []  # once only
            if position is not None:
                again.body.seek(position)  # type: ignore[union-attr]
            retried = resp.connection.send(again, **kwargs)
            retried.history.append(resp)
            retried.request = again
            return retried
        return on_response


def auth(profile: Optional[str] = None) -> WasmloginAuth:
    """A requests auth for the profile (default: the default profile)."""
    return WasmloginAuth(profile)
