"""How the plugin talks to the user (host functions notify and prompt, and the browser): on a terminal by default;
a program with another front end (an editor, a GUI) passes its own."""
from __future__ import annotations

import getpass
import sys
from typing import Protocol, runtime_checkable

from .hostcall import HostError


@runtime_checkable
class UserInterface(Protocol):
    def notify(self, level: str, message: str) -> None:
        """Show a message; level is "info" or "warn"."""

    def prompt(self, message: str, secret: bool) -> str:
        """Ask for one line; without echo when secret. Raise HostError("unavailable") when nobody can answer."""


class Terminal:
    """stderr for messages (stdout may carry a token to a pipe), the terminal for questions: a secret only from a
    real terminal, without echo (getpass), never from a pipe by accident."""

    def notify(self, level: str, message: str) -> None:
        print(("warning: " if level == "warn" else "") + message, file=sys.stderr, flush=True)

    def prompt(self, message: str, secret: bool) -> str:
        if secret:
            try:
                with open("/dev/tty"):
                    pass
            except OSError:
                raise HostError("unavailable", "no terminal to ask on; give the secret another way "
                                               "(client_secret=..., or --client-secret-env VAR)") from None
            return getpass.getpass(message.rstrip() + " ", stream=sys.stderr)
        if not sys.stdin or not sys.stdin.isatty():
            raise HostError("unavailable", "no terminal to ask on")
        print(message, end=" ", file=sys.stderr, flush=True)
        return sys.stdin.readline().rstrip("\n")


class Silent:
    """No user at all (a cron job): messages are dropped and questions refused."""

    def notify(self, level: str, message: str) -> None:
        pass

    def prompt(self, message: str, secret: bool) -> str:
        raise HostError("unavailable", "nobody to ask: this program runs without a user")
