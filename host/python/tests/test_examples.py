"""The seed scenarios, each a short program in examples/python run with the installed package, against zitadel's
example OP and Dex (and, for Strava, a fixture of its documented formats): (a) PKCE against any issuer, (b) a
confidential client whose secret is asked once without echo and kept, (c) the device flow without a browser,
(d) client credentials for a cron job."""
import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

import wasmlogin
from helpers import ROOT, approve_device, run_cli
from strava_fixture import Strava

EXAMPLES = ROOT / "examples/python"


def example(name, *args, env, ok=True, timeout=90):
    r = subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=env, capture_output=True, text=True,
                       timeout=timeout, cwd=sys.prefix)
    if ok:
        assert r.returncode == 0, f"{name} exited {r.returncode}:\n{r.stderr}"
    return r


def test_a_pkce_against_zitadel(zitadel, signed_in_env):
    r = example("pkce_login.py", zitadel["issuer"], zitadel["native_client_id"], env=signed_in_env)
    assert r.stdout.startswith("signed in as id1; token ends in ...") and "Signing in with the browser flow" in r.stderr


def test_a_pkce_against_dex(dex, go_bin, home, secret_service):
    env = dict(os.environ, BROWSER=str(go_bin / "dexbrowser"))
    r = example("pkce_login.py", dex["issuer"], dex["native_client_id"], env=env)
    assert r.stdout.startswith(f"signed in as {dex['subject']}; token ends in ..."), r.stdout
    assert run_cli("token", "--profile", "pkce", "--force-refresh", env=env).stdout.strip()  # Dex's refresh, rotated


def without_a_browser(env):
    """A machine without a browser: no $BROWSER, no display (the plugin would choose the device flow itself)."""
    return {k: v for k, v in env.items() if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY")}


def run_device_example(issuer, client_id, env, approve):
    """Runs device_login.py and, like a person reading its terminal, approves the code it shows."""
    proc = subprocess.Popen([sys.executable, str(EXAMPLES / "device_login.py"), issuer, client_id], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=sys.prefix)
    shown, deadline = "", time.monotonic() + 60
    while not re.search(r"Code: (\S+)", shown) and time.monotonic() < deadline and proc.poll() is None:
        shown += proc.stderr.readline()
    uri, code = re.search(r"open (\S+) and enter this code", shown), re.search(r"Code: (\S+)", shown)
    assert uri and code, f"no code shown: {shown}"
    approve(uri[1], code[1])
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, shown + err
    return out


def test_c_device_flow_against_dex(dex, go_bin, home, secret_service):
    def approve(uri, code):  # Dex's device page with the code filled in, as a phone scanning the QR code opens it
        subprocess.run([str(go_bin / "dexbrowser"), f"{uri}?user_code={code}"], check=True, timeout=60)
    out = run_device_example(dex["issuer"], dex["native_client_id"], without_a_browser(os.environ), approve)
    assert out.strip() == f"signed in as {dex['subject']}"
    assert wasmlogin.token("device").access_token


def test_c_device_flow_against_zitadel(zitadel, signed_in_env):
    out = run_device_example(zitadel["issuer"], zitadel["native_client_id"], without_a_browser(signed_in_env),
                             lambda uri, code: approve_device(zitadel, uri, code))
    assert out.strip() == "signed in as id1"


def test_d_client_credentials_for_a_cron_job(zitadel, home, secret_service):
    env = dict(os.environ, CLIENT_SECRET=zitadel["service_client_secret"])
    first = example("cron_job.py", zitadel["issuer"], zitadel["service_client_id"], env=env).stdout
    assert first.startswith("token for cron, expires at ")
    env.pop("CLIENT_SECRET")  # later runs need no secret: it was kept with the sign-in
    assert example("cron_job.py", zitadel["issuer"], zitadel["service_client_id"], env=env).stdout == first
    renewed = run_cli("token", "--profile", "cron", "--force-refresh", "--json", env=env).stdout
    assert '"refreshed": true' in renewed  # the grant ran again, with the kept secret
    status = run_cli("status", "--profile", "cron", env=env).stdout
    assert "Client:   " + zitadel["service_client_id"] in status and "Refresh:  false" in status


FOLLOW = """#!{python}
# A browser that follows redirects (Strava's fixture sends it straight back to the loopback listener).
import sys, urllib.request
urllib.request.urlopen(sys.argv[-1]).read()
"""


def run_in_terminal(argv, env, answer, timeout=90):
    """Runs argv in a new pseudo-terminal (its controlling terminal, as when a person runs it) and types `answer`
    when the secret prompt shows. Returns (exit status, everything the terminal displayed)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal
        os.chdir(sys.prefix)
        os.execve(argv[0], argv, env)
    shown, answered, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        if not answered and b"Client secret for" in shown:
            os.write(fd, answer.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_b_confidential_client_strava_secret_asked_once_without_echo(home, secret_service, tmp_path):
    secret = "s3cr3t-Strava-client"
    strava = Strava("12345", secret)
    try:
        browser = tmp_path / "follow"
        browser.write_text(FOLLOW.format(python=sys.executable))
        browser.chmod(0o755)
        env = dict(os.environ, BROWSER=str(browser), STRAVA_AUTH_URL=strava.url + "/oauth/authorize",
                   STRAVA_TOKEN_URL=strava.url + "/oauth/token")
        code, shown = run_in_terminal([sys.executable, str(EXAMPLES / "strava.py"), "12345"], env, secret)
        assert code == 0, shown
        assert "Client secret for 12345" in shown and secret not in shown, "the secret was echoed: " + shown
        assert f"expires at {strava.expires_at}" in shown  # Strava's expires_at, as the plugin read it
        scopes = [q["scope"] for path, q in strava.log if path == "/oauth/authorize"]
        assert scopes and all(s == ["read,activity:read"] for s in scopes)  # comma-separated, as Strava wants
        tokens = [f for path, f in strava.log if path == "/oauth/token"]
        assert [f["grant_type"] for f in tokens] == [["authorization_code"], ["refresh_token"]]
        assert all(f["client_secret"] == [secret] for f in tokens)  # in the form (client_secret_post)
        # Later: no terminal at all, and the kept secret refreshes again; it is in the keyring, not the index.
        r = subprocess.run([sys.executable, "-m", "wasmlogin", "token", "--profile", "strava", "--force-refresh"], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, cwd=sys.prefix)
        assert r.returncode == 0 and r.stdout.strip(), r.stderr
        assert secret not in (home_index := (tmp_path / "config" / "profiles.json").read_text()), home_index
    finally:
        strava.close()


def test_b_without_a_terminal_the_secret_is_not_read_from_a_pipe(home, secret_service):
    """prompt_client_secret with no terminal to ask on: refused, never read from stdin by accident."""
    strava = Strava("12345", "x")
    try:
        r = subprocess.run([str(sys.executable), "-m", "wasmlogin", "login", "--provider", "strava", "--client-id", "12345",
                            "--client-secret-prompt", "--auth-url", strava.url + "/oauth/authorize", "--token-url",
                            strava.url + "/oauth/token", "--no-open"], input="x\n", capture_output=True, text=True,
                           timeout=60, cwd=sys.prefix, start_new_session=True)
        assert r.returncode != 0 and "no terminal to ask on" in r.stderr, r.stderr
    finally:
        strava.close()
