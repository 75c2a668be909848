"""How long a Python program waits for a token, with the installed wasmlogin: signs in once against the project's
test provider (zitadel/oidc's example OP, built with Go), then runs each case RUNS times in fresh processes, so every
run pays the imports, and prints the median and the fastest.

  in process, plugin:  import wasmlogin + load the plugin (Wasmtime's cache warm) + its `token` export, which reads
                       the stored sign-in (a valid token) from the keyring
  in process, served:  import wasmlogin + wasmlogin.token(): the token the plugin published, read without the plugin
  whole process:       the `wasmlogin token` command, start to exit

Run it with the venv's python inside a D-Bus session with an unlocked gnome-keyring (as make test-python runs):
  python host/python/bench/token_bench.py [--runs 15] [--wheel dist/wasmlogin-*.whl]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

IN_PROCESS = {
    "plugin": """
import time; t0 = time.perf_counter()
import wasmlogin
from wasmlogin import index, session
name, entry = index.load().find()
st = session.open_store(entry.store)
tok = session._instance(name, entry, st).call("token", {"profile": name})
assert tok["access_token"] and not tok["refreshed"]
print(time.perf_counter() - t0)
""",
    "served": """
import time; t0 = time.perf_counter()
import wasmlogin
assert wasmlogin.token().access_token
print(time.perf_counter() - t0)
""",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--wheel", help="the built wheel, to report its size")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wasmlogin-bench-"))
    subprocess.run(["go", "build", "-o", str(work), "./internal/testop/cmd/opserver", "./internal/testop/cmd/autobrowser"],
                   cwd=ROOT, check=True)
    op = subprocess.Popen([work / "opserver", "-access-token-lifetime", "1h"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    info = json.loads(op.stdout.readline())
    env = dict(os.environ, WASMLOGIN_PY_CONFIG_DIR=str(work / "config"), WASMLOGIN_SERVICE=f"wasmlogin-bench-{uuid.uuid4().hex[:8]}",
               BROWSER=str(work / "autobrowser"), TESTOP_USERNAME=info["username"], TESTOP_PASSWORD=info["password"])
    cli = str(Path(sys.executable).with_name("wasmlogin"))
    try:
        subprocess.run([cli, "login", "--issuer", info["issuer"], "--client-id", info["native_client_id"]], env=env,
                       check=True, capture_output=True)
        results = {}
        for name, code in IN_PROCESS.items():
            results[f"in process, {name}"] = [float(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                                                   capture_output=True, text=True, cwd=work).stdout)
                                              for _ in range(args.runs)]
        whole = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run([cli, "token"], env=env, check=True, capture_output=True, cwd=work)
            whole.append(time.perf_counter() - t0)
        results["whole process (wasmlogin token)"] = whole
        print(f"{'case':36} {'median':>8} {'fastest':>8}   ({args.runs} runs each)")
        for name, xs in results.items():
            print(f"{name:36} {statistics.median(xs) * 1000:6.0f} ms {min(xs) * 1000:5.0f} ms")
        if args.wheel:
            print(f"wheel: {Path(args.wheel).name}, {Path(args.wheel).stat().st_size} bytes")
    finally:
        subprocess.run([cli, "logout"], env=env, capture_output=True)
        op.stdin.close()
        op.wait(10)


if __name__ == "__main__":
    main()
