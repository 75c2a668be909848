"""The two file operations the package's state needs, in one place: an exclusive flock(2) held on a lock file, and
a private file replaced whole, so a crash never leaves half of it."""
from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

POLL = 0.01  # seconds between tries of a held lock


@contextlib.contextmanager
def flocked(path: Path, wait: float, stuck: Callable[[], Exception]) -> Iterator[None]:
    """Holds an exclusive flock(2) on path (not fcntl.lockf, a record lock that excludes neither flock holders nor
    other threads), created 0600 in a 0700 folder and never deleted. Polled with LOCK_NB, so a holder that never
    finishes ends in stuck() after wait seconds instead of hanging."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with open(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "rb") as f:  # closing it releases the lock
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise stuck() from None
                time.sleep(POLL)
        yield


def replace_privately(path: Path, data: bytes) -> None:
    """Writes data to a new 0600 file beside path, syncs it and renames it over path: readers see the old file or
    the new one, never a mix."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
