"""Sign-ins with the installed package against zitadel/oidc's example OP (internal/testop), over real loopback HTTP,
with the real plugin and a real Secret Service: the `wasmlogin` command, the Python API and the HTTP adapters."""
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

import wasmlogin
from helpers import CLI, ResourceServer, approve_device, run_cli
from wasmlogin import errors, network
from wasmlogin.context import open_store, start
from wasmlogin.sandbox import Sandbox


def login(zitadel, *args, env=None, ok=True):
    return run_cli("login", "--issuer", zitadel["issuer"], "--client-id", zitadel["native_client_id"], "--timeout", "30s",
                   *args, env=env, ok=ok)


def discovery(zitadel):
    with urllib.request.urlopen(zitadel["issuer"] + "/.well-known/openid-configuration") as r:
        return json.load(r)


def test_login_token_status_profiles_logout(zitadel, signed_in_env):
    r = login(zitadel, "--profile", "work")
    assert 'Signed in to ' + zitadel["issuer"] in r.stderr and '(profile "work")' in r.stderr, r.stderr
    first = run_cli("token").stdout.strip()
    assert first and run_cli("token").stdout.strip() == first  # the second from the store, not a new exchange
    assert run_cli("token", "--header").stdout == f"Authorization: Bearer {first}\n"
    as_json = json.loads(run_cli("token", "--json", "--profile", "work").stdout)
    assert as_json["access_token"] == first and as_json["token_type"] == "Bearer" and as_json["expires_at"] > time.time()
    status = run_cli("status").stdout
    assert "Profile:  work" in status and f"Issuer:   {zitadel['issuer']}" in status and "Refresh:  true" in status
    assert first not in status and json.loads(run_cli("status", "--json").stdout)["claims"]["sub"]
    assert run_cli("profiles").stdout == f"* work\t{zitadel['issuer']}\t{zitadel['native_client_id']}\n"
    logout = run_cli("logout")
    assert "Signed out of profile" in logout.stderr and "revoked the refresh and access tokens" in logout.stderr
    gone = run_cli("token", ok=False)
    assert gone.returncode == errors.EXIT_LOGIN_REQUIRED and "not signed in" in gone.stderr
    assert json.loads(run_cli("profiles", "--json").stdout) == []


def test_the_default_profile_and_use(zitadel, signed_in_env):
    login(zitadel, "--profile", "one")
    login(zitadel, "--profile", "two")
    assert wasmlogin.token().profile == "two"  # the last one signed in
    run_cli("use", "one")
    assert [p.name for p in wasmlogin.profiles() if p.default] == ["one"] and wasmlogin.token().profile == "one"
    r = run_cli("use", "three", ok=False)
    assert r.returncode == errors.EXIT_USAGE and "no profile 'three'" in r.stderr
    wasmlogin.logout("one")
    r = run_cli("token", ok=False)  # no default now, but a sign-in remains: say so
    assert r.returncode == errors.EXIT_LOGIN_REQUIRED and "still signed in: 'two'" in r.stderr


def test_each_run_has_fresh_state_nonce_and_pkce(zitadel, signed_in_env, tmp_path):
    env = dict(signed_in_env, AUTOBROWSER_LOG=str(tmp_path / "urls"))
    login(zitadel, env=env)
    login(zitadel, env=env)
    params = [parse_qs(urlsplit(u).query) for u in (tmp_path / "urls").read_text().split()]
    assert len(params) == 2
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


def script(path, text):
    path.write_text(text.format(python=sys.executable))
    path.chmod(0o755)
    return str(path)


def test_refused_sign_in_answers_an_escaped_page(zitadel, signed_in_env, tmp_path):
    page = tmp_path / "page.html"
    env = dict(signed_in_env, BROWSER=script(tmp_path / "refuser", REFUSER), ISSUER=zitadel["issuer"], PAGE=str(page))
    r = login(zitadel, env=env, ok=False)
    assert r.returncode == errors.EXIT_REFUSED and "server_error" in r.stderr and "access_denied" in r.stderr
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


def test_a_stray_callback_does_not_end_the_login(zitadel, signed_in_env, tmp_path):
    """The listener hands every GET on the redirect path to login_complete. A stray one (wrong state) is
    callback_rejected: it gets a 400 page, the sign-in stays pending, and the browser's own redirect then signs in."""
    page = tmp_path / "page"
    env = dict(signed_in_env, BROWSER=script(tmp_path / "stray-first", STRAY_FIRST), REAL_BROWSER=signed_in_env["BROWSER"],
               PAGE=str(page))
    r = login(zitadel, "--profile", "stray", env=env)
    status, html = page.read_text().split("\n", 1)
    assert status == "400" and "Not this sign-in" in html and "wrong or missing state" in html, html
    assert "Ignored a redirect that is not this sign-in's" in r.stderr and "Signed in to" in r.stderr, r.stderr
    assert run_cli("token", "--profile", "stray").stdout.strip()


def test_the_guests_clock_is_the_real_clock(zitadel, signed_in_env, monkeypatch):
    login(zitadel, "--profile", "clock")
    seen, fetch = [], network.fetch

    def spy(req, *args, **kwargs):
        resp = fetch(req, *args, **kwargs)
        if req["method"] == "POST":
            seen.append((time.time(), json.loads(resp["body"])))
        return resp
    monkeypatch.setattr(network, "fetch", spy)
    result = wasmlogin.token("clock", force_refresh=True)
    (now, body), = seen
    assert result.refreshed and body["expires_in"] > 0
    assert abs(result.expires_at - body["expires_in"] - now) <= 1, "the guest's clock is not the host's"


def test_an_instance_for_one_profile_cannot_read_another(zitadel, signed_in_env):
    login(zitadel, "--profile", "mine")
    login(zitadel, "--profile", "theirs")
    inst = start(open_store("keyring"), ["mine"], issuer=zitadel["issuer"], allowed=[zitadel["issuer"]])
    with pytest.raises(wasmlogin.StorageUnavailable, match="may not get the secret 'profile/theirs'"):
        inst.call("token", {"profile": "theirs"})
    assert inst.call("token", {"profile": "mine"})["access_token"]


def test_concurrent_forced_refreshes_take_turns(zitadel, signed_in_env):
    """N processes force a refresh of one profile at once. The provider rotates refresh tokens and refuses a used
    one (invalid_grant), so all N succeed only if they take turns, each with the token the previous one stored."""
    login(zitadel, "--profile", "busy")
    n = 4
    procs = [subprocess.Popen([str(CLI), "token", "--profile", "busy", "--force-refresh"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(n)]
    results = [(p.communicate(timeout=120), p.returncode) for p in procs]
    for (out, err), code in results:
        assert code == 0, err
    assert len({out.strip() for (out, _), _ in results}) == n  # n refreshes, none answered twice
    assert run_cli("token", "--profile", "busy", "--force-refresh").stdout.strip()  # the last rotation was stored


@pytest.mark.parametrize("valid", [True, False])
def test_a_host_whose_verify_signature_lies_is_caught(zitadel, signed_in_env, monkeypatch, valid):
    """The plugin tries the host's verify_signature on a known valid and a tampered signature before trusting it:
    a host that always answers valid, or always invalid, makes the refresh (and its ID token) fail."""
    profile = f"liar-{valid}"  # a sign-in of its own: a refused refresh may leave a rotated refresh token unstored
    login(zitadel, "--profile", profile)
    asked = []
    monkeypatch.setattr(Sandbox, "verify_signature", lambda self, req: asked.append(req["alg"]) or {"valid": valid})
    with pytest.raises(wasmlogin.UntrustedHost) as e:
        wasmlogin.token(profile, force_refresh=True)
    assert e.value.code == "untrusted_host" and asked


def test_device_sign_in_through_the_api(zitadel, signed_in_env):
    codes = []

    def on_code(code):
        codes.append(code)
        approve_device(zitadel, code.verification_uri, code.user_code)
    session = wasmlogin.login(zitadel["issuer"], zitadel["native_client_id"], profile="device", flow="device",
                              scopes="openid offline_access", on_device_code=on_code, ui=wasmlogin.Silent())
    assert session.profile == "device" and session.subject and session.has_refresh_token and len(codes) == 1
    tok = wasmlogin.token("device")
    with urllib.request.urlopen(urllib.request.Request(discovery(zitadel)["userinfo_endpoint"],
                                                       headers={"Authorization": tok.authorization})) as r:
        assert json.load(r)["sub"] == session.subject


def revoke(zitadel, token):
    """Revokes an access token at the OP (RFC 7009), as a server-side sign-out would: the next request with it is 401."""
    form = urllib.parse.urlencode({"token": token, "token_type_hint": "access_token",
                                   "client_id": zitadel["native_client_id"]}).encode()
    with urllib.request.urlopen(discovery(zitadel)["revocation_endpoint"], form) as r:
        assert r.status == 200


@pytest.fixture
def api(zitadel):
    server = ResourceServer(discovery(zitadel)["userinfo_endpoint"])
    yield server.url
    server.close()


def test_requests_adapter_sends_the_token_and_refreshes_once_on_401(zitadel, signed_in_env, api):
    import requests
    login(zitadel, "--profile", "api")
    userinfo = api
    r = requests.get(userinfo, auth=wasmlogin.auth(profile="api"), timeout=30)
    assert r.status_code == 200 and r.json()["sub"] and not r.history
    revoke(zitadel, wasmlogin.token("api").access_token)
    r = requests.get(userinfo, auth=wasmlogin.auth(profile="api"), timeout=30)
    assert r.status_code == 200 and [h.status_code for h in r.history] == [401], "no refresh and retry on the 401"
    assert wasmlogin.token("api").access_token == r.request.headers["Authorization"].split()[1]  # the new one, stored


def test_requests_adapter_retries_only_once(zitadel, signed_in_env):
    """A resource that refuses every token (a fault fixture: the OP's tokens are fine, this server is not) gets
    exactly two requests: the first, and one retry with a refreshed token."""
    import requests
    login(zitadel, "--profile", "refused")
    seen = []

    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers["Authorization"])
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        r = requests.get(f"http://127.0.0.1:{server.server_port}/", auth=wasmlogin.auth("refused"), timeout=30)
    finally:
        server.shutdown()
    assert r.status_code == 401 and len(seen) == 2 and seen[0] != seen[1] and all(s.startswith("Bearer ") for s in seen)


def test_httpx_adapter_sync_and_async(zitadel, signed_in_env, api):
    import anyio
    import httpx
    login(zitadel, "--profile", "hx")
    userinfo = api
    with httpx.Client(auth=wasmlogin.httpx_auth("hx")) as client:
        r = client.get(userinfo)
        assert r.status_code == 200 and r.json()["sub"]
        revoke(zitadel, wasmlogin.token("hx").access_token)
        r = client.get(userinfo)
        assert r.status_code == 200 and [h.status_code for h in r.history] == [401]

    async def async_get():
        async with httpx.AsyncClient(auth=wasmlogin.httpx_auth("hx")) as client:
            revoke(zitadel, wasmlogin.token("hx").access_token)
            return await client.get(userinfo)
    r = anyio.run(async_get)
    assert r.status_code == 200 and [h.status_code for h in r.history] == [401]


def test_the_encrypted_file_store(zitadel, signed_in_env, tmp_path):
    """--store file keeps every secret in the encrypted file, none in the keyring and none in plain text; later
    commands find the store the profile was signed in with; a wrong passphrase is exit 5."""
    env = dict(signed_in_env, WASMLOGIN_STORE_PASSPHRASE="correct horse")
    login(zitadel, "--profile", "filed", "--store", "file", env=env)
    tok = run_cli("token", "--profile", "filed", env=env).stdout.strip()
    data = (tmp_path / "config" / "secrets.enc").read_bytes()
    assert data.startswith(b"WLSTORE1") and tok.encode() not in data and b"refresh" not in data
    assert oct((tmp_path / "config" / "secrets.enc").stat().st_mode & 0o777) == "0o600"
    assert open_store("keyring").get("profile/filed") is None
    assert run_cli("token", "--profile", "filed", "--force-refresh", env=env).stdout.strip() != tok
    wrong = run_cli("token", "--profile", "filed", "--force-refresh", env=dict(env, WASMLOGIN_STORE_PASSPHRASE="wrong"), ok=False)
    assert wrong.returncode == errors.EXIT_NO_STORAGE and "wrong WASMLOGIN_STORE_PASSPHRASE" in wrong.stderr
    missing = run_cli("token", "--profile", "filed", env={k: v for k, v in env.items() if k != "WASMLOGIN_STORE_PASSPHRASE"}, ok=False)
    assert missing.returncode == errors.EXIT_USAGE and "WASMLOGIN_STORE_PASSPHRASE" in missing.stderr
