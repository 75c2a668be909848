package idtoken

// ECDSA signature verification (ES256, ES384, ES512) on package modn.
//
// crypto/ecdsa is not used on purpose: importing it links the constant-time
// implementations of all four NIST curves (P-224 included), crypto/elliptic,
// the signing code with its DRBG, and encoding/asn1, which together make up
// about a million bytes of the Wasm plugin. Verification only handles
// public values (the key, the signed data and the signature), so it does
// not need to run in constant time.
//
// The code follows the generic path that the standard library keeps for
// custom curves: verifyLegacy in crypto/ecdsa/ecdsa_legacy.go and the
// Jacobian formulas of crypto/elliptic/params.go (Copyright The Go Authors, see GO-LICENSE,
// BSD licence). ecdsa_test.go checks it against crypto/ecdsa.

import "github.com/wasmlogin/wasmlogin/plugin/internal/modn"

// ecCurve is a short Weierstrass curve y² = x³ - 3x + b over GF(p) whose
// base point (gx, gy) has prime order n and cofactor 1, as P-256, P-384 and
// P-521 (FIPS 186-5, SP 800-186) are.
type ecCurve struct {
	crv  string // the JWK "crv" name
	alg  string // the one JWS algorithm used with this curve (RFC 7518 3.4)
	size int    // bytes in a coordinate, and in each half of a signature

	p, n      *modn.Modulus
	b, gx, gy modn.Elem // mod p
}

var ecCurves = []*ecCurve{
	newCurve("P-256", "ES256", 32,
		"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
		"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
		"5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
		"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
		"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
	newCurve("P-384", "ES384", 48,
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"+
			"ffffffff0000000000000000ffffffff",
		"ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"+
			"581a0db248b0a77aecec196accc52973",
		"b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a"+
			"c656398d8a2ed19d2a85c8edd3ec2aef",
		"aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38"+
			"5502f25dbf55296c3a545e3872760ab7",
		"3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0"+
			"0a60b1ce1d7e819d7a431d7c90ea0e5f"),
	newCurve("P-521", "ES512", 66,
		"01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"+
			"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"+
			"fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
		"0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109"+
			"e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
		"00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3d"+
			"baa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
		"011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e66"+
			"2c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650"),
}

// newCurve builds a curve from its hex constants: the field prime p, the
// order n, the coefficient b and the base point (gx, gy).
func newCurve(crv, alg string, size int, p, n, b, gx, gy string) *ecCurve {
	c := &ecCurve{crv: crv, alg: alg, size: size,
		p: modn.NewModulus(hexBytes(p)), n: modn.NewModulus(hexBytes(n))}
	c.b = c.p.Reduce(hexBytes(b))
	c.gx = c.p.Reduce(hexBytes(gx))
	c.gy = c.p.Reduce(hexBytes(gy))
	return c
}

// hexBytes decodes a constant. encoding/hex would do, but is one more
// package in the plugin for a few constants.
func hexBytes(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		b[i] = hexDigit(s[2*i])<<4 | hexDigit(s[2*i+1])
	}
	return b
}

func hexDigit(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	panic("idtoken: bad hex constant")
}

func ecCurveByName(crv string) *ecCurve {
	for _, c := range ecCurves {
		if c.crv == crv {
			return c
		}
	}
	return nil
}

// ecPublicKey is a validated point of curve (never the point at infinity,
// which an affine JWK cannot express).
type ecPublicKey struct {
	curve *ecCurve
	x, y  modn.Elem
}

// publicKey checks that the big-endian coordinates, each curve.size bytes,
// name a point on the curve (SEC 1 3.2.2.1: coordinates in [0, p-1], curve
// equation). With cofactor 1 that is all the validation a key needs.
func (c *ecCurve) publicKey(xb, yb []byte) (*ecPublicKey, bool) {
	if len(xb) != c.size || len(yb) != c.size {
		return nil, false
	}
	x, okx := c.p.FromBytes(xb)
	y, oky := c.p.FromBytes(yb)
	if !okx || !oky || !c.p.Equal(c.p.Mul(y, y), c.polynomial(x)) {
		return nil, false
	}
	return &ecPublicKey{curve: c, x: x, y: y}, true
}

// polynomial returns x³ - 3x + b mod p.
func (c *ecCurve) polynomial(x modn.Elem) modn.Elem {
	p := c.p
	threeX := p.Add(p.Add(x, x), x)
	return p.Add(p.Sub(p.Mul(p.Mul(x, x), x), threeX), c.b)
}

// verify checks an RFC 7518 3.4 signature (R and S as fixed-size big-endian
// integers, not ASN.1) of digest, following SEC 1 v2 4.1.4.
func (pub *ecPublicKey) verify(digest, sig []byte) bool {
	c := pub.curve
	if len(sig) != 2*c.size {
		return false
	}
	r, okr := c.n.FromBytes(sig[:c.size])
	s, oks := c.n.FromBytes(sig[c.size:])
	if !okr || !oks || c.n.IsZero(r) || c.n.IsZero(s) {
		return false
	}
	e := c.n.Reduce(c.hashToInt(digest))
	w := c.n.Inverse(s) // n is prime and 0 < s < n
	u1 := c.n.Bytes(c.n.Mul(e, w))
	u2 := c.n.Bytes(c.n.Mul(r, w))

	x, _, z := c.twoScalarMult(u1, pub.x, pub.y, u2)
	if c.p.IsZero(z) { // u1·G + u2·Q is the point at infinity
		return false
	}
	// Affine x = X/Z², reduced mod n.
	zinv := c.p.Inverse(z)
	x = c.p.Mul(x, c.p.Mul(zinv, zinv))
	return c.n.Equal(c.n.Reduce(c.p.Bytes(x)), r)
}

// hashToInt converts a digest to an integer as SEC 1 4.1.3 step 5 does:
// its leftmost bits, as many as n has, as big-endian bytes.
func (c *ecCurve) hashToInt(digest []byte) []byte {
	orderBits := c.n.BitLen()
	orderBytes := (orderBits + 7) / 8
	if len(digest) > orderBytes {
		digest = digest[:orderBytes]
	}
	excess := len(digest)*8 - orderBits
	if excess <= 0 {
		return digest
	}
	e := make([]byte, len(digest))
	for i := range e {
		e[i] = digest[i] >> excess
		if i > 0 {
			e[i] |= digest[i-1] << (8 - excess)
		}
	}
	return e
}

// twoScalarMult returns u1·G + u2·(qx, qy) in Jacobian coordinates (x = X/Z²,
// y = Y/Z³; Z = 0 is the point at infinity), for big-endian scalars. Both
// products share one chain of doublings (Shamir's trick), which halves the
// work of computing them one after the other.
func (c *ecCurve) twoScalarMult(u1 []byte, qx, qy modn.Elem, u2 []byte) (x, y, z modn.Elem) {
	one := c.p.One()
	// G+Q; addJacobian handles G = Q (doubling) and G = -Q (infinity).
	sx, sy, sz := c.addJacobian(c.gx, c.gy, one, qx, qy, one)
	x, y, z = c.p.Zero(), c.p.Zero(), c.p.Zero() // the point at infinity
	for i := range 8 * len(u1) {
		x, y, z = c.doubleJacobian(x, y, z)
		switch bit(u1, i)<<1 | bit(u2, i) {
		case 0b10:
			x, y, z = c.addJacobian(c.gx, c.gy, one, x, y, z)
		case 0b01:
			x, y, z = c.addJacobian(qx, qy, one, x, y, z)
		case 0b11:
			x, y, z = c.addJacobian(sx, sy, sz, x, y, z)
		}
	}
	return x, y, z
}

// bit returns bit i of big-endian b, counting from the most significant.
func bit(b []byte, i int) byte { return b[i/8] >> (7 - i%8) & 1 }

// addJacobian returns (x1, y1, z1) + (x2, y2, z2); see
// https://hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3.html#addition-add-2007-bl
func (c *ecCurve) addJacobian(x1, y1, z1, x2, y2, z2 modn.Elem) (modn.Elem, modn.Elem, modn.Elem) {
	p := c.p
	if p.IsZero(z1) {
		return x2, y2, z2
	}
	if p.IsZero(z2) {
		return x1, y1, z1
	}
	z1z1 := p.Mul(z1, z1)
	z2z2 := p.Mul(z2, z2)
	u1 := p.Mul(x1, z2z2)
	u2 := p.Mul(x2, z1z1)
	s1 := p.Mul(y1, p.Mul(z2, z2z2))
	s2 := p.Mul(y2, p.Mul(z1, z1z1))
	h := p.Sub(u2, u1)
	r := p.Sub(s2, s1)
	if p.IsZero(h) && p.IsZero(r) {
		return c.doubleJacobian(x1, y1, z1)
	}
	i := p.Add(h, h)
	i = p.Mul(i, i)
	j := p.Mul(h, i)
	r = p.Add(r, r)
	v := p.Mul(u1, i)

	x3 := p.Sub(p.Sub(p.Sub(p.Mul(r, r), j), v), v)
	s1j := p.Mul(s1, j)
	y3 := p.Sub(p.Mul(r, p.Sub(v, x3)), p.Add(s1j, s1j))
	z1z2 := p.Add(z1, z2)
	z3 := p.Mul(p.Sub(p.Sub(p.Mul(z1z2, z1z2), z1z1), z2z2), h)
	return x3, y3, z3
}

// doubleJacobian returns 2·(x, y, z), for curves with a = -3; see
// https://hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3.html#doubling-dbl-2001-b
func (c *ecCurve) doubleJacobian(x, y, z modn.Elem) (modn.Elem, modn.Elem, modn.Elem) {
	p := c.p
	delta := p.Mul(z, z)
	gamma := p.Mul(y, y)
	beta := p.Mul(x, gamma)
	alpha := p.Mul(p.Sub(x, delta), p.Add(x, delta))
	alpha = p.Add(p.Add(alpha, alpha), alpha)

	beta4 := p.Add(beta, beta)
	beta4 = p.Add(beta4, beta4)
	x3 := p.Sub(p.Mul(alpha, alpha), p.Add(beta4, beta4))

	yz := p.Add(y, z)
	z3 := p.Sub(p.Sub(p.Mul(yz, yz), gamma), delta)

	gamma8 := p.Mul(gamma, gamma)
	gamma8 = p.Add(gamma8, gamma8)
	gamma8 = p.Add(gamma8, gamma8)
	gamma8 = p.Add(gamma8, gamma8)
	y3 := p.Sub(p.Mul(alpha, p.Sub(beta4, x3)), gamma8)
	return x3, y3, z3
}
