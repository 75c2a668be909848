"""Puts the flow plugin into the package: the module the Go host embeds (host/internal/wasm/plugin.wasm), so the
wheel carries exactly the bytes the repository's tests ran. Built from an sdist, the copy the sdist carries is used."""
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TARGET = "wasmlogin/plugin.wasm"


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        root = Path(self.root)
        for source in (root.parent / "internal/wasm/plugin.wasm", root / "src" / TARGET):
            if source.is_file():
                break
        else:
            raise FileNotFoundError(f"no plugin.wasm at {root.parent / 'internal/wasm'}: build from a clone of the "
                                    "repository (make wasm rebuilds it)")
        build_data["force_include"][str(source)] = TARGET if self.target_name == "wheel" else "src/" + TARGET
