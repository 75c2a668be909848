"""OAuth 2 / OpenID Connect sign-in for a Python CLI; the flow itself runs in plugin.wasm.

The plugin does discovery, PKCE, state, nonce, the code exchange, ID token checks and
refresh. This host lends it wit/flow.wit's seven functions: HTTP, browser, messages, keyring.
"""
import argparse, getpass, html, http.server, ipaddress, json, os, sys, threading, typing, webbrowser
import urllib.error, urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import extism, keyring

WASM = os.environ.get("WASMLOGIN_WASM", Path(__file__).resolve().parents[2] / "host/internal/wasm/plugin.wasm")
SERVICE = os.environ.get("WASMLOGIN_SERVICE", "wasmlogin-py")  # keyring service name
TIMEOUT, MAX_BYTES = 30.0, 1 << 20
ALLOWED = set()  # origins the plugin may reach: the issuer's, then those its discovery document names
JSON = typing.Annotated[dict, extism.Json]


class HostError(Exception):  # (code, message): a host function's {"error"} reply
    pass


class FlowError(Exception):  # an export's {"error"} reply
    pass


def loopback(host):
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url):  # "scheme://host[:port]"; https anywhere, plain http only to loopback
    u = urlsplit(url)
    host, port = u.hostname or "", u.port
    if u.scheme not in ("https", "http") or not host or u.username is not None:
        raise ValueError("not an absolute http(s) URL without credentials")
    if u.scheme == "http" and not loopback(host):
        raise ValueError("plain http is allowed only to 127.0.0.1, ::1 and localhost")
    host = f"[{host}]" if ":" in host else host
    return f"{u.scheme}://{host}" + (f":{port}" if port not in (None, {"https": 443, "http": 80}[u.scheme]) else "")


def host_fn(f):  # registers f(payload) -> value as an Extism host function replying {"ok"} or {"error"}
    def reply(req: JSON) -> JSON:
        try:
            return {"ok": f(req)}
        except HostError as e:
            return {"error": {"code": e.args[0], "message": e.args[1]}}
        except Exception as e:  # keyring backends, terminals, ...
            return {"error": {"code": "unavailable", "message": f"{f.__name__}: {type(e).__name__}: {e}"}}
    extism.host_fn(name=f.__name__)(reply)  # namespace extism:host/user; every Plugin made later gets it
    return reply


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # a 3xx goes back to the plugin as it is


def fetch(req):
    try:
        o = origin(req["url"])
    except ValueError as e:
        raise HostError("disallowed_host", f"refusing the request: {e}") from None
    if o not in ALLOWED:
        raise HostError("disallowed_host", f"refusing {o}: neither the issuer nor named in its discovery document")
    if req["method"] not in ("GET", "POST"):
        raise HostError("denied", f"only GET and POST, not {req['method']!r}")
    r = urllib.request.Request(req["url"], (req.get("body") or "").encode() or None, method=req["method"])
    for name, values in (req.get("headers") or {}).items():
        r.add_header(name, ", ".join(values))
    r.add_header("User-Agent", "wasmlogin-py")
    try:
        try:
            resp = urllib.request.build_opener(NoRedirect).open(r, timeout=TIMEOUT)  # per socket operation
        except urllib.error.HTTPError as e:
            resp = e  # 3xx, 4xx and 5xx are answers too
        with resp:
            body = resp.read(MAX_BYTES + 1)
    except OSError as e:  # URLError, TimeoutError, ConnectionError
        reason = getattr(e, "reason", e)
        raise HostError("timeout" if isinstance(reason, TimeoutError) else "connect", f"{o}: {reason}") from None
    if len(body) > MAX_BYTES:
        raise HostError("too_large", f"the response from {o} is larger than {MAX_BYTES} bytes")
    headers = {name.title(): resp.headers.get_all(name) for name in resp.headers}
    return {"status": resp.status, "headers": headers, "body": body.decode("utf-8", "replace")}


@host_fn
def http_request(req):
    resp, path = fetch(req), urlsplit(req["url"]).path
    if req["method"] == "GET" and resp["status"] == 200 and (path.endswith("/.well-known/openid-configuration")
                                                             or path.startswith("/.well-known/oauth-authorization-server")):
        doc = json.loads(resp["body"])
        for field, value in doc.items() if isinstance(doc, dict) else ():
            if isinstance(value, str) and (field in ("issuer", "jwks_uri") or field.endswith("_endpoint")):
                try:
                    ALLOWED.add(origin(value))
                except ValueError:
                    pass
    return resp


@host_fn
def open_browser(req):  # in the background: a BROWSER command may exit only once the sign-in is over
    def run():
        if not webbrowser.open(req["url"]):
            print("Could not open a browser; open the URL above yourself.", file=sys.stderr)
    threading.Thread(target=run, daemon=True).start()
    return {"opened": True}


@host_fn
def notify(req):
    print(("warning: " if req.get("level") == "warn" else "") + req["message"], file=sys.stderr)
    return {}


@host_fn
def prompt(req):  # stdout may be carrying a token to a pipe: ask on stderr
    if req.get("secret"):
        return {"value": getpass.getpass(req["message"] + " ")}
    print(req["message"], end=" ", file=sys.stderr, flush=True)
    return {"value": sys.stdin.readline().rstrip("\n")}


@host_fn
def secret_get(req):
    value = keyring.get_password(SERVICE, req["key"])
    return {"found": value is not None, "value": value or ""}


@host_fn
def secret_set(req):
    keyring.set_password(SERVICE, req["key"], req["value"])
    return {}


@host_fn
def secret_delete(req):
    try:
        keyring.delete_password(SERVICE, req["key"])
    except keyring.errors.PasswordDeleteError:
        pass  # already gone
    return {}


def load():
    return extism.Plugin(Path(WASM).read_bytes(), wasi=True)  # WASI: the plugin's clock and randomness


def call(plugin, export, payload):
    reply = json.loads(bytes(plugin.call(export, json.dumps(payload))))
    if "error" in reply:
        raise FlowError(f"{reply['error']['code']}: {reply['error']['message']}")
    return reply["ok"]


def origins(profile, save=False):  # the allowlist lives beside the tokens, out of the plugin's reach
    if save:
        for name in (profile, "(default)"):
            keyring.set_password(SERVICE + "/origins", name, json.dumps(sorted(ALLOWED)))
    ALLOWED.update(json.loads(keyring.get_password(SERVICE + "/origins", profile or "(default)") or "[]"))


def login(args):
    try:
        ALLOWED.add(origin(args.issuer))
    except ValueError as e:
        raise FlowError(f"bad_input: --issuer: {e}")
    got, answered, box = threading.Event(), threading.Event(), {}

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if urlsplit(self.path).path != "/callback" or got.is_set():
                return self.send_error(404)
            box["url"] = f"http://127.0.0.1:{server.server_port}{self.path}"
            got.set()
            answered.wait(60)
            title, text = box.get("page", ("Sign-in failed", "Return to the terminal for details."))
            page = f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    plugin = load()
    provider = {"issuer": args.issuer, "client_id": args.client_id, "scopes": args.scopes}
    begun = call(plugin, "login_begin", {"provider": provider, "open_browser": True,
                                         "redirect_uri": f"http://127.0.0.1:{server.server_port}/callback"})
    print("Waiting for the browser to come back ...", file=sys.stderr)
    if not got.wait(args.timeout):
        raise FlowError("timeout: the browser did not come back; run login again")
    try:
        session = call(plugin, "login_complete", {"flow_id": begun["flow_id"], "callback_url": box["url"]})
        box["page"] = ("Signed in", "You can close this tab and return to the terminal.")
    except FlowError as e:
        box["page"] = ("Sign-in failed", f"{e}. Return to the terminal.")
        raise
    finally:
        answered.set()
        server.shutdown()  # returns once the page is sent
    origins(session["profile"], save=True)
    print(f"Signed in as {session.get('subject', '?')} (profile {session['profile']}).", file=sys.stderr)


def token(args):
    origins(args.profile)
    print(call(load(), "token", {"profile": args.profile})["access_token"])


def main(argv=None):
    global SERVICE
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--service", default=SERVICE, help="keyring service name")
    sub = p.add_subparsers(required=True)
    s = sub.add_parser("login", help="sign in with the browser")
    s.add_argument("--issuer", required=True)
    s.add_argument("--client-id", required=True)
    s.add_argument("--scopes", nargs="*", help="default: openid, and offline_access if the server has it")
    s.add_argument("--timeout", type=float, default=300, help="seconds to wait for the browser")
    s.set_defaults(run=login)
    s = sub.add_parser("token", help="print a valid access token, refreshed when needed")
    s.add_argument("--profile", default="", help="default: the last one signed in")
    s.set_defaults(run=token)
    args = p.parse_args(argv)
    SERVICE = args.service
    try:
        args.run(args)
    except FlowError as e:
        sys.exit(f"wasmlogin: {e}")
    except keyring.errors.KeyringError as e:
        sys.exit(f"wasmlogin: storage_unavailable: {e}")


if __name__ == "__main__":
    main()
