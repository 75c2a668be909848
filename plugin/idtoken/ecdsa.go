package idtoken

// ECDSA signature verification (ES256, ES384, ES512) on math/big.
//
// crypto/ecdsa is not used on purpose: importing it links the constant-time
// implementations of all four NIST curves (P-224 included), crypto/elliptic,
// the signing code with its DRBG, and encoding/asn1, which together make up
// about a million bytes of the Wasm plugin (RSA verification needs math/big
// anyway). Verification only handles public values (the key, the signed
// data and the signature), so it does not need to run in constant time.
//
// The code follows the generic path that the standard library keeps for
// custom curves: verifyLegacy in crypto/ecdsa/ecdsa_legacy.go and the
// Jacobian formulas of crypto/elliptic/params.go (Copyright The Go Authors,
// BSD licence). ecdsa_test.go checks it against crypto/ecdsa.

import "math/big"

// ecCurve is a short Weierstrass curve y² = x³ - 3x + b over GF(p) whose
// base point (gx, gy) has prime order n and cofactor 1, as P-256, P-384 and
// P-521 (FIPS 186-5, SP 800-186) are.
type ecCurve struct {
	crv  string // the JWK "crv" name
	alg  string // the one JWS algorithm used with this curve (RFC 7518 3.4)
	size int    // bytes in a coordinate, and in each half of a signature

	p, n, b, gx, gy *big.Int
}

var ecCurves = []*ecCurve{
	{
		crv: "P-256", alg: "ES256", size: 32,
		p:  hexInt("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
		n:  hexInt("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
		b:  hexInt("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
		gx: hexInt("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
		gy: hexInt("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
	},
	{
		crv: "P-384", alg: "ES384", size: 48,
		p: hexInt("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe" +
			"ffffffff0000000000000000ffffffff"),
		n: hexInt("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf" +
			"581a0db248b0a77aecec196accc52973"),
		b: hexInt("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a" +
			"c656398d8a2ed19d2a85c8edd3ec2aef"),
		gx: hexInt("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38" +
			"5502f25dbf55296c3a545e3872760ab7"),
		gy: hexInt("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0" +
			"0a60b1ce1d7e819d7a431d7c90ea0e5f"),
	},
	{
		crv: "P-521", alg: "ES512", size: 66,
		p: hexInt("01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
			"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		n: hexInt("01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
			"fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"),
		b: hexInt("0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109" +
			"e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00"),
		gx: hexInt("00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3d" +
			"baa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66"),
		gy: hexInt("011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e66" +
			"2c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650"),
	},
}

// hexInt decodes a constant. strconv and big.Int.SetString would do, but
// this keeps math/big's parsing code out of the plugin.
func hexInt(s string) *big.Int {
	b := make([]byte, len(s)/2)
	for i := range b {
		b[i] = hexDigit(s[2*i])<<4 | hexDigit(s[2*i+1])
	}
	return new(big.Int).SetBytes(b)
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
	x, y  *big.Int
}

// publicKey checks that the big-endian coordinates, each curve.size bytes,
// name a point on the curve (SEC 1 3.2.2.1: coordinates in [0, p-1], curve
// equation). With cofactor 1 that is all the validation a key needs.
func (c *ecCurve) publicKey(xb, yb []byte) (*ecPublicKey, bool) {
	if len(xb) != c.size || len(yb) != c.size {
		return nil, false
	}
	x, y := new(big.Int).SetBytes(xb), new(big.Int).SetBytes(yb)
	if x.Cmp(c.p) >= 0 || y.Cmp(c.p) >= 0 {
		return nil, false
	}
	// y² = x³ - 3x + b
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, c.p)
	if c.polynomial(x).Cmp(y2) != 0 {
		return nil, false
	}
	return &ecPublicKey{curve: c, x: x, y: y}, true
}

// polynomial returns x³ - 3x + b mod p.
func (c *ecCurve) polynomial(x *big.Int) *big.Int {
	x3 := new(big.Int).Mul(x, x)
	x3.Mul(x3, x)
	threeX := new(big.Int).Lsh(x, 1)
	threeX.Add(threeX, x)
	x3.Sub(x3, threeX)
	x3.Add(x3, c.b)
	x3.Mod(x3, c.p)
	return x3
}

// verify checks an RFC 7518 3.4 signature (R and S as fixed-size big-endian
// integers, not ASN.1) of digest, following SEC 1 v2 4.1.4.
func (pub *ecPublicKey) verify(digest, sig []byte) bool {
	c := pub.curve
	if len(sig) != 2*c.size {
		return false
	}
	r := new(big.Int).SetBytes(sig[:c.size])
	s := new(big.Int).SetBytes(sig[c.size:])
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(c.n) >= 0 || s.Cmp(c.n) >= 0 {
		return false
	}
	e := c.hashToInt(digest)
	w := new(big.Int).ModInverse(s, c.n) // n is prime and 0 < s < n
	if w == nil {
		return false
	}
	u1 := e.Mul(e, w)
	u1.Mod(u1, c.n)
	u2 := w.Mul(r, w)
	u2.Mod(u2, c.n)

	x, _, z := c.twoScalarMult(u1, pub.x, pub.y, u2)
	if z.Sign() == 0 { // u1·G + u2·Q is the point at infinity
		return false
	}
	// Affine x = X/Z², reduced mod n.
	zinv := new(big.Int).ModInverse(z, c.p)
	zinv.Mul(zinv, zinv)
	x.Mul(x, zinv)
	x.Mod(x, c.p)
	x.Mod(x, c.n)
	return x.Cmp(r) == 0
}

// hashToInt converts a digest to an integer as SEC 1 4.1.3 step 5 does:
// its leftmost bits, as many as n has.
func (c *ecCurve) hashToInt(digest []byte) *big.Int {
	orderBits := c.n.BitLen()
	orderBytes := (orderBits + 7) / 8
	if len(digest) > orderBytes {
		digest = digest[:orderBytes]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - orderBits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// twoScalarMult returns u1·G + u2·(qx, qy) in Jacobian coordinates (x = X/Z²,
// y = Y/Z³; Z = 0 is the point at infinity). Both products share one chain
// of doublings (Shamir's trick), which halves the work of computing them
// one after the other.
func (c *ecCurve) twoScalarMult(u1, qx, qy, u2 *big.Int) (x, y, z *big.Int) {
	one := big.NewInt(1)
	// G+Q; addJacobian handles G = Q (doubling) and G = -Q (infinity).
	sx, sy, sz := c.addJacobian(c.gx, c.gy, one, qx, qy, one)
	x, y, z = new(big.Int), new(big.Int), new(big.Int)
	for i := max(u1.BitLen(), u2.BitLen()) - 1; i >= 0; i-- {
		x, y, z = c.doubleJacobian(x, y, z)
		switch u1.Bit(i)<<1 | u2.Bit(i) {
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

// addJacobian returns (x1, y1, z1) + (x2, y2, z2); see
// https://hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3.html#addition-add-2007-bl
func (c *ecCurve) addJacobian(x1, y1, z1, x2, y2, z2 *big.Int) (*big.Int, *big.Int, *big.Int) {
	x3, y3, z3 := new(big.Int), new(big.Int), new(big.Int)
	if z1.Sign() == 0 {
		x3.Set(x2)
		y3.Set(y2)
		z3.Set(z2)
		return x3, y3, z3
	}
	if z2.Sign() == 0 {
		x3.Set(x1)
		y3.Set(y1)
		z3.Set(z1)
		return x3, y3, z3
	}

	z1z1 := new(big.Int).Mul(z1, z1)
	z1z1.Mod(z1z1, c.p)
	z2z2 := new(big.Int).Mul(z2, z2)
	z2z2.Mod(z2z2, c.p)

	u1 := new(big.Int).Mul(x1, z2z2)
	u1.Mod(u1, c.p)
	u2 := new(big.Int).Mul(x2, z1z1)
	u2.Mod(u2, c.p)
	h := new(big.Int).Sub(u2, u1)
	xEqual := h.Sign() == 0
	if h.Sign() == -1 {
		h.Add(h, c.p)
	}
	i := new(big.Int).Lsh(h, 1)
	i.Mul(i, i)
	j := new(big.Int).Mul(h, i)

	s1 := new(big.Int).Mul(y1, z2)
	s1.Mul(s1, z2z2)
	s1.Mod(s1, c.p)
	s2 := new(big.Int).Mul(y2, z1)
	s2.Mul(s2, z1z1)
	s2.Mod(s2, c.p)
	r := new(big.Int).Sub(s2, s1)
	if r.Sign() == -1 {
		r.Add(r, c.p)
	}
	yEqual := r.Sign() == 0
	if xEqual && yEqual {
		return c.doubleJacobian(x1, y1, z1)
	}
	r.Lsh(r, 1)
	v := new(big.Int).Mul(u1, i)

	x3.Set(r)
	x3.Mul(x3, x3)
	x3.Sub(x3, j)
	x3.Sub(x3, v)
	x3.Sub(x3, v)
	x3.Mod(x3, c.p)

	y3.Set(r)
	v.Sub(v, x3)
	y3.Mul(y3, v)
	s1.Mul(s1, j)
	s1.Lsh(s1, 1)
	y3.Sub(y3, s1)
	y3.Mod(y3, c.p)

	z3.Add(z1, z2)
	z3.Mul(z3, z3)
	z3.Sub(z3, z1z1)
	z3.Sub(z3, z2z2)
	z3.Mul(z3, h)
	z3.Mod(z3, c.p)

	return x3, y3, z3
}

// doubleJacobian returns 2·(x, y, z), for curves with a = -3; see
// https://hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-3.html#doubling-dbl-2001-b
func (c *ecCurve) doubleJacobian(x, y, z *big.Int) (*big.Int, *big.Int, *big.Int) {
	delta := new(big.Int).Mul(z, z)
	delta.Mod(delta, c.p)
	gamma := new(big.Int).Mul(y, y)
	gamma.Mod(gamma, c.p)
	alpha := new(big.Int).Sub(x, delta)
	if alpha.Sign() == -1 {
		alpha.Add(alpha, c.p)
	}
	alpha2 := new(big.Int).Add(x, delta)
	alpha.Mul(alpha, alpha2)
	alpha2.Set(alpha)
	alpha.Lsh(alpha, 1)
	alpha.Add(alpha, alpha2)

	beta := alpha2.Mul(x, gamma)

	x3 := new(big.Int).Mul(alpha, alpha)
	beta8 := new(big.Int).Lsh(beta, 3)
	beta8.Mod(beta8, c.p)
	x3.Sub(x3, beta8)
	if x3.Sign() == -1 {
		x3.Add(x3, c.p)
	}
	x3.Mod(x3, c.p)

	z3 := new(big.Int).Add(y, z)
	z3.Mul(z3, z3)
	z3.Sub(z3, gamma)
	if z3.Sign() == -1 {
		z3.Add(z3, c.p)
	}
	z3.Sub(z3, delta)
	if z3.Sign() == -1 {
		z3.Add(z3, c.p)
	}
	z3.Mod(z3, c.p)

	beta.Lsh(beta, 2)
	beta.Sub(beta, x3)
	if beta.Sign() == -1 {
		beta.Add(beta, c.p)
	}
	y3 := alpha.Mul(alpha, beta)

	gamma.Mul(gamma, gamma)
	gamma.Lsh(gamma, 3)
	gamma.Mod(gamma, c.p)

	y3.Sub(y3, gamma)
	if y3.Sign() == -1 {
		y3.Add(y3, c.p)
	}
	y3.Mod(y3, c.p)

	return x3, y3, z3
}
