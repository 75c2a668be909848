"""OAuth 2 / OpenID Connect sign-in for a Python CLI; the flow itself runs in plugin.wasm.
The plugin does discovery, PKCE, state, nonce, the code exchange, ID token checks and refresh; this host lends
it wit/flow.wit's seven functions (HTTP, browser, messages, keyring) and a loopback listener."""
import argparse, contextlib, getpass, http.server, ipaddress, json, os, re, sys, threading, typing
import urllib.request, webbrowser
from pathlib import Path
from urllib.parse import urlsplit

import extism, keyring

WASM = os.environ.get("WASMLOGIN_WASM", Path(__file__).resolve().parents[2] / "host/internal/wasm/plugin.wasm")
SERVICE = os.environ.get("WASMLOGIN_SERVICE", "wasmlogin-py")  # keyring service name
TIMEOUT, MAX_BYTES = 30.0, 1 << 20
ALLOWED = set()  # origins the plugin may reach: the issuer's, then those its discovery document names
DISCOVERY = re.compile(r"/\.well-known/openid-configuration$|^/\.well-known/oauth-authorization-server")
JSON = typing.Annotated[dict, extism.Json]

class FlowError(Exception):  # FlowError(code, message): an {"error"} reply, from an export or a host function
    __str__ = lambda self: ": ".join(self.args)

def origin(url):  # "scheme://host[:port]" for https, or plain http to loopback, without credentials; else None
    with contextlib.suppress(ValueError):  # plain http to a name (not an IP address), a bad port
        u = urlsplit(url)
        host, port = u.hostname or "", u.port
        if host and u.username is None and (u.scheme == "https" or u.scheme == "http" and (
                host == "localhost" or ipaddress.ip_address(host).is_loopback)):
            port = "" if port in (None, {"https": 443, "http": 80}[u.scheme]) else f":{port}"
            return f"{u.scheme}://{f'[{host}]' if ':' in host else host}{port}"

def host_fn(f):  # registers f(payload) -> value (None for {}) as an Extism host function: {"ok"} or {"error"}
    def reply(req: JSON) -> JSON:
        try:
            return {"ok": f(req) or {}}
        except FlowError as e:
            return {"error": {"code": e.args[0], "message": e.args[1]}}
        except Exception as e:  # keyring backends, terminals, ...
            return {"error": {"code": "unavailable", "message": f"{f.__name__}: {type(e).__name__}: {e}"}}
    extism.host_fn(name=f.__name__)(reply)  # namespace extism:host/user; every Plugin made later gets it
    return reply

class AsIs(urllib.request.HTTPErrorProcessor):  # every status is an answer: no HTTPError, no redirect followed
    http_response = https_response = lambda self, request, response: response

def fetch(req):
    if (o := origin(req["url"])) not in ALLOWED:
        raise FlowError("disallowed_host", f"refusing {o or 'a URL that is not https (or http to loopback)'}: "
                        "neither the issuer nor named in its discovery document")
    if req["method"] not in ("GET", "POST"):
        raise FlowError("denied", f"only GET and POST, not {req['method']!r}")
    headers = {name: ", ".join(values) for name, values in (req.get("headers") or {}).items()} | {"User-Agent": "wasmlogin-py"}
    r = urllib.request.Request(req["url"], (req.get("body") or "").encode() or None, headers, method=req["method"])
    try:
        with urllib.request.build_opener(AsIs).open(r, timeout=TIMEOUT) as resp:  # timeout: per socket operation
            body = resp.read(MAX_BYTES + 1)
    except OSError as e:  # URLError, TimeoutError, ConnectionError
        reason = getattr(e, "reason", e)
        raise FlowError("timeout" if isinstance(reason, TimeoutError) else "connect", f"{o}: {reason}") from None
    if len(body) > MAX_BYTES:
        raise FlowError("too_large", f"the response from {o} is larger than {MAX_BYTES} bytes")
    headers = {name.title(): resp.headers.get_all(name) for name in resp.headers}
    return {"status": resp.status, "headers": headers, "body": body.decode("utf-8", "replace")}

@host_fn
def http_request(req):
    resp = fetch(req)
    if req["method"] == "GET" and resp["status"] == 200 and DISCOVERY.search(urlsplit(req["url"]).path):
        with contextlib.suppress(ValueError, AttributeError):  # not a JSON object: nothing to learn
            ALLOWED.update(o for field, value in json.loads(resp["body"]).items() if isinstance(value, str)
                           and (field in ("issuer", "jwks_uri") or field.endswith("_endpoint")) and (o := origin(value)))
    return resp

@host_fn
def open_browser(req):  # on a thread: Python waits for a BROWSER command, which ends only after the callback
    def run():
        if not webbrowser.open(req["url"]):
            print("Could not open a browser; open the URL above yourself.", file=sys.stderr)
    threading.Thread(target=run, daemon=True).start()
    return {"opened": True}

@host_fn
def notify(req):
    print(("warning: " if req.get("level") == "warn" else "") + req["message"], file=sys.stderr)

@host_fn
def prompt(req):  # on stderr: stdout may be carrying a token to a pipe
    print(req["message"], end=" ", file=sys.stderr, flush=True)
    return {"value": getpass.getpass("") if req.get("secret") else sys.stdin.readline().rstrip("\n")}

@host_fn
def secret_get(req):
    value = keyring.get_password(SERVICE, req["key"])
    return {"found": value is not None, "value": value or ""}

@host_fn
def secret_set(req):
    keyring.set_password(SERVICE, req["key"], req["value"])

@host_fn
def secret_delete(req):
    with contextlib.suppress(keyring.errors.PasswordDeleteError):  # already gone
        keyring.delete_password(SERVICE, req["key"])

def load():
    return extism.Plugin(Path(WASM).read_bytes(), wasi=True)  # WASI: the plugin's clock and randomness

def call(plugin, export, payload):
    reply = json.loads(bytes(plugin.call(export, json.dumps(payload))))
    if "error" in reply:
        raise FlowError(reply["error"]["code"], reply["error"]["message"])
    return reply["ok"]

def origins(profile, save=False):  # the allowlist lives beside the tokens, out of the plugin's reach
    for name in (profile, "(default)") if save else ():
        keyring.set_password(SERVICE + "/origins", name, json.dumps(sorted(ALLOWED)))
    ALLOWED.update(json.loads(keyring.get_password(SERVICE + "/origins", profile or "(default)") or "[]"))

def login(args):
    if not (issuer := origin(args.issuer)):
        raise FlowError("bad_input", "--issuer must be an https URL (or http to loopback) without credentials")
    ALLOWED.add(issuer)
    plugin, done = load(), []

    class Callback(http.server.BaseHTTPRequestHandler):
        # send_error sends any status with this page, its title and text HTML-escaped.
        error_message_format = "<!doctype html><title>%(message)s</title><h1>%(message)s</h1><p>%(explain)s</p>"
        log_message = lambda *args: None

        def do_GET(self):  # the first GET /callback completes the sign-in; then the server closes
            if urlsplit(self.path).path != "/callback":
                return self.send_error(404)
            try:
                done.append(call(plugin, "login_complete", {"flow_id": begun["flow_id"],
                                                            "callback_url": f"http://127.0.0.1:{port}{self.path}"}))
                self.send_error(200, "Signed in", "You can close this tab and return to the terminal.")
            except FlowError as e:
                done.append(e)
                self.send_error(200, "Sign-in failed", f"{e}. Return to the terminal.")

    with http.server.HTTPServer(("127.0.0.1", 0), Callback) as server:
        port, provider = server.server_port, {"issuer": args.issuer, "client_id": args.client_id, "scopes": args.scopes}
        begun = call(plugin, "login_begin", {"provider": provider, "open_browser": True,
                                             "redirect_uri": f"http://127.0.0.1:{port}/callback"})
        print("Waiting for the browser to come back ...", file=sys.stderr)
        server.timeout = args.timeout  # for each request; then handle_timeout
        server.handle_timeout = lambda: done.append(FlowError("timeout", "the browser did not come back; run login again"))
        while not done:
            server.handle_request()
    if isinstance(done[0], FlowError):
        raise done[0]
    origins(done[0]["profile"], save=True)
    print(f"Signed in as {done[0].get('subject', '?')} (profile {done[0]['profile']}).", file=sys.stderr)

def token(args):
    origins(args.profile)
    print(call(load(), "token", {"profile": args.profile})["access_token"])

def main(argv=None):
    global SERVICE
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--service", default=SERVICE, help="keyring service name")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("login", help="sign in with the browser")
    s.add_argument("--issuer", required=True)
    s.add_argument("--client-id", required=True)
    s.add_argument("--scopes", nargs="*", help="default: openid, and offline_access if the server has it")
    s.add_argument("--timeout", type=float, default=300, help="seconds to wait for the browser")
    sub.add_parser("token", help="print a valid access token, refreshed when needed").add_argument(
        "--profile", default="", help="default: the last one signed in")
    args = p.parse_args(argv)
    SERVICE = args.service
    try:
        {"login": login, "token": token}[args.command](args)
    except FlowError as e:
        sys.exit(f"wasmlogin: {e}")
    except keyring.errors.KeyringError as e:
        sys.exit(f"wasmlogin: storage_unavailable: {e}")

if __name__ == "__main__":
    main()
