"""verify_signature against Project Wycheproof's signature vectors (shared/testdata/wycheproof, README there), and
the requests it must refuse. Every "valid" case must verify, every "invalid" one must not; "acceptable" cases
(legacy encodings a verifier may take or leave) must only not crash."""
import base64, json, os
from collections import Counter
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from wasmlogin.signatures import UnusableRequest, verify_signature

# In CI the repository is cloned beside a copy of shared/.
VECTORS = Path(__file__).resolve().parents[3].parent / "shared/testdata/wycheproof"
FILES = {
    "rsa_signature_2048_sha256_test.json": "RS256", "rsa_signature_2048_sha384_test.json": "RS384",
    "rsa_signature_2048_sha512_test.json": "RS512", "rsa_signature_4096_sha256_test.json": "RS256",
    "rsa_pss_2048_sha256_mgf1_32_test.json": "PS256", "rsa_pss_2048_sha384_mgf1_48_test.json": "PS384",
    "rsa_pss_4096_sha512_mgf1_64_test.json": "PS512",
    "ecdsa_secp256r1_sha256_p1363_test.json": "ES256", "ecdsa_secp384r1_sha384_p1363_test.json": "ES384",
    "ecdsa_secp521r1_sha512_p1363_test.json": "ES512", "ed25519_test.json": "EdDSA",
}
EC = {"ES256": ("P-256", 32), "ES384": ("P-384", 48), "ES512": ("P-521", 66)}
totals = Counter()


@pytest.fixture(scope="module")
def vectors():
    if not VECTORS.is_dir():
        msg = f"the Wycheproof vectors are not at {VECTORS} (shared/ beside the repository)"
        pytest.fail(msg) if os.environ.get("CI") == "true" else pytest.skip(msg)
    return VECTORS


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def group_key(alg, group):  # the group's JWK; a few ECDSA groups (edge-case keys) give only the coordinates, in hex
    if jwk := group.get("keyJwk") or group.get("publicKeyJwk"):
        return jwk
    crv, size = EC[alg]
    point = group["publicKey"]
    return {"kty": "EC", "crv": crv, **{c: b64(int(point["w" + c], 16).to_bytes(size, "big")) for c in "xy"}}


@pytest.mark.parametrize("name,alg", FILES.items())
def test_wycheproof(vectors, name, alg):
    data = json.loads((vectors / name).read_text())
    totals["cases"] += data["numberOfTests"]
    failures = []
    for group in data["testGroups"]:
        jwk = group_key(alg, group)
        for t in group["tests"]:
            valid = verify_signature({"alg": alg, "jwk": jwk, "message": b64(bytes.fromhex(t["msg"])),
                                      "signature": b64(bytes.fromhex(t["sig"]))})["valid"]
            if t["result"] == "acceptable":
                totals["acceptable"] += 1
                totals["accepted of acceptable"] += valid
            elif valid == (t["result"] == "valid"):
                totals["passed"] += 1
            else:
                failures.append(f"tcId {t['tcId']} ({t['comment']}): want {t['result']}, got valid={valid}")
    totals["failed"] += len(failures)
    assert failures == []


def test_wycheproof_summary(vectors, capsys):
    with capsys.disabled():
        print(f"\nwycheproof: {totals['passed']} passed, {totals['failed']} failed ({len(FILES)} files; "
              f"{totals['acceptable']} acceptable run, {totals['accepted of acceptable']} of them accepted)")
    assert totals["passed"] + totals["failed"] + totals["acceptable"] == totals["cases"]  # every case ran


# ---- what a hostile guest may send ----

MESSAGE = b"header.payload"
RSA_KEY = rsa.generate_private_key(65537, 2048)
P256_KEY, ED_KEY = ec.generate_private_key(ec.SECP256R1()), ed25519.Ed25519PrivateKey.generate()


def n_e(key):
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "n": b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")), "e": b64(numbers.e.to_bytes(3, "big"))}


def ec_jwk(key, crv="P-256", size=32):
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": crv, "x": b64(numbers.x.to_bytes(size, "big")), "y": b64(numbers.y.to_bytes(size, "big"))}


def p1363(der):
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


KEYS = {"RS256": n_e(RSA_KEY), "PS256": n_e(RSA_KEY), "ES256": ec_jwk(P256_KEY),
        "EdDSA": {"kty": "OKP", "crv": "Ed25519", "x": b64(ED_KEY.public_key().public_bytes_raw())}}
SIGS = {"RS256": RSA_KEY.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256()),
        "PS256": RSA_KEY.sign(MESSAGE, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()),
        "ES256": p1363(P256_KEY.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))), "EdDSA": ED_KEY.sign(MESSAGE)}


def verify(alg, jwk=None, message=b64(MESSAGE), signature=None):
    return verify_signature({"alg": alg, "jwk": KEYS.get(alg) if jwk is None else jwk, "message": message,
                             "signature": b64(SIGS[alg]) if signature is None else signature})


def refused(pattern, *args, **kwargs):
    with pytest.raises(UnusableRequest, match=pattern):
        verify(*args, **kwargs)


def test_good_signatures_verify_and_rs_ps_are_not_interchangeable():
    for alg in SIGS:
        assert verify(alg) == {"valid": True}, alg
    assert verify("PS256", signature=b64(SIGS["RS256"])) == {"valid": False}
    assert verify("RS256", signature=b64(SIGS["PS256"])) == {"valid": False}


def test_a_bad_signature_of_any_shape_is_invalid_never_an_error():
    for alg, good in SIGS.items():
        flipped = bytearray(good)
        flipped[5] ^= 1
        for signature in [b64(flipped), "", b64(good[1:]), b64(good + b"\0"), b64(os.urandom(10_000)), "not base64!",
                          b64(good) + "=", b64(good)[:-1], 42, [], {"a": 1}]:
            assert verify(alg, signature=signature) == {"valid": False}, (alg, str(signature)[:20])
        assert verify(alg, message=b64(b"other")) == {"valid": False}


@pytest.mark.parametrize("alg", ["none", "HS256", "es256", "RS1", "ES256K", "Ed25519", "", None, 7, "__class__"])
def test_unknown_algorithms(alg):
    with pytest.raises(UnusableRequest, match="unknown alg"):
        verify_signature({"alg": alg, "jwk": KEYS["RS256"], "message": "", "signature": ""})


def test_a_key_of_another_type_or_curve():
    p384 = ec_jwk(ec.generate_private_key(ec.SECP384R1()), "P-384", 48)
    refused("needs a P-256 key", "ES256", KEYS["RS256"])
    refused("needs a P-256 key, not 'P-384'", "ES256", p384)
    refused("needs a P-384 key", "ES384", KEYS["ES256"], signature="")
    refused("needs a P-521 key", "ES512", KEYS["ES256"], signature="")
    refused("needs a RSA key", "RS256", KEYS["ES256"])
    refused("needs a RSA key", "PS256", KEYS["EdDSA"])
    refused("needs a Ed25519 key", "EdDSA", KEYS["ES256"])
    refused("needs a Ed25519 key", "EdDSA", dict(KEYS["EdDSA"], crv="Ed448"))
    for jwk in ["RSA", [], {}, 0]:
        refused("needs a RSA key", "RS256", jwk)


def test_malformed_keys():
    jwk = KEYS["ES256"]
    refused("malformed", "ES256", dict(jwk, y=jwk["x"]))  # not on the curve
    refused("'x' is not base64url of 32 bytes", "ES256", dict(jwk, x=jwk["x"][2:]))
    refused("'y'", "ES256", {k: v for k, v in jwk.items() if k != "y"})
    refused("'x' is not base64url of 32 bytes", "EdDSA", dict(KEYS["EdDSA"], x=b64(os.urandom(31))))
    refused("'n' is not base64url", "RS256", dict(KEYS["RS256"], n=KEYS["RS256"]["n"] + "="))
    refused("'n'", "RS256", dict(KEYS["RS256"], n=KEYS["RS256"]["n"][:9] + "+" + KEYS["RS256"]["n"][10:]))
    refused("'e'", "RS256", dict(KEYS["RS256"], e=7))


def test_a_private_key_member_is_never_used():
    private = dict(KEYS["ES256"], d=b64(P256_KEY.private_numbers().private_value.to_bytes(32, "big")))
    assert verify("ES256", private) == {"valid": True}


def test_rsa_modulus_and_exponent_limits():
    def modulus(bits):
        n = bytearray(os.urandom(bits // 8))
        n[0] |= 0x80
        n[-1] |= 1
        return b64(bytes(n))

    def key(n, e=65537):
        return {"kty": "RSA", "n": n, "e": b64(e.to_bytes((e.bit_length() + 7) // 8, "big"))}
    refused("1024 bits", "RS256", n_e(rsa.generate_private_key(65537, 1024)))
    refused("2040 bits", "RS256", key(modulus(2040)))
    refused("8200 bits", "RS256", key(modulus(8200)))
    assert verify("RS256", key(modulus(8192))) == {"valid": False}  # accepted size, wrong key
    for e in (1, 2, 65536, 2**31 + 1, 2**33 + 1):
        refused("exponent", "RS256", key(KEYS["RS256"]["n"], e))
    for e in (3, 65537, 2**31 - 1):
        assert verify("RS256", key(KEYS["RS256"]["n"], e))["valid"] == (e == 65537)


def test_the_message_must_be_base64url():
    refused("message", "RS256", message="a+b")
    refused("message", "RS256", message=None)
