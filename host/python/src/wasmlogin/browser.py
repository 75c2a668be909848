"""Opening a URL in the user's browser for the plugin (host function open_browser), and only a URL that is safe to
hand to a browser opener: the guest chooses the string."""
from __future__ import annotations

import re
import threading
from typing import Any, Callable

from .hostcall import HostError
from .network import origin


def browser_url(url: Any) -> str:
    """The URL, if a browser opener may be handed it: https (or http on loopback), without user information, spaces
    or control characters (which a shell or an opener could split), so never a word an opener takes as an option."""
    if not isinstance(url, str) or not re.match(r"https?://", url, re.I) or re.search(r"[\s\x00-\x1f\x7f-\x9f]", url) \
            or not origin(url):
        raise HostError("denied", "the host opens only https URLs (or http on loopback) without spaces or control characters")
    return url


def open_in_browser(url: str, on_failure: Callable[[], None] = lambda: None) -> None:
    """Starts webbrowser.open on a thread: with BROWSER set, Python runs that command and waits for it, and a browser
    only finishes once the loopback listener has answered its redirect."""
    import webbrowser  # imported when first needed: a token needs no browser

    def run() -> None:
        if not webbrowser.open(url):
            on_failure()
    threading.Thread(target=run, daemon=True, name="wasmlogin-browser").start()
