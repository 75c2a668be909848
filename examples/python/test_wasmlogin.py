"""End-to-end tests of the Python host against the project's real test provider.

Run inside a D-Bus session with an unlocked gnome-keyring (see README.md):
the tokens go to a real Secret Service. Without one the sign-in tests are
skipped, or fail when CI=true.
"""
import http.server, json, os, socket, subprocess, sys, threading, time, uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import keyring, keyring.backends.SecretService, pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import wasmlogin  # noqa: E402

SERVICE = f"wasmlogin-py-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def secret_service():
    problem = None
    backend = keyring.get_keyring()
    if not isinstance(backend, keyring.backends.SecretService.Keyring):
        problem = f"keyring chose {backend!r}, not the Secret Service"
    else:
        try:
            keyring.set_password(SERVICE, "probe", "x")
            assert keyring.get_password(SERVICE, "probe") == "x"
            keyring.delete_password(SERVICE, "probe")
        except Exception as e:
            problem = f"the Secret Service does not work: {e!r}"
    if problem:
        msg = problem + "; run inside dbus-run-session with gnome-keyring-daemon unlocked (see README.md)"
        pytest.fail(msg) if os.environ.get("CI") == "true" else pytest.skip(msg)


@pytest.fixture(scope="module")
def op(tmp_path_factory, secret_service):
    bin_dir = tmp_path_factory.mktemp("bin")
    for cmd in ("opserver", "autobrowser"):
        subprocess.run(["go", "build", "-o", str(bin_dir / cmd), f"./internal/testop/cmd/{cmd}"], cwd=ROOT, check=True)
    proc = subprocess.Popen([bin_dir / "opserver"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    info = json.loads(proc.stdout.readline())
    log = tmp_path_factory.mktemp("log") / "urls"
    env = dict(os.environ, BROWSER=str(bin_dir / "autobrowser"), AUTOBROWSER_LOG=str(log),
               TESTOP_USERNAME=info["username"], TESTOP_PASSWORD=info["password"], WASMLOGIN_SERVICE=SERVICE)
    yield dict(info, env=env, log=log)
    proc.stdin.close()  # the OP serves until its stdin closes
    proc.wait(10)
    for service, key in [(SERVICE, "default-profile"), (SERVICE + "/origins", "(default)")] + [
            (SERVICE, "profile/" + p) for p in profiles] + [(SERVICE + "/origins", p) for p in profiles]:
        try:
            keyring.delete_password(service, key)
        except keyring.errors.PasswordDeleteError:
            pass


profiles = set()


def cli(op, *args, env=None, ok=True):
    r = subprocess.run([sys.executable, str(HERE / "wasmlogin.py"), *args], env=env or op["env"],
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode == 0) == ok, f"wasmlogin.py {' '.join(args)} exited {r.returncode}:\n{r.stderr}"
    return r


def login(op):
    r = cli(op, "login", "--issuer", op["issuer"], "--client-id", op["native_client_id"], "--timeout", "30")
    profiles.add(r.stderr.rsplit("(profile ", 1)[1].split(")")[0])
    return r


def test_login_then_token_twice(op):
    assert "Signed in as" in login(op).stderr
    first = cli(op, "token").stdout.strip()
    second = cli(op, "token").stdout.strip()
    assert first and first == second  # the second came from the keyring, not a new exchange


def test_each_run_has_fresh_state_nonce_and_pkce(op):
    login(op)
    login(op)
    urls = op["log"].read_text().split()
    params = [parse_qs(urlsplit(u).query) for u in urls[-2:]]
    for name in ("state", "nonce", "code_challenge"):
        a, b = (p[name][0] for p in params)
        assert a != b, f"two runs sent the same {name}: the guest's randomness is not real"


REFUSER = """#!{python}
# A browser whose user declined: back to redirect_uri with an error, keeping the page it got.
import os, sys, urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit
q = parse_qs(urlsplit(sys.argv[-1]).query)
back = q["redirect_uri"][0] + "?" + urlencode({{"state": q["state"][0], "iss": os.environ["ISSUER"],
    "error": "access_denied", "error_description": "<b>no</b> & bye"}})
with urllib.request.urlopen(back) as r, open(os.environ["PAGE"], "wb") as f:
    f.write(r.read())
"""


def test_refused_sign_in_answers_an_escaped_page(op, tmp_path):
    browser, page = tmp_path / "refuser", tmp_path / "page.html"
    browser.write_text(REFUSER.format(python=sys.executable))
    browser.chmod(0o755)
    env = dict(op["env"], BROWSER=str(browser), ISSUER=op["issuer"], PAGE=str(page))
    r = cli(op, "login", "--issuer", op["issuer"], "--client-id", op["native_client_id"], env=env, ok=False)
    assert "server_error" in r.stderr and "access_denied" in r.stderr
    html = page.read_text()
    assert "Sign-in failed" in html and "&lt;b&gt;no&lt;/b&gt; &amp; bye" in html and "<b>" not in html


def test_guest_clock_is_the_real_clock(op, monkeypatch):
    login(op)
    seen, fetch = [], wasmlogin.fetch

    def spy(req):
        resp = fetch(req)
        if req["method"] == "POST":
            seen.append((time.time(), json.loads(resp["body"])))
        return resp
    monkeypatch.setattr(wasmlogin, "SERVICE", SERVICE)
    monkeypatch.setattr(wasmlogin, "fetch", spy)
    monkeypatch.setattr(wasmlogin, "ALLOWED", set())
    wasmlogin.origins("")
    result = wasmlogin.call(wasmlogin.load(), "token", {"force_refresh": True})
    (now, body), = seen
    assert body["expires_in"] > 0
    assert abs(result["expires_at"] - body["expires_in"] - now) <= 1, "the guest's clock is not the host's"


# ---- http_request's policy, without the plugin ----

class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/.well-known/openid-configuration":
            body = json.dumps({"issuer": base, "token_endpoint": f"http://localhost:{self.server.server_port}/t",
                               "service_documentation": "https://docs.example/"}).encode()
        elif self.path == "/slow":
            time.sleep(2)
            body = b""
        else:
            body = b"x" * {"/big": (1 << 20) + 1, "/limit": 1 << 20}.get(self.path, 2)
        self.send_response(302 if self.path == "/redirect" else 200)
        if self.path == "/redirect":
            self.send_header("Location", base + "/elsewhere")
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setattr(wasmlogin, "ALLOWED", {base})
    monkeypatch.setattr(wasmlogin, "TIMEOUT", 0.5)
    yield base
    server.shutdown()


def get(url):
    return wasmlogin.http_request({"method": "GET", "url": url})


def test_http_request_policy(site):
    port = urlsplit(site).port
    assert get("https://example.com/")["error"]["code"] == "disallowed_host"
    assert get("http://example.com/")["error"]["code"] == "disallowed_host"  # plain http off loopback
    assert get(f"http://localhost:{port}/t")["error"]["code"] == "disallowed_host"
    ok = get(site + "/.well-known/openid-configuration")["ok"]
    assert ok["status"] == 200 and ok["headers"]["Set-Cookie"] == ["a=1", "b=2"] and "Content-Length" in ok["headers"]
    assert wasmlogin.ALLOWED == {site, f"http://localhost:{port}"}  # learned the endpoint, not the docs
    assert get(f"http://localhost:{port}/t")["ok"]["body"] == "xx"
    redirect = get(site + "/redirect")["ok"]
    assert redirect["status"] == 302 and redirect["headers"]["Location"] == [site + "/elsewhere"]
    assert len(get(site + "/limit")["ok"]["body"]) == 1 << 20
    assert get(site + "/big")["error"]["code"] == "too_large"
    assert get(site + "/slow")["error"]["code"] == "timeout"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    wasmlogin.ALLOWED.add(closed)
    assert get(closed + "/")["error"]["code"] == "connect"
