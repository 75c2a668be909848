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
