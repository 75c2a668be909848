"""The sandbox's rules, without the plugin: which origins http_request reaches and learns, which URLs open_browser
hands to a program, which secrets an instance may touch, and the profile lock that other processes (this host's,
the Go CLI's) see."""
import hashlib, http.server, json, queue, shutil, socket, stat, subprocess, threading, time, webbrowser
from urllib.parse import urlsplit

import pytest

from wasmlogin import Transient
from wasmlogin.lock import profile_lock
from wasmlogin.network import discovery_urls
from wasmlogin.sandbox import Sandbox
from wasmlogin.stores import MemoryStore
from wasmlogin.ui import Silent


# ---- http_request ----

def documents(base, port):  # metadata documents by path: the issuer's own, and those that must teach nothing
    return {
        "/.well-known/openid-configuration": {
            "issuer": base, "token_endpoint": f"http://localhost:{port}/t", "jwks_uri": "http://example.com/keys",
            "registration_endpoint": "https://unlisted.example/register", "service_documentation": "https://docs.example/"},
        "/.well-known/oauth-authorization-server/tenant": {
            "issuer": base + "/tenant", "jwks_uri": "https://keys.example/jwks", "userinfo_endpoint": "https://userinfo.example/",
            "revocation_endpoint": "https://revoke.example/", "device_authorization_endpoint": "https://device.example/",
            "pushed_authorization_request_endpoint": "https://par.example/"},
        "/evil/.well-known/openid-configuration": {"issuer": base, "token_endpoint": "https://crafted.example/t"},
        "/.well-known/openid-configuration/x": {"issuer": base, "token_endpoint": "https://crafted.example/t"},
        "/liar/.well-known/openid-configuration": {"issuer": base, "token_endpoint": "https://liar.example/t"},
        "/odd/.well-known/openid-configuration": {"issuer": base + "/odd", "token_endpoint": 5, "jwks_uri": ["https://x.example/"],
                                                  "userinfo_endpoint": None, "revocation_endpoint": {"a": 1}},
        "/list/.well-known/openid-configuration": [{"issuer": base + "/list", "token_endpoint": "https://list.example/t"}],
    }


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_port}"
        if doc := documents(base, self.server.server_port).get(self.path):
            body = json.dumps(doc).encode()
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
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def sandbox(issuer, **kwargs):
    """A sandbox whose only configured origin is the site's, as a sign-in with that issuer starts."""
    return Sandbox(MemoryStore(), ["a"], issuer=issuer, allowed=[kwargs.pop("base", issuer)], ui=Silent(),
                   http_timeout=0.5, **kwargs)


def reply(f, req):
    """What the plugin gets from a host function: {"ok"} or {"error"} (wasmlogin.plugin does this wrapping)."""
    from wasmlogin.hostcall import HostError
    try:
        return {"ok": f(req) or {}}
    except HostError as e:
        return {"error": {"code": e.code, "message": e.message}}


def get(box, url):
    return reply(box.http_request, {"method": "GET", "url": url})


def test_http_request_policy(site):
    port, box = urlsplit(site).port, sandbox(site)
    assert get(box, "https://example.com/")["error"]["code"] == "disallowed_host"
    assert get(box, "http://example.com/")["error"]["code"] == "disallowed_host"  # plain http off loopback
    assert get(box, f"http://localhost:{port}/t")["error"]["code"] == "disallowed_host"
    ok = get(box, site + "/.well-known/openid-configuration")["ok"]
    assert ok["status"] == 200 and ok["headers"]["Set-Cookie"] == ["a=1", "b=2"] and "Content-Length" in ok["headers"]
    # The token endpoint, not example.com (plain http), not registration_endpoint, not the docs.
    assert box.allowed == {site, f"http://localhost:{port}"}
    assert get(box, f"http://localhost:{port}/t")["ok"]["body"] == "xx"
    redirect = get(box, site + "/redirect")["ok"]
    assert redirect["status"] == 302 and redirect["headers"]["Location"] == [site + "/elsewhere"]
    assert len(get(box, site + "/limit")["ok"]["body"]) == 1 << 20
    assert get(box, site + "/big")["error"]["code"] == "too_large"
    assert get(box, site + "/slow")["error"]["code"] == "timeout"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    box.allowed.add(closed)
    assert get(box, closed + "/")["error"]["code"] == "connect"
    assert reply(box.http_request, {"method": "DELETE", "url": site + "/"})["error"]["code"] == "denied"


def test_rfc8414_document_teaches_every_endpoint_field(site):
    box = sandbox(site + "/tenant", base=site)
    assert get(box, site + "/.well-known/oauth-authorization-server/tenant")["ok"]["status"] == 200
    assert box.allowed == {site, "https://keys.example", "https://userinfo.example", "https://revoke.example",
                           "https://device.example", "https://par.example"}


@pytest.mark.parametrize("issuer,path", [
    ("", "/evil/.well-known/openid-configuration"),  # a well-known path that is not the issuer's
    ("", "/.well-known/openid-configuration/x"),  # a path below the discovery URL
    ("/liar", "/liar/.well-known/openid-configuration"),  # a document naming another issuer
    ("/list", "/list/.well-known/openid-configuration"),  # JSON that is not an object
    ("/odd", "/odd/.well-known/openid-configuration"),  # endpoints that are not strings
    ("/", "/.well-known/openid-configuration"),  # an issuer that differs by a trailing slash
    (None, "/.well-known/openid-configuration"),  # no configured issuer
])
def test_nothing_else_teaches_an_origin(site, issuer, path):
    box = sandbox(None if issuer is None else site + issuer, base=site)
    assert get(box, site + path)["ok"]["status"] == 200
    assert box.allowed == {site}


def test_discovery_urls():
    assert discovery_urls("https://a.example/tenant/") == (
        "https://a.example/tenant/.well-known/openid-configuration",
        "https://a.example/.well-known/oauth-authorization-server/tenant")
    assert discovery_urls("https://a.example") == (
        "https://a.example/.well-known/openid-configuration", "https://a.example/.well-known/oauth-authorization-server")


# ---- open_browser ----

def test_open_browser_hands_only_https_or_loopback_urls_to_the_opener(monkeypatch):
    opened, box = queue.Queue(), sandbox("https://idp.example")
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.put(url) or True)
    for url in ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi", "-flag", "--new-window=evil",
                "http://evil.example/", "http://127.0.0.1.evil.example/", "https://a.example/ b", "https://a.example/\nb",
                "https://a.example/\tb", "https://a.example/\x85b", "https:a.example", "https://user:pw@a.example/",
                " https://a.example/", "", 42, None]:
        assert reply(box.open_browser, {"url": url})["error"]["code"] == "denied", url
    allowed = ["https://idp.example/authorize?a=1&b=%20", "http://127.0.0.1:8080/cb", "http://localhost/", "http://[::1]:9/"]
    for url in allowed:
        assert reply(box.open_browser, {"url": url}) == {"ok": {"opened": True}}
    assert sorted(opened.get(timeout=30) for _ in allowed) == sorted(allowed)  # the opener runs on a thread
    assert opened.empty()  # nothing else ran


# ---- secrets ----

@pytest.fixture
def stored():  # the store's values and a sandbox granted profile "a"; these tests are about the scope, not the store
    store = MemoryStore()
    return store.values, Sandbox(store, ["a"], ui=Silent())


def test_secrets_only_the_granted_profiles_records(stored):
    values, box = stored
    values.update({"profile/b": "B's tokens", "served/b": "B's token", "profile/a": "A's tokens"})
    for op in ("get", "set", "delete"):
        assert box.may_use_secret(op, "profile/a", "x") and box.may_use_secret(op, "served/a", "x")
        for key in ["profile/b", "served/b", "profile/", "profile/a/x", "profile/a\n", "PROFILE/a", "a", "origins", "",
                    "profile", "signing-key/a", 7, None]:
            assert not box.may_use_secret(op, key, "a"), (op, key)
    answer = reply(box.secret_get, {"key": "profile/b"})
    assert answer["error"]["code"] == "denied" and "profile/b" in answer["error"]["message"]
    assert reply(box.secret_set, {"key": "served/b", "value": "x"})["error"]["code"] == "denied"
    assert reply(box.secret_get, {"key": 7})["error"]["code"] == "denied"
    assert reply(box.secret_get, {"key": "profile/a"}) == {"ok": {"found": True, "value": "A's tokens"}}
    assert values["served/b"] == "B's token"


def test_default_profile_names_only_a_granted_profile(stored):
    values, box = stored
    assert box.may_use_secret("get", "default-profile")
    assert box.may_use_secret("set", "default-profile", "a")
    assert not box.may_use_secret("set", "default-profile", "b")
    assert not box.may_use_secret("set", "default-profile", ["a"])
    assert box.may_use_secret("delete", "default-profile")  # nothing stored
    values["default-profile"] = "b"
    assert not box.may_use_secret("delete", "default-profile")
    values["default-profile"] = "a"
    assert box.may_use_secret("delete", "default-profile")


def test_sign_is_unavailable_in_a_host_that_keeps_no_keys(stored):
    _, box = stored
    assert reply(box.sign, {"alg": "ES256", "profile": "a", "message": "eA"})["error"]["code"] == "unavailable"


# ---- the profile lock ----

needs_flock = pytest.mark.skipif(not shutil.which("flock"), reason="needs flock(1) from util-linux to look at the lock from another process")


def lock_path(config, profile):
    return config / "locks" / (hashlib.sha256(profile.encode()).hexdigest()[:16] + ".lock")


def held(path):  # util-linux flock(1) takes the same flock(2) lock as the Go CLI (gofrs/flock) and this host
    return subprocess.run(["flock", "--nonblock", str(path), "true"]).returncode != 0


@needs_flock
def test_profile_lock_is_flock_on_the_shared_path(tmp_path):
    path = lock_path(tmp_path, "me@example")
    assert path.parent == tmp_path / "locks" and lock_path(tmp_path, "work").name == "00e13ed7af55b276.lock"  # EMBEDDING.md
    with profile_lock(tmp_path, "me@example"):
        assert held(path), "another process could take the lock while it was held"
    assert not held(path), "the lock outlived the block"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@needs_flock
def test_profile_lock_waits_for_another_process_and_says_when_it_gives_up(tmp_path):
    path = lock_path(tmp_path, "busy")
    with profile_lock(tmp_path, "busy"):
        pass
    holder = subprocess.Popen(["flock", str(path), "cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    while not held(path):  # until the holder has it
        time.sleep(0.01)
    with pytest.raises(Transient, match="another process held .* nothing was changed"):
        with profile_lock(tmp_path, "busy", wait=0.05):
            pytest.fail("ran without the lock")
    holder.stdin.close()
    with profile_lock(tmp_path, "busy"):
        pass
    holder.wait(10)
