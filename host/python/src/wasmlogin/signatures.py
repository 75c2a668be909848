"""verify_signature (wit/flow.wit, interface crypto): the plugin's JWS signature checks, done by the `cryptography`
package (OpenSSL). The plugin chooses the key and the algorithm; this module only answers whether the signature
holds, and refuses a request that is itself unusable, since a hostile guest may send anything."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


class UnusableRequest(Exception):
    """The request itself is unusable (an unknown alg, a malformed key): the host answers error code bad_input."""
    code = "bad_input"


# The JWS algorithms (RFC 7518 3.1, RFC 8037 3.1): alg -> (key type, curve, hash).
ALGS: dict[str, tuple[str, Optional[str], Any]] = {f"{kind}{bits}": ("RSA", None, getattr(hashes, f"SHA{bits}")) for kind in ("RS", "PS") for bits in (256, 384, 512)}
ALGS |= {"ES256": ("EC", "P-256", hashes.SHA256), "ES384": ("EC", "P-384", hashes.SHA384),
         "ES512": ("EC", "P-521", hashes.SHA512), "EdDSA": ("OKP", "Ed25519", None)}
CURVES = {"P-256": (ec.SECP256R1, 32), "P-384": (ec.SECP384R1, 48), "P-521": (ec.SECP521R1, 66)}  # curve, coordinate bytes


def b64url(text: Any) -> Optional[bytes]:
    """The bytes of unpadded base64url text (RFC 7515 2), or None for anything else: other characters, padding, a
    length no encoding has, or unused bits set (the text must be what encoding gives back)."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == text else None


def member(jwk, name, size=None):  # a JWK member's bytes, of the given length if any
    raw = b64url(jwk.get(name))
    if raw is None or size and len(raw) != size:
        raise UnusableRequest(f"the key's {name!r} is not base64url" + (f" of {size} bytes" if size else ""))
    return raw


def public_key(alg, jwk):
    """The key alg needs, from the JWK members that define it (never `d`: a private key is not accepted in its
    place). RSA keys must have 2048..8192 bits and an odd exponent in 3..2^31-1: a smaller modulus is breakable, a
    larger one or a huge exponent only costs time."""
    kty, crv, _ = ALGS[alg]
    if not isinstance(jwk, dict) or jwk.get("kty") != kty or crv and jwk.get("crv") != crv:
        got = jwk.get("crv") or jwk.get("kty") if isinstance(jwk, dict) else None
        raise UnusableRequest(f"{alg} needs a {crv or kty} key, not {got!r}")
    try:
        if kty == "RSA":
            n, e = (int.from_bytes(member(jwk, name), "big") for name in ("n", "e"))
            if not 2048 <= n.bit_length() <= 8192:
                raise UnusableRequest(f"the RSA modulus has {n.bit_length()} bits; 2048 to 8192 are accepted")
            if e % 2 == 0 or not 3 <= e <= 2**31 - 1:
                raise UnusableRequest(f"the RSA exponent {e} is not odd and in 3..2^31-1")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if kty == "EC":
            curve, size = CURVES[crv]
            x, y = (int.from_bytes(member(jwk, name, size), "big") for name in ("x", "y"))
            return ec.EllipticCurvePublicNumbers(x, y, curve()).public_key()
        return ed25519.Ed25519PublicKey.from_public_bytes(member(jwk, "x", 32))
    except ValueError as e:  # not a point on the curve, an RSA key OpenSSL refuses
        raise UnusableRequest(f"the {crv or kty} key is malformed ({e})") from None


def check(alg, key, signature, message):  # raises InvalidSignature (or ValueError) unless the signature holds
    kty, crv, hash = ALGS[alg]
    if alg.startswith("RS"):
        key.verify(signature, message, padding.PKCS1v15(), hash())
    elif alg.startswith("PS"):  # MGF1 with the same hash, a salt as long as the hash (RFC 7518 3.5)
        key.verify(signature, message, padding.PSS(padding.MGF1(hash()), hash.digest_size), hash())
    elif kty == "EC":  # JWS signatures are r || s, each as long as a coordinate (RFC 7518 3.4); OpenSSL takes DER
        size = CURVES[crv][1]
        if len(signature) != 2 * size:
            raise InvalidSignature
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hash()))
    else:
        key.verify(signature, message)


def verify_signature(req: dict[str, Any]) -> dict[str, bool]:
    """{"valid": bool} for {alg, jwk, message, signature}. An unusable request raises UnusableRequest; a signature that is
    wrong in any way, malformed included, is {"valid": False}, never an exception."""
    alg = req.get("alg")
    if not isinstance(alg, str) or alg not in ALGS:
        raise UnusableRequest(f"unknown alg {alg!r}; expected one of {', '.join(ALGS)}")
    key = public_key(alg, req.get("jwk"))
    message, signature = b64url(req.get("message")), b64url(req.get("signature"))
    if message is None:
        raise UnusableRequest("the message is not unpadded base64url")
    if signature is None:
        return {"valid": False}
    try:
        check(alg, key, signature, message)
        return {"valid": True}
    except Exception:  # InvalidSignature, or a signature OpenSSL cannot even parse
        return {"valid": False}
