"""Shared fixtures. These tests run against the wasmlogin package INSTALLED from its wheel (make test-python), never
the source tree: the repository is read only for its files (the plugin, Go's version, the conformance kit) and
for the Go test servers it builds.

The servers are the project's real test providers, independently written: zitadel/oidc's example OP
(internal/testop/cmd/opserver) and Dex (internal/dexop/cmd/dexserver), on 127.0.0.1, with their stand-in browsers
(autobrowser, dexbrowser) that play the user over HTTP. Secrets go to a real Secret Service: run inside a D-Bus
session with an unlocked gnome-keyring (.ci/run does). Without one the sign-in tests are skipped, saying why, or
fail when CI=true.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from helpers import GO_COMMANDS, ROOT, Server, skip_or_fail


@pytest.fixture(scope="session")
def go_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go test servers and browsers, built once."""
    if not shutil.which("go"):
        skip_or_fail("these tests build the project's test servers with Go; put go on the PATH")
    out = tmp_path_factory.mktemp("bin")
    subprocess.run(["go", "build", "-o", str(out), *[f"./{c}" for c in GO_COMMANDS]], cwd=ROOT, check=True)
    return out


@pytest.fixture(scope="session")
def zitadel(go_bin: Path):
    s = Server(go_bin / "opserver")
    yield s
    s.close()


@pytest.fixture(scope="session")
def dex(go_bin: Path):
    s = Server(go_bin / "dexserver")
    yield s
    s.close()


@pytest.fixture(scope="session")
def secret_service() -> None:
    """A working Secret Service, as keyring chooses it for this package."""
    import keyring.backends.SecretService
    from wasmlogin.stores import KeyringStore, StoreError
    store, key = KeyringStore(f"wasmlogin-py-probe-{uuid.uuid4().hex[:8]}"), "probe"
    try:
        store.set(key, "x")
        ok = store.get(key) == "x"
        store.delete(key)
        problem = None if ok else "the Secret Service did not give back what was stored"
        if not isinstance(store._backend, keyring.backends.SecretService.Keyring):
            problem = f"keyring chose {store._backend!r}, not the Secret Service"
    except StoreError as e:
        problem = f"the Secret Service does not work: {e}"
    if problem:
        skip_or_fail(problem + "; run inside dbus-run-session with gnome-keyring-daemon unlocked (see README.md)")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test's own profile index and keyring service, for the test process and the commands it runs."""
    env = {"WASMLOGIN_PY_CONFIG_DIR": str(tmp_path / "config"),
           "WASMLOGIN_SERVICE": f"wasmlogin-py-test-{uuid.uuid4().hex[:8]}"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    for k in ("WASMLOGIN_STORE", "WASMLOGIN_STORE_PASSPHRASE", "SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(k, raising=False)
    return env


@pytest.fixture
def signed_in_env(home: dict[str, str], secret_service: None, go_bin: Path, zitadel: Server,
                  monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a user of the zitadel OP: BROWSER is autobrowser, which logs in as the test user."""
    env = {"BROWSER": str(go_bin / "autobrowser"), "TESTOP_USERNAME": zitadel["username"],
           "TESTOP_PASSWORD": zitadel["password"]}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return dict(os.environ)


def pytest_terminal_summary(terminalreporter):  # the conformance kit's closing line, the same from every host's runner
    outcomes = {}
    for kind in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(kind, []):
            nodeid = getattr(report, "nodeid", "")
            if "test_conformance.py::" in nodeid and (kind != "passed" or report.when == "call"):
                outcomes.setdefault(nodeid, "failed" if kind == "error" else kind)
    if outcomes:
        counts = {k: sum(1 for v in outcomes.values() if v == k) for k in ("passed", "failed", "skipped")}
        line = f"conformance: {counts['passed']} passed, {counts['failed']} failed"
        terminalreporter.write_line(line + (f", {counts['skipped']} skipped" if counts["skipped"] else ""))
