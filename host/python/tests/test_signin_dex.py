"""Sign-ins with the installed package against Dex (internal/dexop), the second independent OpenID provider: the
browser flow with its loopback redirect, the same flow with the redirect pasted (the browser on another machine),
and the device flow through the API."""
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

import wasmlogin
from helpers import CLI, run_cli


def test_browser_sign_in_then_refresh_and_status(dex, go_bin, home, secret_service):
    env = dict(os.environ, BROWSER=str(go_bin / "dexbrowser"))
    r = run_cli("login", "--issuer", dex["issuer"], "--client-id", dex["native_client_id"], "--profile", "dex", env=env)
    assert '(profile "dex")' in r.stderr
    first = run_cli("token", env=env).stdout.strip()
    refreshed = run_cli("token", "--force-refresh", env=env).stdout.strip()
    assert first and refreshed and refreshed != first
    s = wasmlogin.status("dex")
    assert s.subject == dex["subject"] and s.issuer == dex["issuer"] and s.has_refresh_token


class _Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # every 3xx comes back as an HTTPError, to be looked at


def redirect_target(auth_url, redirect_uri):
    """Plays the browser on another machine: follows Dex's redirects (its mock connector signs the user in without a
    form) up to the one that points at the redirect URI, and returns that address instead of loading it."""
    url, opener = auth_url, urllib.request.build_opener(_Stop)
    for _ in range(10):
        try:
            opener.open(url, timeout=30)
            raise AssertionError(f"Dex answered {url} without redirecting")
        except urllib.error.HTTPError as e:
            assert e.code in (301, 302, 303, 307), f"HTTP {e.code} at {url}"
            url = urljoin(url, e.headers["Location"])
        if url.startswith(redirect_uri):
            return url
    raise AssertionError("Dex never redirected to the redirect URI")


def test_paste_mode_the_browser_elsewhere(dex, home, secret_service):
    """--no-browser: nothing is opened here; the user pastes the address the browser ended on. A line that is not
    that address gets a hint and another chance; the pasted one signs in."""
    env = {k: v for k, v in os.environ.items() if k != "BROWSER"}
    proc = subprocess.Popen([str(CLI), "login", "--issuer", dex["issuer"], "--client-id", dex["native_client_id"],
                             "--no-browser", "--profile", "pasted", "--timeout", "60s"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=sys.prefix)
    shown, deadline = "", time.monotonic() + 60
    while "paste it here" not in shown and time.monotonic() < deadline and proc.poll() is None:
        shown += proc.stderr.readline()
    auth_url = re.search(r"^\s+(http://\S+/auth\?\S+)$", shown, re.M)
    redirect_uri = re.search(r"come back to (\S+) \.\.\.", shown)
    assert auth_url and redirect_uri, shown
    proc.stdin.write("https://example.com/not-it?code=1\n")
    proc.stdin.write(redirect_target(auth_url[1], redirect_uri[1]) + "\n")
    proc.stdin.flush()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, shown + err
    assert "That is not the address this sign-in waits for" in err and '(profile "pasted")' in err
    assert wasmlogin.status("pasted").subject == dex["subject"]


def test_device_sign_in_through_the_api(dex, go_bin, home, secret_service):
    def approve(code):  # what a phone that scanned the code would open
        subprocess.run([str(go_bin / "dexbrowser"), code.verification_uri_complete], check=True, timeout=60)
    s = wasmlogin.login(dex["issuer"], dex["native_client_id"], profile="dex-device", flow="device",
                        scopes=["openid", "offline_access"], on_device_code=approve, ui=wasmlogin.Silent())
    assert s.subject == dex["subject"] and s.has_refresh_token
    assert wasmlogin.token("dex-device", force_refresh=True).refreshed
