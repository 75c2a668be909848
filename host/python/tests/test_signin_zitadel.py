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
               TESTOP_USERNAME=info["username"], TESTOP_PASSWORD=info["password"], WASMLOGIN_SERVICE=SERVICE,
               WASMLOGIN_PY_CONFIG_DIR=str(tmp_path_factory.mktemp("config")))
    yield dict(info, env=env, log=log)
    proc.stdin.close()  # the OP serves until its stdin closes
    proc.wait(10)
    for service, key in [(SERVICE, "default-profile")] + [(SERVICE, f"{kind}/{p}") for p in profiles for kind in (
            "profile", "served")] + [(SERVICE + "/origins", p) for p in profiles]:
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


def login(op, *args):
    r = cli(op, "login", "--issuer", op["issuer"], "--client-id", op["native_client_id"], "--timeout", "30", *args)
    profiles.add(r.stderr.rsplit("(profile ", 1)[1].split(")")[0])
    return r


@pytest.fixture
def in_process(op, monkeypatch):
    """This host's module in the test process, with the test's keyring service; scope(profile) gives it the
    scope `token` would: that profile alone, and the origins saved at its sign-in."""
    monkeypatch.setattr(wasmlogin, "SERVICE", SERVICE)

    def scope(profile):
        monkeypatch.setattr(wasmlogin, "GRANT", {profile})
        monkeypatch.setattr(wasmlogin, "ALLOWED", set())
        wasmlogin.origins(profile)
    return scope


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
# A browser whose user declined: back to redirect_uri with an error, keeping the page it got (a 400).
import os, sys, urllib.error, urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit
q = parse_qs(urlsplit(sys.argv[-1]).query)
back = q["redirect_uri"][0] + "?" + urlencode({{"state": q["state"][0], "iss": os.environ["ISSUER"],
    "error": "access_denied", "error_description": "<b>no</b> & bye"}})
try:
    r = urllib.request.urlopen(back)
except urllib.error.HTTPError as e:
    r = e
with open(os.environ["PAGE"], "wb") as f:
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


STRAY_FIRST = """#!{python}
# A local process that beats the browser to the loopback listener with a guessed code and a wrong state, then the
# real (automatic) browser. What the stray request got is written to PAGE.
import os, sys, urllib.error, urllib.request
from urllib.parse import parse_qs, urlsplit
back = parse_qs(urlsplit(sys.argv[-1]).query)["redirect_uri"][0]
try:
    r = urllib.request.urlopen(back + "?code=x&state=wrong")
except urllib.error.HTTPError as e:
    r = e
with open(os.environ["PAGE"], "w") as f:
    f.write(f"{{r.status}}\\n{{r.read().decode()}}")
os.execv(os.environ["REAL_BROWSER"], [os.environ["REAL_BROWSER"], sys.argv[-1]])
"""


def test_a_stray_callback_does_not_end_the_login(op, tmp_path):
    """The listener hands every GET /callback to login_complete. A stray one (wrong state) is callback_rejected: it
    gets a 400 page, the login stays pending, and the browser's own redirect then signs in."""
    browser, page = tmp_path / "stray-first", tmp_path / "page"
    browser.write_text(STRAY_FIRST.format(python=sys.executable))
    browser.chmod(0o755)
    env = dict(op["env"], BROWSER=str(browser), REAL_BROWSER=op["env"]["BROWSER"], PAGE=str(page))
    r = cli(op, "login", "--issuer", op["issuer"], "--client-id", op["native_client_id"], "--profile", "stray",
            "--timeout", "30", env=env)
    profiles.add("stray")
    status, html = page.read_text().split("\n", 1)
    assert status == "400" and "Not this sign-in" in html and "wrong or missing state" in html, html
    assert "Ignored a redirect that is not this sign-in's" in r.stderr and "Signed in as" in r.stderr, r.stderr
    assert cli(op, "token", "--profile", "stray", env=env).stdout.strip()


def test_guest_clock_is_the_real_clock(op, monkeypatch, in_process):
    login(op, "--profile", "clock")
    seen, fetch = [], wasmlogin.fetch

    def spy(req):
        resp = fetch(req)
        if req["method"] == "POST":
            seen.append((time.time(), json.loads(resp["body"])))
        return resp
    monkeypatch.setattr(wasmlogin, "fetch", spy)
    in_process("clock")
    result = wasmlogin.call(wasmlogin.load(), "token", {"profile": "clock", "force_refresh": True})
    (now, body), = seen
    assert body["expires_in"] > 0
    assert abs(result["expires_at"] - body["expires_in"] - now) <= 1, "the guest's clock is not the host's"


def test_an_instance_for_one_profile_cannot_read_another(op, in_process):
    login(op, "--profile", "mine")
    login(op, "--profile", "theirs")
    in_process("mine")
    plugin = wasmlogin.load()
    with pytest.raises(wasmlogin.FlowError) as e:
        wasmlogin.call(plugin, "token", {"profile": "theirs"})
    assert e.value.args[0] == "storage_unavailable" and "may not get the secret 'profile/theirs'" in e.value.args[1]
    assert wasmlogin.call(plugin, "token", {"profile": "mine"})["access_token"]


def test_concurrent_forced_refreshes_take_turns(op):
    """N processes force a refresh of one profile at once. The provider rotates refresh tokens and refuses a used
    one (invalid_grant), so all N succeed only if they take turns, each with the token the previous one stored."""
    login(op, "--profile", "busy")
    n = 4
    procs = [subprocess.Popen([sys.executable, str(HERE / "wasmlogin.py"), "token", "--profile", "busy", "--force-refresh"],
                              env=op["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(n)]
    results = [(p.communicate(timeout=120), p.returncode) for p in procs]
    for (out, err), code in results:
        assert code == 0, err
    assert len({out.strip() for (out, _), _ in results}) == n  # n refreshes, none answered twice
    assert cli(op, "token", "--profile", "busy", "--force-refresh").stdout.strip()  # the last rotation was stored


@pytest.mark.parametrize("valid", [True, False])
def test_a_host_whose_verify_signature_lies_is_caught(op, in_process, monkeypatch, valid):
    """The plugin tries the host's verify_signature on a known valid and a tampered signature before trusting it:
    a host that always answers valid, or always invalid, makes the refresh (and its ID token) fail."""
    profile = f"liar-{valid}"  # a sign-in of its own: a refused refresh may leave a rotated refresh token unstored
    login(op, "--profile", profile)
    asked = []
    monkeypatch.setattr(wasmlogin, "verify", lambda req: asked.append(req["alg"]) or {"valid": valid})
    in_process(profile)
    try:
        wasmlogin.call(wasmlogin.load(), "token", {"profile": profile, "force_refresh": True})
    except wasmlogin.FlowError as e:
        assert e.args[0] == "untrusted_host", e
        return
    assert not asked, "the plugin asked a lying host and believed it"
    msg = f"{wasmlogin.WASM} never calls verify_signature (built before interface crypto); set WASMLOGIN_WASM to a newer build"
    pytest.fail(msg) if os.environ.get("CI") == "true" else pytest.skip(msg)
