"""Loading the flow plugin with the Extism SDK and calling its exports.

The module is compiled once per process (Wasmtime, inside extism-sys) and instantiated once per flow: an instance
runs one call at a time and keeps a pending login in its memory. Compiled code is cached on disk by Wasmtime itself
(extism-sys enables its default cache, ~/.cache/wasmtime, unless EXTISM_CACHE_CONFIG says otherwise), so a later
process loads it without compiling.
"""
from __future__ import annotations

import json
import threading
import typing
from pathlib import Path
from typing import Any, Optional

import extism

from .errors import PluginFailure, PluginMismatch, from_flow_error
from .hostcall import HostError
from .sandbox import HOST_FUNCTIONS, Sandbox

CONTRACT = "0.2.0"  # the version of wit/flow.wit this package was written for
WASM = Path(__file__).with_name("plugin.wasm")
# The guest's bounds, as the Go host's (host/engine): 64 MiB of memory in 64 KiB pages, and two minutes per call,
# HTTP inside it included.
MAX_MEMORY_PAGES = 1024
CALL_TIMEOUT = 120.0

_JSON = typing.Annotated[Any, extism.Json]


def _host_function(name: str) -> extism.Function:
    """Registers the WIT host function `name`, answering for the Sandbox of the calling instance (the call's host
    context). It never raises into the guest: a refusal is {"error"} with the host-function code, and anything
    unexpected (a keyring backend, a terminal) is "unavailable"."""
    def reply(current: extism.CurrentPlugin, req: _JSON) -> _JSON:
        sandbox = current.host_context()
        try:
            if not isinstance(sandbox, Sandbox):
                raise HostError("unavailable", "no sandbox for this call")
            if not isinstance(req, dict):
                raise HostError("bad_input", "the payload is not a JSON object")
            return {"ok": getattr(sandbox, name)(req) or {}}
        except HostError as e:
            return {"error": {"code": e.code, "message": e.message}}
        except Exception as e:  # noqa: BLE001 - the guest gets an answer whatever happened here
            return {"error": {"code": "unavailable", "message": f"{name}: {type(e).__name__}: {e}"}}
    reply.__name__ = name
    return extism.host_fn(name=name)(reply)  # namespace extism:host/user


_FUNCTIONS = [_host_function(name) for name in HOST_FUNCTIONS]
_compiled: dict[tuple[str, int], Any] = {}
_compiled_mu = threading.Lock()


def _compile(wasm: Path, timeout_ms: int) -> Any:
    """The compiled module, once per process. WASI gives it the real clock and randomness and nothing else: no
    files, no environment. The manifest's limits are Wasmtime's: memory.max_pages caps the guest's memory (growing
    past it fails the call, "oom"), timeout_ms stops a call that runs longer ("timeout"); the process lives on."""
    key = (str(wasm), timeout_ms)
    with _compiled_mu:
        if key not in _compiled:
            manifest = {"wasm": [{"path": str(wasm)}], "memory": {"max_pages": MAX_MEMORY_PAGES}, "timeout_ms": timeout_ms}
            try:
                _compiled[key] = extism.extism.CompiledPlugin(manifest, wasi=True, functions=_FUNCTIONS)
            except extism.Error as e:
                raise PluginFailure("internal", f"the flow plugin at {wasm} did not load: {e}") from None
        return _compiled[key]


class Instance:
    """One plugin instance lent one Sandbox. Its contract is checked first (describe): a plugin of another contract
    is refused, naming both versions, before any other call."""

    def __init__(self, sandbox: Sandbox, *, wasm: Optional[Path] = None, call_timeout: float = CALL_TIMEOUT) -> None:
        self.sandbox = sandbox
        self.wasm = Path(wasm or WASM)
        self.call_timeout = call_timeout
        try:
            self._plugin = extism.Plugin(_compile(self.wasm, round(call_timeout * 1000)))
        except extism.Error as e:
            raise PluginFailure("internal", f"the flow plugin at {self.wasm} did not start: {e}") from None
        self._mu = threading.Lock()
        info = self.call("describe", {})
        self.version, self.contract = str(info.get("version")), str(info.get("contract"))
        if self.contract != CONTRACT:
            raise PluginMismatch("plugin_mismatch", f"the flow plugin at {self.wasm} (release {self.version}) implements "
                                                    f"contract {self.contract}, but this wasmlogin package was written for "
                                                    f"contract {CONTRACT}; install the wasmlogin release that matches the plugin")

    def call(self, export: str, payload: dict[str, Any]) -> Any:
        """Calls an export; returns its {"ok"} value or raises its {"error"} as a WasmloginError."""
        with self._mu:
            try:
                out = self._plugin.call(export, json.dumps(payload), host_context=self.sandbox)
            except extism.Error as e:
                why = {"timeout": f"it ran longer than {self.call_timeout:g} s",
                       "oom": f"it needed more than {MAX_MEMORY_PAGES * 64 // 1024} MiB of memory"}.get(str(e), str(e))
                raise PluginFailure("internal", f"the flow plugin failed in {export}: {why}; try again, and report it "
                                                "if it happens again") from None
        try:
            reply = json.loads(bytes(out))
        except ValueError:
            raise PluginFailure("internal", f"the flow plugin answered {export} with something that is not JSON") from None
        if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
            raise from_flow_error(reply["error"])
        if not isinstance(reply, dict) or "ok" not in reply:
            raise PluginFailure("internal", f"the flow plugin answered {export} without ok or error")
        return reply["ok"]
