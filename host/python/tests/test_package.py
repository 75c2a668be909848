"""The package as installed: its plugin is the repository's, its version is the plugin's release, it refuses a
plugin of another contract, and it is the wheel, not the source tree."""
import hashlib
import importlib.metadata
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import wasmlogin
from helpers import ROOT, run_cli
from wasmlogin import plugin
from wasmlogin.plugin import Instance
from wasmlogin.sandbox import Sandbox
from wasmlogin.stores import MemoryStore
from wasmlogin.ui import Silent

REPO_WASM = ROOT / "host/internal/wasm/plugin.wasm"


def go_version():
    return re.search(r'const Version = "([^"]+)"', (ROOT / "plugin/api/version.go").read_text())[1]


def test_tests_run_against_the_installed_package_not_the_source():
    installed = Path(wasmlogin.__file__).resolve()
    assert Path(sys.prefix) in installed.parents, f"wasmlogin was imported from {installed}, not the venv"
    assert ROOT not in installed.parents
    assert not any(Path(p or ".").resolve() in (ROOT, ROOT / "host/python/src") for p in sys.path)


def test_the_installed_plugin_is_the_repositorys():
    assert plugin.WASM.read_bytes() == REPO_WASM.read_bytes()


def test_the_wheel_carries_the_repositorys_plugin():
    wheel = os.environ.get("WASMLOGIN_WHEEL")
    if not wheel:
        pytest.skip("WASMLOGIN_WHEEL names the built wheel (make test-python sets it)")
    with zipfile.ZipFile(wheel) as z:
        inside = z.read("wasmlogin/plugin.wasm")
        assert "wasmlogin/py.typed" in z.namelist()
    assert hashlib.sha256(inside).digest() == hashlib.sha256(REPO_WASM.read_bytes()).digest()


def test_the_version_is_the_plugins_release():
    pyproject = re.search(r'(?m)^version = "([^"]+)"', (ROOT / "host/python/pyproject.toml").read_text())[1]
    describe = Instance(Sandbox(MemoryStore(), [], ui=Silent())).version
    assert pyproject == go_version() == wasmlogin.__version__ == importlib.metadata.version("wasmlogin") == describe
    assert run_cli("--version").stdout.strip() == f"wasmlogin {go_version()}"


def test_a_plugin_of_another_contract_is_refused_naming_both(monkeypatch):
    monkeypatch.setattr(plugin, "CONTRACT", "9.9.9")
    with pytest.raises(wasmlogin.PluginMismatch) as e:
        Instance(Sandbox(MemoryStore(), [], ui=Silent()))
    assert "implements contract 0.2.0" in e.value.message and "written for contract 9.9.9" in e.value.message


def test_typed_and_runnable_as_a_module():
    assert (Path(wasmlogin.__file__).parent / "py.typed").is_file()
    r = subprocess.run([sys.executable, "-m", "wasmlogin", "--help"], capture_output=True, text=True, cwd=sys.prefix)
    assert r.returncode == 0 and all(c in r.stdout for c in ("login", "token", "status", "logout", "profiles", "use"))


def test_importing_the_package_loads_neither_http_clients_nor_the_keyring():
    """A program that imports wasmlogin pays for what it uses: `requests`, `httpx`, `keyring` and the browser come
    in when first needed."""
    code = "import sys, wasmlogin; print(sorted(m for m in ('requests', 'httpx', 'keyring', 'webbrowser') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=sys.prefix, check=True)
    assert r.stdout.strip() == "[]"
