"""What the tests share besides fixtures: where the repository is, the installed command, the Go test servers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]  # the repository, for its files only (never on sys.path)
CI = os.environ.get("CI") == "true"
CLI = Path(sys.executable).with_name("wasmlogin")  # the console script the wheel installed
GO_COMMANDS = ("internal/testop/cmd/opserver", "internal/testop/cmd/autobrowser", "internal/dexop/cmd/dexserver",
               "internal/dexop/cmd/dexbrowser", "host/conformance/cmd/faultserver")


def skip_or_fail(why: str) -> None:
    """A missing prerequisite: skipped, loudly, on a developer's machine; a failure in CI."""
    pytest.fail(why) if CI else pytest.skip(why)


class Server:
    """A Go test server started as a child: it prints one JSON line, then serves until its stdin closes."""

    def __init__(self, binary: Path) -> None:
        self.proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.info = json.loads(self.proc.stdout.readline())  # type: ignore[union-attr]

    def __getitem__(self, key: str) -> str:
        return self.info[key]

    def close(self) -> None:
        self.proc.stdin.close()  # type: ignore[union-attr]
        self.proc.wait(10)


def run_cli(*args: str, env: dict[str, str] | None = None, ok: bool | None = True, stdin: str | None = None,
            timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """Runs the installed `wasmlogin` command, from a folder outside the repository."""
    r = subprocess.run([str(CLI), *args], env=env or dict(os.environ), capture_output=True, text=True, timeout=timeout,
                       input=stdin, cwd=Path(sys.executable).parent)
    if ok is not None:
        assert (r.returncode == 0) == ok, f"wasmlogin {' '.join(args)} exited {r.returncode}:\n{r.stderr}"
    return r


class ResourceServer:
    """An API on 127.0.0.1 that accepts exactly the access tokens the OP's userinfo endpoint accepts, and answers any
    other with 401 and WWW-Authenticate: Bearer error="invalid_token" (RFC 6750 3.1), as a resource server does.
    (zitadel's example OP itself answers a revoked token at userinfo with 403.) GET / returns the user's claims."""

    def __init__(self, userinfo_endpoint: str) -> None:
        import http.server
        import threading
        import urllib.error
        import urllib.request

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                req = urllib.request.Request(userinfo_endpoint, headers={"Authorization": self.headers.get("Authorization", "")})
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        status, body = 200, r.read()
                except urllib.error.HTTPError:
                    status, body = 401, b'{"error": "invalid_token"}'
                self.send_response(status)
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def approve_device(zitadel, verification_uri, user_code):
    """The user's side of a device sign-in at the OP, as internal/testop/autologin.ApproveDevice does: sign in at
    /device/login (which sets a cookie), then confirm with action=allowed."""
    import urllib.parse
    import urllib.request

    def post(path, form, headers=None):
        req = urllib.request.Request(f"{verification_uri}/{path}", urllib.parse.urlencode(form).encode(), headers or {})
        return urllib.request.urlopen(req)
    with post("login", {"user_code": user_code, "username": zitadel["username"], "password": zitadel["password"]}) as r:
        cookie = "; ".join(c.split(";")[0] for c in r.headers.get_all("Set-Cookie") or [])
        assert r.status == 200 and cookie, f"device login: HTTP {r.status}"
    with post("confirm", {"action": "allowed"}, {"Cookie": cookie}) as r:
        assert "Device authorization allowed" in r.read().decode()
