"""One refresh at a time per profile, across processes (wit/EMBEDDING.md, "One refresh at a time per profile").

Most providers rotate refresh tokens and treat a rotated one used twice as stolen (RFC 9700 4.14.2): two processes
that find the same token due would both refresh with it, the second be refused and the grant perhaps revoked. Every
host of this project takes the same lock, so a waiter finds the token the holder stored and does not refresh again.
"""
from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from pathlib import Path
from typing import Iterator

from .errors import Transient
from .files import flocked

WAIT = 130.0  # seconds: the holder runs one plugin call (2 minutes at most), as the Go host waits

_threads: dict[str, threading.Lock] = {}
_threads_mu = threading.Lock()


def lock_path(index_dir: Path, profile: str) -> Path:
    """<index dir>/locks/<first 16 hex digits of SHA-256 of the profile name>.lock"""
    return Path(index_dir) / "locks" / (hashlib.sha256(profile.encode()).hexdigest()[:16] + ".lock")


@contextlib.contextmanager
def profile_lock(index_dir: Path, profile: str, wait: float = WAIT) -> Iterator[None]:
    """Holds the profile's lock: an exclusive flock(2) on lock_path (files.flocked). Threads of this process take a
    mutex per file first, so they are handed the lock in turn instead of polling for it. A holder that never
    finishes is reported as transient, naming the file."""
    path = lock_path(index_dir, profile)
    with _threads_mu:
        mutex = _threads.setdefault(str(path), threading.Lock())
    deadline = time.monotonic() + wait
    if not mutex.acquire(timeout=wait):
        raise _stuck(path, wait)
    try:
        with flocked(path, max(0.0, deadline - time.monotonic()), lambda: _stuck(path, wait)):
            yield
    finally:
        mutex.release()


def _stuck(path: Path, wait: float) -> Transient:
    return Transient("transient", f"another process held {path} for {wait:.0f} s, so nothing was changed; try again "
                                  "(if no other wasmlogin command is running, a stuck process holds it)")
