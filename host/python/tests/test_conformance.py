"""The host conformance kit (host/conformance: guest.wasm, cases.json, the fault server) against the installed
wasmlogin package.

The hostile guest is loaded exactly as the package loads the flow plugin (wasmlogin.plugin.Instance: the same
manifest, host functions and sandbox), with one fresh host per case, and every case of cases.json is checked the way
README.md there says. A failure shows what the host actually answered.

The case's secrets are a MemoryStore seeded as the case says. The browser opener is webbrowser.open (and
subprocess.Popen under it), replaced by recorders: nothing is ever started, and the runner sees every attempt. The
host stops the endless-loop case itself, at the kit's call timeout. Since a call blocks the thread that makes it, a
case that may hang runs in a child process of this file all the same, under a generous watchdog: a host that failed
to stop it then fails the case instead of hanging the run. Needs Go on the PATH for the fault server.
"""
import json, os, re, subprocess, sys, threading, time, urllib.request, webbrowser
from pathlib import Path
from unittest import mock

import pytest

from wasmlogin.errors import PluginFailure, WasmloginError
from wasmlogin.network import origin
from wasmlogin.plugin import Instance
from wasmlogin.sandbox import Sandbox
from wasmlogin.stores import MemoryStore
from wasmlogin.ui import Silent

KIT_DIR = Path(__file__).resolve().parents[3] / "host/conformance"
KIT = json.loads((KIT_DIR / "cases.json").read_text())
POPEN = subprocess.Popen  # the runner's own; the host's is recorded


class Host:
    """One host as a sign-in configures one: the configured issuer with its origin allowed (the rest is learned from
    the issuer's discovery document), the profiles granted, the kit's HTTP timeout and call timeout (the memory cap
    is the package's own, 64 MiB), a store seeded as the case says, and recording browser openers."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.store = MemoryStore(cfg["store"])
        self.started = []  # every browser open or process start the host attempted
        self.patches = [mock.patch.object(webbrowser, "open", self.record("webbrowser.open")),
                        mock.patch.object(subprocess, "Popen", self.record("subprocess.Popen"))]

    def record(self, what):
        def recorder(*args, **kwargs):
            self.started.append([what, *map(str, args)])
            return True if what == "webbrowser.open" else mock.MagicMock(pid=2 ** 22, returncode=0)
        return recorder

    def __enter__(self):
        for p in self.patches:
            p.start()
        return self

    def __exit__(self, *exc):
        for p in reversed(self.patches):
            p.stop()

    def call(self, export, payload):
        """Runs one export on a fresh instance: {"reply": ...} when the guest answered, {"trap": ...} when not."""
        threads = set(threading.enumerate())
        cfg = self.cfg
        sandbox = Sandbox(self.store, cfg["profiles"], issuer=cfg["issuer"], allowed=[origin(cfg["issuer"])],
                          ui=Silent(), http_timeout=cfg["http_timeout_ms"] / 1000)
        try:
            inst = Instance(sandbox, wasm=KIT_DIR / "guest.wasm", call_timeout=cfg["call_timeout_ms"] / 1000)
        except Exception as e:
            return {"trap": f"the guest did not load: {e}"}
        try:
            return {"reply": {"ok": inst.call(export, payload)}}
        except PluginFailure as e:  # the guest gave no answer
            return {"trap": f"the call failed: {e}"}
        except WasmloginError as e:
            return {"reply": {"error": {"code": e.code, "message": e.message}}}
        except Exception as e:
            return {"trap": f"the call failed: {type(e).__name__}: {e}"}
        finally:
            for t in set(threading.enumerate()) - threads:  # open_browser opens on a thread
                t.join(10)


def fill(v, names):
    """Replaces each {name} in every string of v; an unknown name is a mistake in cases.json."""
    if isinstance(v, str):
        def sub(m):
            if m[1] not in names:
                raise KeyError(f"unknown placeholder {m[0]}")
            return names[m[1]]
        return re.sub(r"\{([a-z0-9_]+)\}", sub, v)
    if isinstance(v, list):
        return [fill(x, names) for x in v]
    if isinstance(v, dict):
        return {k: fill(x, names) for k, x in v.items()}
    return v


def resolve(case, names):
    """The case with its placeholders filled, and its host configuration (the kit's, with the case's overrides)."""
    issuer = fill(case.get("host", {}).get("issuer", KIT["host"]["issuer"]), names)
    return dict(fill(case, names | {"issuer": issuer}), config=KIT["host"] | {"issuer": issuer})


def show(o):
    s = o["trap"] if "trap" in o else "reply " + json.dumps(o["reply"])
    return s[:600] + f"... ({len(s)} bytes)" if len(s) > 600 else s


def subset(want, got):
    """Every member of want is in got with the same value (recursively for objects)."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(subset(v, got.get(k)) for k, v in want.items())
    return want == got and type(want) is type(got)


def check_expect(e, o):
    reply = o.get("reply") or {}
    if e.get("any"):
        return []
    if e.get("trap"):
        return [] if "trap" in o else [f"expected the call to fail (a trap or a timeout); got {show(o)}"]
    if "error" in e:
        return [] if (reply.get("error") or {}).get("code") == e["error"] else [f'expected error "{e["error"]}"; got {show(o)}']
    if "ok" in e:
        return [] if "ok" in reply and subset(e["ok"], reply["ok"]) else [f"expected ok with {json.dumps(e['ok'])}; got {show(o)}"]
    return ["the case expects nothing: a mistake in cases.json"]


def run_case(c, names):
    """Makes the call on a fresh host and checks everything the case expects; returns the problems."""
    cfg = c["config"]
    with Host(cfg) as host:
        before = time.time() * 1000
        o = host.call(c["export"], c["input"])
        after = time.time() * 1000
        problems = check_expect(c["expect"], o)
        text = o["trap"] if "trap" in o else json.dumps(o["reply"])
        problems += [f'the reply reveals "{s}": {show(o)}' for s in c.get("reply_excludes", []) if s in text]
        if within := c.get("clock_within_ms"):
            ms, lo, hi = ((o.get("reply") or {}).get("ok") or {}).get("unix_ms"), before - within, after + within
            if not isinstance(ms, (int, float)) or not lo <= ms <= hi:
                problems.append(f"the guest's clock is not the host's: expected unix_ms in [{lo:.0f}, {hi:.0f}]; got {show(o)}")
        if c.get("never_contacted"):
            with urllib.request.urlopen(names["base"] + "/_fixture/hits") as r:
                hits = json.load(r)
            problems += [f"{u} was contacted; the host must refuse or not follow (outcome: {show(o)})"
                         for u in c["never_contacted"] if u in hits]
        opened = c.get("browser_opened")
        if opened is False and host.started:
            problems.append(f"the host started {host.started}; it must refuse before running anything (outcome: {show(o)})")
        if isinstance(opened, str) and not (len(host.started) == 1 and host.started[0][-1] == opened):
            problems.append(f"expected one browser start with {opened!r} as its last argument; the host started {host.started} (outcome: {show(o)})")
        for key, want in c.get("store_after", {}).items():
            got = host.store.get(key)
            if got != want:
                problems.append(f"the store holds {key!r} = {got!r}; expected {want!r} (outcome: {show(o)})")
    if c.get("differs_between_instances"):
        with Host(cfg) as other:
            second = other.call(c["export"], c["input"])
        if "trap" in o or "trap" in second or o == second:
            problems.append(f"two instances must draw different values; first {show(o)}, second {show(second)}")
    if c.get("host_survives"):
        with Host(cfg) as fresh:
            ping = fresh.call("ping", {})
        if (ping.get("reply") or {}).get("ok") != "pong":
            problems.append(f"after the case, a fresh instance does not answer ping: {show(ping)}")
    return problems


def run_isolated(c, names):
    """Runs one case in a child process of this file. The watchdog only guards the run against a hung case; it is
    not what stops the call (the host's call timeout, far inside it, is), and not a measurement."""
    watchdog = KIT["host"]["call_timeout_ms"] / 1000 + 60
    env = dict(os.environ, CONFORMANCE_CHILD=json.dumps({"name": c["name"], "names": names}))
    try:
        r = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True, timeout=watchdog)
    except subprocess.TimeoutExpired:
        return [f"the host did not stop the call within {watchdog:.0f} s (the call timeout is "
                f"{KIT['host']['call_timeout_ms'] / 1000:.0f} s); the child process running it was killed"]
    try:
        return json.loads(r.stdout.splitlines()[-1])["problems"]
    except (IndexError, ValueError, KeyError):
        return [f"the child process running the case exited with {r.returncode} and no result: {(r.stdout + r.stderr)[-600:]}"]


@pytest.fixture(scope="module")
def names(go_bin, tmp_path_factory):
    """Starts the fault server; the placeholders of cases.json: its origins and the host file."""
    proc = POPEN([go_bin / "faultserver"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    host_file = tmp_path_factory.mktemp("conformance") / "host-file"
    host_file.write_text(KIT["host_file_content"])
    yield json.loads(proc.stdout.readline()) | {"host_file": str(host_file), "host_file_content": KIT["host_file_content"]}
    proc.stdin.close()  # the fault server serves until its stdin closes
    proc.wait(10)


@pytest.mark.parametrize("case", KIT["cases"], ids=[c["name"] for c in KIT["cases"]])
def test_case(case, names):
    c = resolve(case, names)
    problems = run_isolated(c, names) if c.get("may_hang") else run_case(c, names)
    if problems:
        pytest.fail("\n".join(problems) + f"\n[{c['rule']}: {c['why']}]", pytrace=False)


if __name__ == "__main__":  # a child process of run_isolated: run one case, print its problems
    child = json.loads(os.environ["CONFORMANCE_CHILD"])
    case = next(c for c in KIT["cases"] if c["name"] == child["name"])
    print(json.dumps({"problems": run_case(resolve(case, child["names"]), child["names"])}), flush=True)
    os._exit(0)  # the guest may have left threads behind
