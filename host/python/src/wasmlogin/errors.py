"""The exceptions a sign-in raises, one class per outcome a caller acts on.

Each carries the flow error's stable `code` (wit/flow.wit, record flow-error) and the message the plugin wrote, which
says what to do next. The class, and the command line's exit code, follow from the code, so the meaning is the
plugin's and never guessed from the text.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

# The command line's exit codes, the same as the Go CLI's (host/cli/exitcodes.go); scripts rely on them.
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_LOGIN_REQUIRED, EXIT_TRANSIENT, EXIT_NO_STORAGE, EXIT_REFUSED = range(7)


class WasmloginError(Exception):
    """A sign-in, token or profile operation failed. `code` is the flow error's code (e.g. "login_required");
    `server_error` and `server_description` are the authorization server's own (RFC 6749 5.2), when it gave them."""

    exit_code = EXIT_FAILURE

    def __init__(self, code: str, message: str, *, server_error: Optional[str] = None,
                 server_description: Optional[str] = None, retry_after_seconds: Optional[int] = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.server_error = server_error
        self.server_description = server_description
        self.retry_after_seconds = retry_after_seconds

    def as_flow_error(self) -> dict[str, Any]:
        """The error as wit/flow.wit's flow-error record, as `--json` prints it."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        for name in ("server_error", "server_description", "retry_after_seconds"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


class BadInput(WasmloginError):
    """The call's input is malformed or incomplete (bad_input): the caller's mistake."""
    exit_code = EXIT_USAGE


class LoginRequired(WasmloginError):
    """Nothing is stored for the profile, or its refresh token no longer works: sign in again."""
    exit_code = EXIT_LOGIN_REQUIRED


class Transient(WasmloginError):
    """Network or server trouble: try again later; nothing stored was changed."""
    exit_code = EXIT_TRANSIENT


class StorageUnavailable(WasmloginError):
    """No secret store could be reached (no OS keyring, or the encrypted file could not be opened)."""
    exit_code = EXIT_NO_STORAGE


class ServerRefused(WasmloginError):
    """The authorization server refused, or its answer failed validation (a redirect, an ID token)."""
    exit_code = EXIT_REFUSED


class UntrustedHost(WasmloginError):
    """This host's signature checks failed the plugin's self-test: nothing was accepted or stored. A bug of the
    host (or of the `cryptography` installation), never of the user."""


class PluginMismatch(WasmloginError):
    """The plugin implements another contract (wit/flow.wit version) than this package was written for."""


class PluginFailure(WasmloginError):
    """The plugin gave no answer: it trapped, outgrew its memory cap or ran past the call timeout."""


_CLASSES: Mapping[str, type[WasmloginError]] = {
    "bad_input": BadInput,
    "login_required": LoginRequired, "unknown_flow": LoginRequired,
    "transient": Transient,
    "storage_unavailable": StorageUnavailable,
    "server_error": ServerRefused, "callback_rejected": ServerRefused, "id_token_invalid": ServerRefused,
    "invalid_response": ServerRefused,
    "untrusted_host": UntrustedHost,
}


def from_flow_error(error: Mapping[str, Any]) -> WasmloginError:
    """The exception for a flow-error record ({"code", "message", ...}) the plugin answered with."""
    code = str(error.get("code") or "internal")
    cls = _CLASSES.get(code, WasmloginError)
    return cls(code, str(error.get("message") or ""), server_error=error.get("server_error"),
               server_description=error.get("server_description"),
               retry_after_seconds=error.get("retry_after_seconds"))


def bad_input(message: str) -> BadInput:
    return BadInput("bad_input", message)
