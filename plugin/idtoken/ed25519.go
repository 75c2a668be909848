package idtoken

// Ed25519 signature verification (EdDSA, RFC 8037) on package modn.
//
// crypto/ed25519 is not used on purpose: it links the FIPS 140 module's
// constant-time edwards25519 code, signing with its DRBG, and SHA-512, about
// 140 kB of the Wasm plugin. Verification handles only public values, so
// this follows crypto/ed25519.Verify (crypto/internal/fips140/ed25519 and
// edwards25519, Copyright The Go Authors, BSD licence in GO-LICENSE) with plain modular
// arithmetic: the same decoding rules for the key, the same canonical-S
// check, and the same cofactorless equation R = [S]B - [k]A, compared as
// encodings. ed25519_test.go holds the verdicts to crypto/ed25519.

import (
	"bytes"
	"slices"

	"github.com/wasmlogin/wasmlogin/plugin/internal/modn"
	"github.com/wasmlogin/wasmlogin/plugin/internal/sha2"
)

// edP is the field modulus 2²⁵⁵ - 19, edL the order of the base point.
var (
	edP = modn.NewModulus(hexBytes("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed"))
	edL = modn.NewModulus(hexBytes("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed"))
)

// edD is the curve constant d = -121665/121666, edD2 is 2d, and edSqrtM1
// is 2^((p-1)/4), a square root of -1 (RFC 8032 5.1); ed25519_test.go
// checks the three.
var (
	edD      = edP.Reduce(hexBytes("52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3"))
	edD2     = edP.Add(edD, edD)
	edSqrtM1 = edP.Reduce(hexBytes("2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0"))
)

// edPoint is a point of the curve -x² + y² = 1 + d·x²·y² in extended
// coordinates: x = X/Z, y = Y/Z, x·y = T/Z.
type edPoint struct{ x, y, z, t modn.Elem }

// edBase is the base point B, decoded from its RFC 8032 encoding.
var edBase, _ = edDecode(hexBytes("5866666666666666666666666666666666666666666666666666666666666666"))

// ed25519Verify reports whether sig is a valid signature of msg by the
// 32-byte public key pub.
func ed25519Verify(pub, msg, sig []byte) bool {
	if len(pub) != 32 || len(sig) != 64 || sig[63]&224 != 0 {
		return false
	}
	a, ok := edDecode(pub)
	if !ok {
		return false
	}
	// S must be canonical, less than L (RFC 8032 5.1.7 step 1).
	s := slices.Clone(sig[32:])
	slices.Reverse(s)
	if _, ok := edL.FromBytes(s); !ok {
		return false
	}
	// k = SHA-512(R || A || M) mod L, the digest read little-endian.
	h := sha2.Sum512(slices.Concat(sig[:32], pub, msg))
	slices.Reverse(h[:])
	k := edL.Bytes(edL.Reduce(h[:]))

	// [S]B + [k](-A), bit by bit from the top, both sharing the doublings.
	minusA := edPoint{edP.Sub(edP.Zero(), a.x), a.y, a.z, edP.Sub(edP.Zero(), a.t)}
	r := edPoint{edP.Zero(), edP.One(), edP.One(), edP.Zero()}
	for i := range 256 {
		r = edAdd(r, r)
		if bit(s, i) == 1 {
			r = edAdd(r, edBase)
		}
		if bit(k, i) == 1 {
			r = edAdd(r, minusA)
		}
	}
	return bytes.Equal(edEncode(r), sig[:32])
}

// edDecode reads a point as crypto/ed25519 does (RFC 8032 5.1.3, except
// that, like most implementations, it accepts y ≥ p and a set sign bit
// with x = 0).
func edDecode(b []byte) (edPoint, bool) {
	yb := slices.Clone(b)
	sign := yb[31] >> 7
	yb[31] &= 0x7f
	slices.Reverse(yb)
	y := edP.Reduce(yb)

	// x² = (y² - 1) / (d·y² + 1) = u/v; x = u·v³·(u·v⁷)^((p-5)/8) when
	// v·x² = u, times √-1 when v·x² = -u, and no point otherwise.
	one := edP.One()
	y2 := edP.Mul(y, y)
	u := edP.Sub(y2, one)
	v := edP.Add(edP.Mul(edD, y2), one)
	v3 := edP.Mul(edP.Mul(v, v), v)
	uv7 := edP.Mul(edP.Mul(u, v3), edP.Mul(v3, v))
	x := edP.Mul(edP.Mul(u, v3), edP.Exp(uv7, hexBytes("0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd")))
	check := edP.Mul(v, edP.Mul(x, x))
	switch {
	case edP.Equal(check, u):
	case edP.Equal(check, edP.Sub(edP.Zero(), u)):
		x = edP.Mul(x, edSqrtM1)
	default:
		return edPoint{}, false
	}
	// The root whose canonical encoding is even, negated if the sign bit
	// is set.
	if (edP.Bytes(x)[31]&1 == 1) != (sign == 1) {
		x = edP.Sub(edP.Zero(), x)
	}
	return edPoint{x, y, one, edP.Mul(x, y)}, true
}

// edEncode returns the canonical encoding: y little-endian, with the low
// bit of x in the top bit.
func edEncode(p edPoint) []byte {
	zinv := edP.Inverse(p.z)
	x := edP.Bytes(edP.Mul(p.x, zinv))
	y := edP.Bytes(edP.Mul(p.y, zinv))
	y[0] |= (x[31] & 1) << 7
	slices.Reverse(y)
	return y
}

// edAdd returns p + q with the complete formula for a = -1 (add-2008-hwcd-3
// of https://hyperelliptic.org/EFD/g1p/auto-twisted-extended-1.html), which
// also doubles and handles the identity.
func edAdd(p, q edPoint) edPoint {
	a := edP.Mul(edP.Sub(p.y, p.x), edP.Sub(q.y, q.x))
	b := edP.Mul(edP.Add(p.y, p.x), edP.Add(q.y, q.x))
	c := edP.Mul(edP.Mul(p.t, edD2), q.t)
	d := edP.Mul(p.z, q.z)
	d = edP.Add(d, d)
	e, f, g, h := edP.Sub(b, a), edP.Sub(d, c), edP.Add(d, c), edP.Add(b, a)
	return edPoint{edP.Mul(e, f), edP.Mul(g, h), edP.Mul(f, g), edP.Mul(e, h)}
}
