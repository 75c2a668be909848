"""Where refresh tokens, ID tokens and client secrets are kept: the OS keyring by default, an encrypted file when
the user chooses it. Never a plain file, and never a silent fallback from one to the other: writing secrets where the
user did not choose is the failure a secret store exists to prevent."""
from __future__ import annotations

import contextlib
import json
import os
import struct
import sys
import threading
from pathlib import Path
from typing import Any, Optional, Protocol

from .files import flocked, replace_privately


class StoreError(Exception):
    """The store could not be read or written; the message says what to do."""


class SecretStore(Protocol):
    name: str

    def get(self, key: str) -> Optional[str]: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


# keyring backends that keep secrets in a file anyone with the user's files can read (keyrings.alt), or nowhere.
_REFUSED_BACKENDS = ("PlaintextKeyring", "null.Keyring", "fail.Keyring")


class KeyringStore:
    """The OS keyring through the `keyring` package: Secret Service on Linux, Keychain on macOS. Each key is one item
    of `service` with the key as its user name."""

    name = "keyring"

    def __init__(self, service: str) -> None:
        self.service = service
        self._backend: Any = None

    def _keyring(self) -> tuple[Any, Any]:
        """keyring's backend and its errors module, chosen on first use and refused when it keeps no real secrets."""
        import keyring.errors
        if self._backend is None:
            backend = _fast_backend() or keyring.get_keyring()
            kind = f"{type(backend).__module__}.{type(backend).__name__}"
            if any(refused in kind for refused in _REFUSED_BACKENDS):
                raise StoreError(f"no OS keyring answers (keyring chose {kind}); start one (Secret Service: "
                                 "gnome-keyring or KeePassXC), or keep secrets in an encrypted file: --store file with "
                                 "WASMLOGIN_STORE_PASSPHRASE")
            self._backend = backend
        return self._backend, keyring.errors

    def get(self, key: str) -> Optional[str]:
        backend, errors = self._keyring()
        try:
            return backend.get_password(self.service, key)
        except errors.KeyringError as e:
            raise StoreError(f"the OS keyring did not answer: {e}") from None

    def set(self, key: str, value: str) -> None:
        backend, errors = self._keyring()
        try:
            backend.set_password(self.service, key, value)
        except errors.KeyringError as e:
            raise StoreError(f"the OS keyring did not store the secret: {e}") from None

    def delete(self, key: str) -> None:
        backend, errors = self._keyring()
        try:
            backend.delete_password(self.service, key)
        except errors.PasswordDeleteError:
            pass  # already gone
        except errors.KeyringError as e:
            raise StoreError(f"the OS keyring did not delete the secret: {e}") from None


def _fast_backend() -> Any:
    """On Linux, keyring's Secret Service backend, taken directly when keyring is not configured otherwise: the choice
    keyring.get_keyring() makes there, without importing every backend to rank them, which costs about 90 ms (its
    macOS backend looks for a system library even on Linux). Configured keyrings (PYTHON_KEYRING_BACKEND, a
    keyringrc.cfg) and KDE sessions, whose KWallet may rank higher, take keyring's own way."""
    if not sys.platform.startswith("linux") or os.environ.get("PYTHON_KEYRING_BACKEND") \
            or "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").split(":"):
        return None
    from keyring.util import platform_
    if (Path(platform_.config_root()) / "keyringrc.cfg").exists():
        return None
    from keyring.backends import SecretService
    try:
        if SecretService.Keyring.priority > 0:  # raises when no Secret Service answers on the session bus
            return SecretService.Keyring()
    except Exception:  # noqa: BLE001 - then keyring decides, and says why
        pass
    return None


class MemoryStore:
    """Secrets for the life of the process only (tests, one-shot runs)."""

    name = "memory"

    def __init__(self, values: Optional[dict[str, str]] = None) -> None:
        self.values = dict(values or {})

    def get(self, key: str) -> Optional[str]:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


# The encrypted file, in the Go host's format (host/secretstore/file.go), so either can read the other's file:
# magic | PBKDF2 iterations (uint32, big endian) | salt | GCM nonce | ciphertext. The header before the nonce is
# authenticated as additional data, so a changed salt or iteration count fails decryption instead of deriving another
# key. The plaintext is one JSON object from key to value.
MAGIC = b"WLSTORE1"
ITERATIONS = 600_000  # PBKDF2-HMAC-SHA256, OWASP's 2023 figure
MIN_ITERATIONS, MAX_ITERATIONS = 100_000, 10_000_000  # a damaged header cannot make opening take hours
SALT_SIZE, NONCE_SIZE = 16, 12
HEADER_SIZE = len(MAGIC) + 4 + SALT_SIZE


class FileStore:
    """Secrets in one file encrypted with AES-256-GCM under a key derived from a passphrase (PBKDF2-HMAC-SHA256,
    600000 iterations, a random salt per file), all from the `cryptography` package (OpenSSL).

    Opt-in only (--store file, passphrase in WASMLOGIN_STORE_PASSPHRASE), for machines without a keyring. It is only
    as strong as the passphrase, and a passphrase in an environment variable is visible to the user's other
    processes. The file is created 0600 in a 0700 folder and replaced atomically on every write; writes from several
    processes take turns on an flock(2) of <file>.lock, so none is lost."""

    name = "file"

    def __init__(self, path: Path, passphrase: str) -> None:
        if not passphrase:
            raise StoreError("the encrypted file store needs a passphrase: set WASMLOGIN_STORE_PASSPHRASE to a non-empty value")
        self.path = Path(path)
        self._passphrase = passphrase.encode()
        self._mu = threading.Lock()
        self._key: Optional[bytes] = None
        self._salt = b""
        self._iterations = 0
        self._load()  # a wrong passphrase is reported now, not at the first secret
        if self._key is None:
            self._derive(os.urandom(SALT_SIZE), ITERATIONS)

    def _derive(self, salt: bytes, iterations: int) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
        self._key = PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(self._passphrase)
        self._salt, self._iterations = salt, iterations

    def _load(self) -> dict[str, str]:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise StoreError(f"cannot read the secret store file {self.path}: {e.strerror}") from None
        if len(data) < HEADER_SIZE + NONCE_SIZE or not data.startswith(MAGIC):
            raise StoreError(f"{self.path} is not a wasmlogin secret store or is damaged; move it aside and sign in again")
        (iterations,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
        salt = data[len(MAGIC) + 4:HEADER_SIZE]
        if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
            raise StoreError(f"{self.path} is damaged (implausible key derivation settings); move it aside and sign in again")
        if self._key is None or self._iterations != iterations or self._salt != salt:
            self._derive(salt, iterations)
        assert self._key is not None
        nonce = data[HEADER_SIZE:HEADER_SIZE + NONCE_SIZE]
        try:
            plain = AESGCM(self._key).decrypt(nonce, data[HEADER_SIZE + NONCE_SIZE:], data[:HEADER_SIZE])
        except InvalidTag:
            raise StoreError(f"cannot decrypt {self.path}: wrong WASMLOGIN_STORE_PASSPHRASE? (if the file is damaged or "
                             "the passphrase lost, move the file aside and sign in again)") from None
        try:
            values = json.loads(plain)
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                raise ValueError
        except ValueError:
            raise StoreError(f"{self.path} decrypted but its contents are damaged; move it aside and sign in again") from None
        return values

    def _save(self, values: dict[str, str]) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        assert self._key is not None
        header = MAGIC + struct.pack(">I", self._iterations) + self._salt
        nonce = os.urandom(NONCE_SIZE)
        data = header + nonce + AESGCM(self._key).encrypt(nonce, json.dumps(values).encode(), header)
        replace_privately(self.path, data)

    @contextlib.contextmanager
    def _file_lock(self):
        """Read-modify-write of the file, one process at a time: two sign-ins ending at once would each write back
        the values they read, and one would be lost."""
        lock = Path(f"{self.path}.lock")
        with flocked(lock, 60, lambda: StoreError(f"another process held the secret store file's lock ({lock}) for a "
                                                   "minute; try again when it has finished")):
            yield

    def get(self, key: str) -> Optional[str]:
        with self._mu:
            return self._load().get(key)

    def set(self, key: str, value: str) -> None:
        with self._mu, self._file_lock():
            values = self._load()
            values[key] = value
            self._save(values)

    def delete(self, key: str) -> None:
        with self._mu, self._file_lock():
            values = self._load()
            if values.pop(key, None) is not None:
                self._save(values)
