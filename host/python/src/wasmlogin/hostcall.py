"""The error a host function answers the plugin with: {"error": {"code", "message"}} (wit/flow.wit)."""


class HostError(Exception):
    """A host function's refusal or failure, with one of the WIT's host-function codes: disallowed_host, timeout,
    connect, certificate, too_large, unavailable, denied, bad_input."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
