"""The loopback redirect of a browser sign-in (RFC 8252 7.3): a listener on this machine that hands every request on
the redirect path to the plugin, and, when the browser may run elsewhere, the URL the user pastes instead.

Any local process can send the listener a request, so whether it is this sign-in's callback is the plugin's decision
(login_complete): callback_rejected means "not this sign-in's" and the wait goes on; any other answer ends it."""
from __future__ import annotations

import html
import http.server
import queue
import socket
import sys
import threading
from typing import Any, Callable, Optional, TextIO
from urllib.parse import urlsplit

from .errors import ServerRefused, Transient, WasmloginError, bad_input


class Page:
    """What the browser is shown: a title and a message, HTML-escaped (the message may carry the server's text)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        self.status, self.title, self.message = status, title, message

    def html(self) -> bytes:
        t, m = html.escape(self.title), html.escape(self.message)
        return f"<!doctype html><meta charset=utf-8><title>{t}</title><h1>{t}</h1><p>{m}</p>".encode()


# complete(callback_url) -> (ended, page): the plugin's verdict on one candidate callback.
Complete = Callable[[str], "tuple[bool, Page]"]


class Listener:
    """Listens on host:port (127.0.0.1 and any free port by default) for GETs on `path`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, path: str = "/callback") -> None:
        if host not in ("127.0.0.1", "localhost", "[::1]", "::1"):
            raise bad_input(f"redirect host {host!r}: use 127.0.0.1, localhost or [::1] (RFC 8252 7.3: loopback only)")
        if not path.startswith("/"):
            raise bad_input(f"redirect path {path!r} must start with /")
        bind = "::1" if host in ("[::1]", "::1") else "127.0.0.1"
        self.path = path
        handler = self._handler()
        server_class = _V6Server if bind == "::1" else http.server.HTTPServer
        try:
            self.server = server_class((bind, port), handler)
        except OSError as e:
            raise bad_input(f"cannot listen on {bind} port {port}: {e.strerror}; choose another redirect port") from None
        shown = "[::1]" if bind == "::1" else host
        self.redirect_uri = f"http://{shown}:{self.server.server_port}{path}"
        self.complete: Optional[Complete] = None

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        listener = self

        class Callback(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if urlsplit(self.path).path != listener.path or listener.complete is None:
                    return self._answer(Page(404, "Not found", "This address is not the sign-in's redirect."))
                base = listener.redirect_uri[: -len(listener.path)]
                self._answer(listener.complete(base + self.path)[1])

            def _answer(self, page: Page) -> None:
                body = page.html()
                self.send_response(page.status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
        return Callback

    def close(self) -> None:
        self.server.server_close()


class _V6Server(http.server.HTTPServer):
    address_family = socket.AF_INET6


def wait(listener: Listener, finish: Callable[[str], Any], *, timeout: float, paste_from: Optional[TextIO] = None,
         on_rejected: Callable[[WasmloginError], None] = lambda e: None) -> Any:
    """Hands each candidate callback to finish(url), one at a time (an instance runs one call at a time), until one
    ends the sign-in: a result, or an error other than callback_rejected. With paste_from, lines read from it that
    look like the redirect are candidates too, whichever comes first. One deadline for the whole wait."""
    outcomes: "queue.Queue[tuple[str, Any]]" = queue.Queue()
    mu = threading.Lock()
    ended = threading.Event()

    def complete(url: str) -> "tuple[bool, Page]":
        with mu:
            if ended.is_set():
                return False, Page(200, "Already handled", "This sign-in was completed already. You can close this tab.")
            try:
                result = finish(url)
            except ServerRefused as e:
                if e.code == "callback_rejected":
                    on_rejected(e)
                    return False, Page(400, "Not this sign-in", f"{e.message}. The terminal is still waiting for the "
                                                                 "sign-in it started.")
                ended.set()
                outcomes.put(("error", e))
                return True, Page(400, "Sign-in failed", f"{e.message}. Return to the terminal for details.")
            except WasmloginError as e:
                ended.set()
                outcomes.put(("error", e))
                return True, Page(500, "Sign-in failed", f"{e.message}. Return to the terminal for details.")
            ended.set()
            outcomes.put(("ok", result))
            return True, Page(200, "Signed in", "You are signed in. You can close this tab and return to the terminal.")

    listener.complete = complete
    server = threading.Thread(target=listener.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                              name="wasmlogin-loopback")
    server.start()
    if paste_from is not None:
        threading.Thread(target=_read_pasted, args=(paste_from, listener.redirect_uri, complete, ended), daemon=True,
                         name="wasmlogin-paste").start()
    try:
        try:
            kind, value = outcomes.get(timeout=max(timeout, 0))
        except queue.Empty:
            with mu:
                ended.set()
            raise Transient("transient", f"the browser did not come back to {listener.redirect_uri} within "
                                         f"{timeout:g} s; nothing was stored; sign in again") from None
        if kind == "error":
            raise value
        return value
    finally:
        listener.server.shutdown()
        server.join(5)


def _read_pasted(source: TextIO, redirect_uri: str, complete: Complete, ended: threading.Event) -> None:
    """Passes on lines that look like the redirect this sign-in waits for; anything else gets a hint. Whether the URL
    is genuine (state, issuer, code) is the plugin's decision."""
    want = urlsplit(redirect_uri)
    for line in source:
        if ended.is_set():
            return
        line = line.strip()
        if not line:
            continue
        if "://" not in line:  # some address bars hide the scheme
            line = "http://" + line
        u = urlsplit(line)
        if u.netloc.lower() != want.netloc.lower() or u.path != want.path or not u.query:
            print(f"That is not the address this sign-in waits for; it starts with {redirect_uri}? and goes on with "
                  "code= or error=. Paste the whole URL from the address bar.", file=sys.stderr, flush=True)
            continue
        complete(line)
        if ended.is_set():
            return
