package idtoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"math/big"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/internal/modn"
)

// The verifier in ecdsa.go is held to crypto/ecdsa: same curve constants,
// and the same verdict on valid, tampered and malformed signatures.

var stdCurves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

func TestECCurveConstants(t *testing.T) {
	if len(ecCurves) != len(stdCurves) {
		t.Fatalf("%d curves, want %d", len(ecCurves), len(stdCurves))
	}
	one := big.NewInt(1)
	for _, c := range ecCurves {
		want := params(c)
		// A modulus is n exactly when n-1 is accepted as a residue and n is not.
		for _, m := range []struct {
			name string
			got  *modn.Modulus
			want *big.Int
		}{{"P", c.p, want.P}, {"N", c.n, want.N}} {
			below := new(big.Int).Sub(m.want, one)
			if _, ok := m.got.FromBytes(below.Bytes()); !ok || m.got.BitLen() != m.want.BitLen() {
				t.Errorf("%s: %s is smaller than %x", c.crv, m.name, m.want)
			}
			if _, ok := m.got.FromBytes(m.want.Bytes()); ok {
				t.Errorf("%s: %s is larger than %x", c.crv, m.name, m.want)
			}
		}
		for _, f := range []struct {
			name string
			got  modn.Elem
			want *big.Int
		}{{"B", c.b, want.B}, {"Gx", c.gx, want.Gx}, {"Gy", c.gy, want.Gy}} {
			if got := new(big.Int).SetBytes(c.p.Bytes(f.got)); got.Cmp(f.want) != 0 {
				t.Errorf("%s: %s = %x, want %x", c.crv, f.name, got, f.want)
			}
		}
		if c.size != (want.BitSize+7)/8 {
			t.Errorf("%s: size %d, want %d", c.crv, c.size, (want.BitSize+7)/8)
		}
		if _, ok := c.publicKey(pad(want.Gx, c.size), pad(want.Gy, c.size)); !ok {
			t.Errorf("%s: the base point is not on the curve", c.crv)
		}
	}
}

// params are the standard library's constants for c.
func params(c *ecCurve) *elliptic.CurveParams { return stdCurves[c.crv].Params() }

// polynomial is x³ - 3x + b mod p, with math/big.
func polynomial(c *ecCurve, x *big.Int) *big.Int {
	cp := params(c)
	y2 := new(big.Int).Exp(x, big.NewInt(3), nil)
	y2.Sub(y2, new(big.Int).Mul(x, big.NewInt(3)))
	y2.Add(y2, cp.B)
	return y2.Mod(y2, cp.P)
}

func pad(n *big.Int, size int) []byte { return n.FillBytes(make([]byte, size)) }

func digestFor(c *ecCurve, msg []byte) []byte {
	return hashFor(c.alg, msg)
}

func rawSig(c *ecCurve, r, s *big.Int) []byte {
	return append(pad(r, c.size), pad(s, c.size)...)
}

func ourKey(t *testing.T, c *ecCurve, pub *ecdsa.PublicKey) *ecPublicKey {
	t.Helper()
	k, ok := c.publicKey(pad(pub.X, c.size), pad(pub.Y, c.size))
	if !ok {
		t.Fatalf("%s: a key from crypto/ecdsa was refused", c.crv)
	}
	return k
}

// agree checks that both implementations give the same verdict, and that
// it is the expected one.
func agree(t *testing.T, what string, c *ecCurve, pub *ecdsa.PublicKey, digest, sig []byte, want bool) {
	t.Helper()
	r := new(big.Int).SetBytes(sig[:len(sig)/2])
	s := new(big.Int).SetBytes(sig[len(sig)/2:])
	std := len(sig) == 2*c.size && ecdsa.Verify(pub, digest, r, s)
	got := ourKey(t, c, pub).verify(digest, sig)
	if got != std || got != want {
		t.Errorf("%s %s: ours %v, crypto/ecdsa %v, want %v", c.crv, what, got, std, want)
	}
}

func TestECVerifyAgreesWithStdlib(t *testing.T) {
	for _, c := range ecCurves {
		for i := 0; i < 4; i++ {
			priv := must(ecdsa.GenerateKey(stdCurves[c.crv], rand.Reader))
			pub := &priv.PublicKey
			msg := []byte("header.payload " + strings.Repeat("x", i))
			digest := digestFor(c, msg)
			r, s := must2(ecdsa.Sign(rand.Reader, priv, digest))
			sig := rawSig(c, r, s)
			agree(t, "valid signature", c, pub, digest, sig, true)

			// (r, n-s) is the other valid signature for the same R.
			agree(t, "negated s", c, pub, digest, rawSig(c, r, new(big.Int).Sub(params(c).N, s)), true)

			for _, bit := range []int{0, 7, c.size*8 - 1, c.size * 8, 2*c.size*8 - 1} {
				bad := append([]byte(nil), sig...)
				bad[bit/8] ^= 1 << (bit % 8)
				agree(t, "flipped signature bit", c, pub, digest, bad, false)
			}
			bad := append([]byte(nil), digest...)
			bad[len(bad)-1] ^= 1
			agree(t, "other digest", c, pub, bad, sig, false)

			other := must(ecdsa.GenerateKey(stdCurves[c.crv], rand.Reader))
			agree(t, "other key", c, &other.PublicKey, digest, sig, false)

			zero, one := new(big.Int), big.NewInt(1)
			n := params(c).N
			nMinus1 := new(big.Int).Sub(n, one)
			for _, rs := range [][2]*big.Int{{zero, s}, {r, zero}, {n, s}, {r, n}, {new(big.Int).Add(r, n), s}, {one, one}, {nMinus1, nMinus1}} {
				if rs[0].BitLen() > c.size*8 || rs[1].BitLen() > c.size*8 {
					continue // does not fit the fixed-size encoding
				}
				agree(t, "out-of-range or forged r, s", c, pub, digest, rawSig(c, rs[0], rs[1]), false)
			}
			if ourKey(t, c, pub).verify(digest, sig[:len(sig)-1]) || ourKey(t, c, pub).verify(digest, append(sig, 0)) {
				t.Errorf("%s: a signature of the wrong length was accepted", c.crv)
			}
		}
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// TestECVerifyDoublingCase builds a signature for which u1·G = u2·Q, so the
// final addition is a doubling: with d = 1 (Q = G) and e = r, u1 = u2 = k/2.
func TestECVerifyDoublingCase(t *testing.T) {
	for _, c := range ecCurves {
		curve := stdCurves[c.crv]
		cp := params(c)
		pub := &ecdsa.PublicKey{Curve: curve, X: cp.Gx, Y: cp.Gy}
		k := must(rand.Int(rand.Reader, cp.N))
		k.Add(k, big.NewInt(1))
		kx, _ := curve.ScalarBaseMult(k.Bytes())
		r := new(big.Int).Mod(kx, cp.N)
		// e = r: the digest is r itself, left-aligned to the order's bits.
		digest := pad(r, c.size)
		if excess := c.size*8 - cp.N.BitLen(); excess > 0 {
			digest = new(big.Int).Lsh(r, uint(excess)).FillBytes(make([]byte, c.size))
		}
		if new(big.Int).SetBytes(c.hashToInt(digest)).Cmp(r) != 0 {
			t.Fatalf("%s: the digest does not encode r", c.crv)
		}
		// s = k⁻¹(e + r·d) = 2r/k.
		s := new(big.Int).ModInverse(k, cp.N)
		s.Mul(s, new(big.Int).Lsh(r, 1))
		s.Mod(s, cp.N)
		agree(t, "doubling case", c, pub, digest, rawSig(c, r, s), true)
	}
}

// TestECVerifyLargeX covers x(R) in [n, p), where r is x(R) mod n and not
// x(R) itself. Such R cannot be reached from a chosen k, so the key is
// recovered from the signature instead: Q = r⁻¹(s·R - e·G).
func TestECVerifyLargeX(t *testing.T) {
	for _, c := range ecCurves {
		curve := stdCurves[c.crv]
		cp := params(c)
		x := new(big.Int).Add(cp.N, big.NewInt(1)) // r = x - n must not be 0
		var y *big.Int
		for ; x.Cmp(cp.P) < 0; x.Add(x, big.NewInt(1)) {
			if y = new(big.Int).ModSqrt(polynomial(c, x), cp.P); y != nil {
				break
			}
		}
		if y == nil {
			t.Fatalf("%s: no point with x in [n, p)", c.crv)
		}
		r := new(big.Int).Sub(x, cp.N)
		digest := digestFor(c, []byte("large x"))
		e := new(big.Int).SetBytes(c.hashToInt(digest))
		s := big.NewInt(12345)
		sRx, sRy := curve.ScalarMult(x, y, s.Bytes())
		eGx, eGy := curve.ScalarBaseMult(e.Bytes())
		tx, ty := curve.Add(sRx, sRy, eGx, new(big.Int).Sub(cp.P, eGy))
		qx, qy := curve.ScalarMult(tx, ty, new(big.Int).ModInverse(r, cp.N).Bytes())
		pub := &ecdsa.PublicKey{Curve: curve, X: qx, Y: qy}
		agree(t, "x(R) >= n", c, pub, digest, rawSig(c, r, s), true)
		agree(t, "x(R) >= n, r not reduced", c, pub, digest, rawSig(c, x, s), false)
	}
}

func TestECPublicKeyValidation(t *testing.T) {
	for _, c := range ecCurves {
		cp := params(c)
		x, y := pad(cp.Gx, c.size), pad(cp.Gy, c.size)
		yPlusP := new(big.Int).Add(cp.Gy, cp.P)
		offCurve := new(big.Int).Add(cp.Gy, big.NewInt(1))
		cases := []struct {
			name string
			x, y []byte
		}{
			{"point off the curve", x, pad(offCurve, c.size)},
			{"zero point", make([]byte, c.size), make([]byte, c.size)},
			{"short x", x[1:], y},
			{"long y", append([]byte{0}, y...), y},
		}
		if yPlusP.BitLen() <= c.size*8 {
			cases = append(cases, struct {
				name string
				x, y []byte
			}{"y not reduced mod p", x, pad(yPlusP, c.size)})
		}
		for _, tc := range cases {
			if _, ok := c.publicKey(tc.x, tc.y); ok {
				t.Errorf("%s: %s accepted", c.crv, tc.name)
			}
		}
	}
}

// TestVerifyES384AndES512 runs the larger curves through the JWKS and JWS
// code, where the helpers only cover P-256.
func TestVerifyES384AndES512(t *testing.T) {
	for _, tc := range []struct {
		alg, crv string
		hash     crypto.Hash
	}{{"ES384", "P-384", crypto.SHA384}, {"ES512", "P-521", crypto.SHA512}} {
		c := ecCurveByName(tc.crv)
		priv := must(ecdsa.GenerateKey(stdCurves[tc.crv], rand.Reader))
		jwk := map[string]any{"kty": "EC", "crv": tc.crv, "kid": "k",
			"x": b64.EncodeToString(pad(priv.X, c.size)), "y": b64.EncodeToString(pad(priv.Y, c.size))}
		ks, err := ParseJWKS(jwksJSON(jwk))
		if err != nil {
			t.Fatal(err)
		}
		sign := func(input []byte) []byte {
			var d []byte
			if tc.hash == crypto.SHA384 {
				sum := sha512.Sum384(input)
				d = sum[:]
			} else {
				sum := sha512.Sum512(input)
				d = sum[:]
			}
			r, s := must2(ecdsa.Sign(rand.Reader, priv, d))
			return rawSig(c, r, s)
		}
		if _, err := Verify(makeToken(hdr(tc.alg, "k"), baseClaims(), sign), ks, baseOptions()); err != nil {
			t.Errorf("%s: %v", tc.alg, err)
		}
		// The same key must not verify another EC algorithm.
		_, err = Verify(makeToken(hdr("ES256", "k"), baseClaims(), sign), ks, baseOptions())
		if err == nil || !strings.Contains(err.Error(), "cannot verify ES256") {
			t.Errorf("%s key used for ES256: %v", tc.crv, err)
		}
	}
}

// BenchmarkECVerify compares the modn verifier with crypto/ecdsa.
func BenchmarkECVerify(b *testing.B) {
	for _, c := range ecCurves {
		priv := must(ecdsa.GenerateKey(stdCurves[c.crv], rand.Reader))
		digest := digestFor(c, []byte("header.payload"))
		r, s := must2(ecdsa.Sign(rand.Reader, priv, digest))
		sig := rawSig(c, r, s)
		pub, _ := c.publicKey(pad(priv.X, c.size), pad(priv.Y, c.size))
		b.Run(c.alg, func(b *testing.B) {
			for b.Loop() {
				if !pub.verify(digest, sig) {
					b.Fatal("refused")
				}
			}
		})
		b.Run(c.alg+"/crypto-ecdsa", func(b *testing.B) {
			for b.Loop() {
				if !ecdsa.Verify(&priv.PublicKey, digest, r, s) {
					b.Fatal("refused")
				}
			}
		})
	}
}
