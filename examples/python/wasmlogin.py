"""OAuth 2 / OpenID Connect sign-in for a Python CLI; the flow itself runs in plugin.wasm.
The plugin does discovery, PKCE, state, nonce, the code exchange, ID token checks and refresh; this host lends
it wit/flow.wit's nine functions (HTTP, browser, messages, keyring, signature checks, signing, refused here) and a loopback listener,
and keeps the sandbox's rules: which origins it may reach, which URLs it may open, which secrets it may touch."""
import argparse, contextlib, getpass, hashlib, http.server, ipaddress, json, os, re, sys, threading, time, typing
import urllib.request, webbrowser
from pathlib import Path
from urllib.parse import urlsplit

import extism, keyring

from signatures import BadInput, verify_signature as verify

WASM = os.environ.get("WASMLOGIN_WASM", Path(__file__).resolve().parents[2] / "host/internal/wasm/plugin.wasm")
SERVICE = os.environ.get("WASMLOGIN_SERVICE", "wasmlogin-py")  # keyring service name
# This host's own folder: the profile locks.
CONFIG = Path(os.environ.get("WASMLOGIN_PY_CONFIG_DIR") or
              Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "wasmlogin-py")
TIMEOUT, MAX_BYTES = 30.0, 1 << 20  # per HTTP request (seconds), per response body
# The guest's bounds, as the Go host's (host/engine/runtime.go): 64 MiB of memory (in 64 KiB pages) and two
# minutes per call, HTTP inside it included (seconds).
MAX_MEMORY_PAGES, CALL_TIMEOUT = 1024, 120.0
ISSUER = None  # the configured issuer, whose discovery documents alone may widen ALLOWED
ALLOWED = set()  # origins the plugin may reach: the issuer's, then its endpoints' (learn_origins)
GRANT = set()  # the profiles whose secrets the plugin may touch
JSON = typing.Annotated[typing.Any, extism.Json]

class FlowError(Exception):  # FlowError(code, message): an {"error"} reply, from an export or a host function
    __str__ = lambda self: ": ".join(self.args)

class PluginFailure(Exception):  # the plugin gave no answer: a trap, its memory cap, the call timeout
    pass

def origin(url):  # "scheme://host[:port]" for https, or plain http to loopback, without credentials; else None
    with contextlib.suppress(ValueError):  # plain http to a name (not an IP address), a bad port
        u = urlsplit(url if isinstance(url, str) else "")
        host, port = u.hostname or "", u.port
        if host and u.username is None and (u.scheme == "https" or u.scheme == "http" and (
                host == "localhost" or ipaddress.ip_address(host).is_loopback)):
            port = "" if port in (None, {"https": 443, "http": 80}[u.scheme]) else f":{port}"
            return f"{u.scheme}://{f'[{host}]' if ':' in host else host}{port}"

def host_fn(f):  # registers f(payload) -> value (None for {}) as an Extism host function: {"ok"} or {"error"}
    def reply(req: JSON) -> JSON:
        try:
            if not isinstance(req, dict):
                raise FlowError("bad_input", "the payload is not a JSON object")
            return {"ok": f(req) or {}}
        except FlowError as e:
            return {"error": {"code": e.args[0], "message": e.args[1]}}
        except BadInput as e:
            return {"error": {"code": e.code, "message": str(e)}}
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

def discovery_urls(issuer):
    """Where the plugin looks up the issuer's metadata: OpenID Connect Discovery 1.0 section 4 (the issuer, then
    the well-known path) and RFC 8414 section 3.1 (the well-known path between origin and issuer path)."""
    return (issuer.removesuffix("/") + "/.well-known/openid-configuration",
            origin(issuer) + "/.well-known/oauth-authorization-server" + urlsplit(issuer).path.removesuffix("/"))

# The metadata fields (RFC 8414 2, OIDC Discovery 3, RFC 9126 5) that name where the plugin sends requests.
ENDPOINT_FIELDS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "revocation_endpoint",
                   "device_authorization_endpoint", "pushed_authorization_request_endpoint")

def learn_origins(req, resp):
    """Widens ALLOWED, as nothing else does: only from the issuer's own metadata, fetched from one of its discovery
    URLs, that names the issuer exactly (RFC 8414 3.3), and only by the endpoints the plugin uses."""
    if not ISSUER or req["method"] != "GET" or resp["status"] != 200 or req["url"] not in discovery_urls(ISSUER):
        return
    with contextlib.suppress(ValueError):
        doc = json.loads(resp["body"])
        if isinstance(doc, dict) and doc.get("issuer") == ISSUER:
            ALLOWED.update(o for field in ENDPOINT_FIELDS if (o := origin(doc.get(field))))

@host_fn
def http_request(req):
    resp = fetch(req)
    learn_origins(req, resp)
    return resp

def browser_url(url):
    """Refuses what a browser opener must never be handed: anything but https (or http on loopback), a URL with
    spaces or control characters (which a shell or opener could split), or a word an opener would take as an
    option. A hostile guest chooses this string."""
    if not isinstance(url, str) or not re.match(r"https?://", url, re.I) or re.search(r"[\s\x00-\x1f\x7f-\x9f]", url) \
            or not origin(url):
        raise FlowError("denied", "the host opens only https URLs (or http on loopback) without spaces or control characters")
    return url

@host_fn
def open_browser(req):  # on a thread: Python waits for a BROWSER command, which ends only after the callback
    url = browser_url(req.get("url"))
    def run():
        if not webbrowser.open(url):
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

def may_use_secret(op, key, value=None):
    """The secret store's scope: an instance sees only the records of the profiles in GRANT (`profile/<p>`,
    `served/<p>`) and `default-profile`, which it may read, and set or delete only when the value it writes, or
    the one it removes, names a granted profile."""
    if m := re.fullmatch(r"(profile|served)/(.*)", key, re.S):
        return m[2] in GRANT
    if key != "default-profile":
        return False
    if op == "delete":
        value = keyring.get_password(SERVICE, key)
    return op == "get" or isinstance(value, str) and value in GRANT or op == "delete" and value is None

def scoped(op, req):  # the key, once may_use_secret allows it
    key = req.get("key")
    if not isinstance(key, str) or not may_use_secret(op, key, req.get("value")):
        raise FlowError("denied", f"this instance may not {op} the secret {key!r}: it serves only {', '.join(GRANT)}")
    return key

@host_fn
def secret_get(req):
    value = keyring.get_password(SERVICE, scoped("get", req))
    return {"found": value is not None, "value": value or ""}

@host_fn
def secret_set(req):
    keyring.set_password(SERVICE, scoped("set", req), req["value"])

@host_fn
def secret_delete(req):
    with contextlib.suppress(keyring.errors.PasswordDeleteError):  # already gone
        keyring.delete_password(SERVICE, scoped("delete", req))

@host_fn
def verify_signature(req):  # signatures.py; `verify` is looked up at each call, so a test can play a lying host
    return verify(req)

@host_fn
def sign(req):  # crypto.sign: this host keeps no private keys, so private_key_jwt is not offered
    raise FlowError("unavailable", "this host holds no private keys to sign with")

def load():
    """A fresh instance of the plugin. WASI gives it the real clock and randomness (and nothing else: no files, no
    environment). The manifest's limits are enforced by the Extism runtime (Wasmtime) inside extism-sys:
    memory.max_pages caps the guest's memory, so growing past it fails the call ("oom"); timeout_ms stops a call
    that runs longer ("timeout"). Both leave this process running."""
    manifest = {"wasm": [{"path": str(WASM)}], "memory": {"max_pages": MAX_MEMORY_PAGES},
                "timeout_ms": round(CALL_TIMEOUT * 1000)}
    return extism.Plugin(manifest, wasi=True)

def call(plugin, export, payload):
    try:
        out = plugin.call(export, json.dumps(payload))
    except extism.Error as e:
        why = f"it ran longer than {CALL_TIMEOUT:g} s" if str(e) == "timeout" else \
            f"it needed more than {MAX_MEMORY_PAGES * 64 // 1024} MiB of memory" if str(e) == "oom" else str(e)
        raise PluginFailure(f"the flow plugin failed in {export}: {why}; try again, and report it if it happens again") from None
    reply = json.loads(bytes(out))
    if "error" in reply:
        raise FlowError(reply["error"]["code"], reply["error"]["message"])
    return reply["ok"]

def origins(profile, save=False):  # the allowlist lives beside the tokens, out of the plugin's reach
    if save:
        keyring.set_password(SERVICE + "/origins", profile, json.dumps(sorted(ALLOWED)))
    ALLOWED.update(json.loads(keyring.get_password(SERVICE + "/origins", profile) or "[]"))

def profile_name(issuer, client_id):
    """What a sign-in without --profile is called: the plugin's own rule (issuer host and path, then the client),
    applied here so that the host, not the guest, decides which profile an instance may write."""
    u = urlsplit(issuer)
    return u.netloc + u.path.removesuffix("/") + "#" + client_id

@contextlib.contextmanager
def profile_lock(profile, wait=120.0):
    """Holds the profile's lock, shared with every process using CONFIG: an exclusive flock(2) on
    locks/<first 16 hex digits of sha256(profile)>.lock, the protocol of the Go CLI (host/profiles/lock.go). Two
    processes refreshing with one rotating refresh token would make the server revoke the session (RFC 9700
    4.14.2); with the lock the second finds the first one's token. Polled, so a stuck holder is reported."""
    import fcntl  # POSIX only
    path = CONFIG / "locks" / (hashlib.sha256(profile.encode()).hexdigest()[:16] + ".lock")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "rb") as f:  # closing releases the lock
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise FlowError("timeout", f"another wasmlogin process holds {path} and did not finish "
                                               f"within {wait:.0f} s; try again") from None
                time.sleep(0.01)
        yield

def login(args):
    global ISSUER
    if not (issuer := origin(args.issuer)):
        raise FlowError("bad_input", "--issuer must be an https URL (or http to loopback) without credentials")
    ISSUER, profile = args.issuer, args.profile or profile_name(args.issuer, args.client_id)
    ALLOWED.add(issuer)
    GRANT.add(profile)
    plugin, done = load(), []

    class Callback(http.server.BaseHTTPRequestHandler):
        # send_error sends any status with this page, its title and text HTML-escaped.
        error_message_format = "<!doctype html><title>%(message)s</title><h1>%(message)s</h1><p>%(explain)s</p>"
        log_message = lambda *args: None

        def do_GET(self):
            """Every GET /callback goes to login_complete, one at a time (the server handles one request at a time).
            Any local process can send one, so callback_rejected means "not this login's": the plugin keeps the
            login pending, the sender gets a 400 page and the listener keeps waiting. Any other answer ends the
            login, and the listener with it."""
            if urlsplit(self.path).path != "/callback":
                return self.send_error(404)
            try:
                done.append(call(plugin, "login_complete", {"flow_id": begun["flow_id"],
                                                            "callback_url": f"http://127.0.0.1:{port}{self.path}"}))
                self.send_error(200, "Signed in", "You can close this tab and return to the terminal.")
            except FlowError as e:
                if e.args[0] == "callback_rejected":
                    print(f"Ignored a redirect that is not this sign-in's: {e.args[1]}\n"
                          f"Still waiting for the browser to come back to {redirect_uri} ...", file=sys.stderr)
                    return self.send_error(400, "Not this sign-in", f"{e.args[1]}. The terminal is still waiting "
                                                                    "for the sign-in it started.")
                done.append(e)
                self.send_error(400, "Sign-in failed", f"{e}. Return to the terminal.")
            except PluginFailure as e:
                done.append(e)
                self.send_error(500, "Sign-in failed", f"{e}. Return to the terminal.")

    with http.server.HTTPServer(("127.0.0.1", 0), Callback) as server:
        port, provider = server.server_port, {"issuer": args.issuer, "client_id": args.client_id, "scopes": args.scopes}
        redirect_uri = f"http://127.0.0.1:{port}/callback"
        begun = call(plugin, "login_begin", {"profile": profile, "provider": provider, "open_browser": True,
                                             "redirect_uri": redirect_uri})
        print("Waiting for the browser to come back ...", file=sys.stderr)
        # One deadline for the whole wait, however many stray requests arrive before the browser's own.
        deadline = time.monotonic() + args.timeout
        server.handle_timeout = lambda: done.append(FlowError("timeout", "the browser did not come back; run login again"))
        while not done:
            server.timeout = max(0.0, deadline - time.monotonic())  # for this request; then handle_timeout
            server.handle_request()
    if isinstance(done[0], Exception):
        raise done[0]
    origins(profile, save=True)
    print(f"Signed in as {done[0].get('subject', '?')} (profile {profile}).", file=sys.stderr)

def token(args):  # holds the profile's lock around the token call, which reads the sign-in and may refresh it
    if not (profile := args.profile or keyring.get_password(SERVICE, "default-profile")):
        raise FlowError("login_required", "nobody is signed in; run login first")
    GRANT.add(profile)
    origins(profile)
    plugin = load()
    with profile_lock(profile):
        print(call(plugin, "token", {"profile": profile, "force_refresh": args.force_refresh})["access_token"])

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
    s.add_argument("--profile", help="default: issuer host and path, '#', client id")
    s = sub.add_parser("token", help="print a valid access token, refreshed when needed")
    s.add_argument("--profile", default="", help="default: the last one signed in")
    s.add_argument("--force-refresh", action="store_true", help="refresh even if the token is still valid")
    args = p.parse_args(argv)
    SERVICE = args.service
    try:
        {"login": login, "token": token}[args.command](args)
    except (FlowError, PluginFailure) as e:
        sys.exit(f"wasmlogin: {e}")
    except keyring.errors.KeyringError as e:
        sys.exit(f"wasmlogin: storage_unavailable: {e}")

if __name__ == "__main__":
    main()
