"""A fixture reproducing Strava's documented OAuth formats (https://developers.strava.com/docs/authentication/), not
a real server: Strava cannot be reached from tests, and its quirks are what the standard-following test providers
never produce. As the Go host's fixture (host/fixture_strava_test.go): authorize takes a comma-delimited scope and
redirects back at once with code, state and the accepted scope; the token endpoint requires client_id and
client_secret as form parameters (Strava's own Fault shape otherwise), answers with expires_at (Unix seconds) beside
expires_in, adds an athlete object to the code exchange, and issues a new refresh token on every refresh, after
which the old one no longer works. No PKCE, no OpenID Connect."""
from __future__ import annotations

import http.server
import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit


def fault(resource: str, field: str) -> dict:
    return {"message": "Bad Request", "errors": [{"resource": resource, "field": field, "code": "invalid"}]}


class Strava:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.codes: dict[str, str] = {}  # code -> scope
        self.refresh: set[str] = set()
        self.log: list[tuple[str, dict[str, list[str]]]] = []  # (path, query or form)
        self.expires_at = 0
        fixture = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def answer(self, status: int, body: dict, location: str | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                u = urlsplit(self.path)
                q = parse_qs(u.query)
                fixture.log.append((u.path, q))
                if u.path != "/oauth/authorize" or q.get("client_id") != [fixture.client_id]:
                    return self.answer(400, fault("Application", "client_id"))
                scope = q.get("scope", [""])[0]
                if " " in scope:
                    return self.answer(400, fault("Authorize", "scope"))
                code = secrets.token_hex(8)
                fixture.codes[code] = scope
                back = q["redirect_uri"][0] + "?" + urlencode({"state": q["state"][0], "code": code, "scope": scope})
                self.answer(302, {}, back)

            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
                fixture.log.append((self.path, form))
                one = lambda k: form.get(k, [""])[0]  # noqa: E731
                if one("client_id") != fixture.client_id or one("client_secret") != fixture.client_secret:
                    return self.answer(400, fault("Application", "client_secret"))
                fixture.expires_at = int(time.time()) + 6 * 3600
                body = {"token_type": "Bearer", "access_token": secrets.token_hex(20), "expires_at": fixture.expires_at,
                        "expires_in": fixture.expires_at - int(time.time())}
                if one("grant_type") == "authorization_code":
                    if fixture.codes.pop(one("code"), None) is None:
                        return self.answer(400, fault("AuthorizationCode", "code"))
                    body["athlete"] = {"id": 134815, "username": "marianne_t", "firstname": "Marianne"}
                elif one("grant_type") == "refresh_token":
                    if one("refresh_token") not in fixture.refresh:
                        return self.answer(400, fault("RefreshToken", "refresh_token"))
                    fixture.refresh.discard(one("refresh_token"))
                else:
                    return self.answer(400, fault("Application", "grant_type"))
                body["refresh_token"] = secrets.token_hex(20)
                fixture.refresh.add(body["refresh_token"])
                self.answer(200, body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
