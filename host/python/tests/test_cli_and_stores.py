"""The command line's usage errors and exit codes, and the secret stores' refusals, without a provider."""
import json
import os
import struct

import pytest

import wasmlogin
from helpers import run_cli
from wasmlogin import errors, stores
from wasmlogin.stores import FileStore, KeyringStore, StoreError


@pytest.mark.parametrize("args,says", [
    (["login", "--issuer", "http://login.example.com", "--client-id", "x"], "plain http is only accepted for 127.0.0.1"),
    (["login", "--issuer", "ftp://login.example.com", "--client-id", "x"], "use an https URL"),
    (["login", "--issuer", "https://user:pw@login.example.com", "--client-id", "x"], "user name or password"),
    (["login", "--issuer", "https://login.example.com?a=1", "--client-id", "x"], "no query or fragment"),
    (["login", "--issuer", "https://login.example.com"], "needs a client ID"),
    (["login", "--provider", "nosuch", "--client-id", "x"], "provider 'nosuch' is not known"),
    (["login", "--provider", "strava"], "register an application at https://www.strava.com/settings/api"),
    (["login", "--issuer", "https://a.example", "--client-id", "x", "--profile", "has space"], "printable ASCII without spaces"),
    (["login", "--issuer", "https://a.example", "--client-id", "x", "--timeout", "soon"], "is not a duration"),
    (["login", "--bogus"], "unrecognized arguments: --bogus"),
    (["token", "--store", "cloud"], "invalid choice: 'cloud'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["use"], "the following arguments are required: NAME"),
])
def test_usage_errors_exit_2_and_say_what_to_do(home, args, says):
    r = run_cli(*args, ok=False)
    assert r.returncode == errors.EXIT_USAGE and says in r.stderr, r.stderr


def test_nothing_signed_in_is_login_required_exit_3_also_as_json(home):
    r = run_cli("token", "--json", ok=False)
    assert r.returncode == errors.EXIT_LOGIN_REQUIRED
    assert json.loads(r.stdout)["error"]["code"] == "login_required" and "not signed in" in r.stderr
    r = run_cli("status", "--profile", "nobody", ok=False)
    assert r.returncode == errors.EXIT_LOGIN_REQUIRED and "no profile 'nobody'" in r.stderr
    assert run_cli("profiles").stderr == "No profiles yet; run login.\n"


def test_exceptions_carry_the_flow_error_code():
    for code, cls, exit_code in [("login_required", wasmlogin.LoginRequired, 3), ("unknown_flow", wasmlogin.LoginRequired, 3),
                                 ("transient", wasmlogin.Transient, 4), ("storage_unavailable", wasmlogin.StorageUnavailable, 5),
                                 ("server_error", wasmlogin.ServerRefused, 6), ("id_token_invalid", wasmlogin.ServerRefused, 6),
                                 ("invalid_response", wasmlogin.ServerRefused, 6), ("callback_rejected", wasmlogin.ServerRefused, 6),
                                 ("bad_input", wasmlogin.BadInput, 2), ("untrusted_host", wasmlogin.UntrustedHost, 1),
                                 ("internal", wasmlogin.WasmloginError, 1)]:
        e = errors.from_flow_error({"code": code, "message": "m", "server_error": "invalid_grant"})
        assert type(e) is cls and e.code == code and e.exit_code == exit_code and e.server_error == "invalid_grant"
        assert isinstance(e, wasmlogin.WasmloginError)


def test_the_encrypted_file_store_round_trip_and_format(tmp_path):
    path = tmp_path / "d" / "secrets.enc"
    store = FileStore(path, "pass phrase")
    assert store.get("profile/a") is None
    store.set("profile/a", "refresh-token-value")
    store.set("served/a", "x")
    store.delete("served/a")
    store.delete("never-there")
    data = path.read_bytes()
    assert data[:8] == b"WLSTORE1" and struct.unpack(">I", data[8:12])[0] == 600_000  # the Go host's layout
    assert b"refresh-token-value" not in data and b"profile/a" not in data
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert FileStore(path, "pass phrase").get("profile/a") == "refresh-token-value"  # a new opening derives the key again
    with pytest.raises(StoreError, match="wrong WASMLOGIN_STORE_PASSPHRASE"):
        FileStore(path, "another")
    with pytest.raises(StoreError, match="needs a passphrase"):
        FileStore(path, "")
    tampered = bytearray(data)
    tampered[12] ^= 1  # the salt, authenticated as additional data
    path.write_bytes(bytes(tampered))
    with pytest.raises(StoreError, match="cannot decrypt"):
        FileStore(path, "pass phrase")
    path.write_bytes(data[:8] + struct.pack(">I", 1) + data[12:])  # an implausible iteration count
    with pytest.raises(StoreError, match="implausible key derivation"):
        FileStore(path, "pass phrase")
    path.write_bytes(b"{\"profile/a\": \"plain\"}")
    with pytest.raises(StoreError, match="not a wasmlogin secret store"):
        FileStore(path, "pass phrase")


def test_a_plaintext_keyring_backend_is_refused(monkeypatch):
    """keyring can be configured with a backend that writes a plain file (keyrings.alt's PlaintextKeyring): the
    package refuses it and names the encrypted file instead."""
    import keyring

    class PlaintextKeyring(keyring.backend.KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return None

        def set_password(self, service, username, password):
            raise AssertionError("a secret was written to a plaintext keyring")

        def delete_password(self, service, username):
            pass
    monkeypatch.setattr(stores, "_fast_backend", lambda: None)
    monkeypatch.setattr(keyring, "get_keyring", lambda: PlaintextKeyring())
    with pytest.raises(StoreError, match="no OS keyring answers .* --store file"):
        KeyringStore("s").set("k", "v")


def test_a_keyring_gone_away_is_exit_5(home, tmp_path):
    """A profile signed in earlier whose keyring no longer answers (no D-Bus session): exit 5, saying so."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "profiles.json").write_text(json.dumps({"default": "p", "profiles": {"p": {
        "provider": {"issuer": "https://login.example.com", "client_id": "x"}, "allowed_origins": [], "store": "keyring"}}}))
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path}/no-bus")
    r = run_cli("token", env=env, ok=False)
    assert r.returncode == errors.EXIT_NO_STORAGE and "no OS keyring answers" in r.stderr, r.stderr
