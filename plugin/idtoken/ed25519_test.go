package idtoken

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"math/big"
	mrand "math/rand/v2"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/internal/modn"
)

// The verifier in ed25519.go is held to crypto/ed25519.Verify: valid and
// tampered signatures, non-canonical S, and the edge cases of point
// decoding (y ≥ p, x = 0 with the sign bit set, small-order points, keys
// that are not points), where implementations are known to differ.

func agreeEd(t *testing.T, what string, pub, msg, sig []byte) bool {
	t.Helper()
	std := len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, sig)
	if got := ed25519Verify(pub, msg, sig); got != std {
		t.Errorf("%s: ours %v, crypto/ed25519 %v (pub %x, sig %x)", what, got, std, pub, sig)
	}
	return std
}

func TestEd25519AgreesWithStdlib(t *testing.T) {
	for i := range 20 {
		pub, priv := must2(ed25519.GenerateKey(rand.Reader))
		msg := make([]byte, i*7)
		rand.Read(msg)
		sig := ed25519.Sign(priv, msg)
		if !agreeEd(t, "valid signature", pub, msg, sig) {
			t.Fatal("crypto/ed25519 refused its own signature")
		}
		for _, bit := range []int{0, 255, 256, 300, 500, 507} {
			bad := append([]byte(nil), sig...)
			bad[bit/8] ^= 1 << (bit % 8)
			agreeEd(t, "flipped signature bit", pub, msg, bad)
		}
		agreeEd(t, "other message", pub, append(msg, 0), sig)
		badPub := append([]byte(nil), pub...)
		badPub[3] ^= 4
		agreeEd(t, "other key", badPub, msg, sig)
		agreeEd(t, "short signature", pub, msg, sig[:63])
		agreeEd(t, "long signature", pub, msg, append(sig, 0))
		agreeEd(t, "short key", pub[:31], msg, sig)

		// S + L encodes the same scalar but is not canonical.
		s := new(big.Int).SetBytes(reversed(sig[32:]))
		s.Add(s, edOrder())
		nonCanonical := append(append([]byte(nil), sig[:32]...), reversed(s.FillBytes(make([]byte, 32)))...)
		agreeEd(t, "S + L", pub, msg, nonCanonical)
		high := append([]byte(nil), sig...)
		high[63] |= 0x20
		agreeEd(t, "S with high bits", pub, msg, high)
	}
}

// TestEd25519EdgeCases uses encodings of the small-order points, with and
// without the non-canonical forms that crypto/ed25519 accepts for keys but
// never produces for R.
func TestEd25519EdgeCases(t *testing.T) {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	enc := func(y *big.Int, sign bool) []byte {
		b := reversed(y.FillBytes(make([]byte, 32)))
		if sign {
			b[31] |= 0x80
		}
		return b
	}
	var points [][]byte
	for _, y := range []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(p, big.NewInt(1)),
		new(big.Int).Add(p, big.NewInt(1)), new(big.Int).Set(p), new(big.Int).Add(p, big.NewInt(18))} {
		points = append(points, enc(y, false), enc(y, true))
	}
	// The points of order 8 have y = ±sqrt of a known value; take them from
	// their published encodings (Chalkias, Garillot, Nikolaenko, "Taming the
	// many EdDSAs", 2020).
	for _, h := range []string{
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	} {
		points = append(points, must(hex.DecodeString(h)))
	}
	_, priv := must2(ed25519.GenerateKey(rand.Reader))
	real := priv.Public().(ed25519.PublicKey)
	points = append(points, real)

	zero := make([]byte, 32)
	one := append([]byte{1}, make([]byte, 31)...)
	for _, a := range points {
		for _, r := range points {
			for _, s := range [][]byte{zero, one} {
				for _, msg := range []string{"", "a", "b", "c"} {
					agreeEd(t, "small-order case", a, []byte(msg), append(append([]byte(nil), r...), s...))
				}
			}
		}
	}
}

// TestEd25519RandomKeys: keys that are not points must be refused as
// crypto/ed25519 refuses them, and the rest must verify alike.
func TestEd25519RandomKeys(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	_, priv := must2(ed25519.GenerateKey(rand.Reader))
	msg := []byte("m")
	sig := ed25519.Sign(priv, msg)
	for range 300 {
		pub := make([]byte, 32)
		for i := range pub {
			pub[i] = byte(r.Uint32())
		}
		agreeEd(t, "random key", pub, msg, sig)
		// R = 0100…, S = 0 verifies for keys of small order only.
		agreeEd(t, "random key, identity signature", pub, msg, append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...))
	}
}

func TestEd25519Constants(t *testing.T) {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	value := func(x modn.Elem) *big.Int { return new(big.Int).SetBytes(edP.Bytes(x)) }
	if pMinus1 := value(edP.Sub(edP.Zero(), edP.One())); pMinus1.Add(pMinus1, big.NewInt(1)).Cmp(p) != 0 {
		t.Errorf("p is %v", pMinus1)
	}
	// d·121666 = -121665
	if got := new(big.Int).Mod(new(big.Int).Mul(value(edD), big.NewInt(121666)), p); got.Cmp(new(big.Int).Sub(p, big.NewInt(121665))) != 0 {
		t.Errorf("d is wrong")
	}
	if value(edD2).Cmp(new(big.Int).Mod(new(big.Int).Lsh(value(edD), 1), p)) != 0 {
		t.Errorf("2d is wrong")
	}
	want := new(big.Int).Exp(big.NewInt(2), new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(1)), 2), p)
	if value(edSqrtM1).Cmp(want) != 0 {
		t.Errorf("sqrt(-1) is wrong")
	}
	if got := hex.EncodeToString(edEncode(edBase)); got != "5866666666666666666666666666666666666666666666666666666666666666" {
		t.Errorf("base point encodes as %s", got)
	}
	if l := new(big.Int).SetBytes(edL.Bytes(edL.Sub(edL.Zero(), edL.One()))); l.Add(l, big.NewInt(1)).Cmp(edOrder()) != 0 {
		t.Errorf("L is %v, want %v", l, edOrder())
	}
}

func edOrder() *big.Int {
	l, _ := new(big.Int).SetString("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed", 16)
	return l
}

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}

func BenchmarkEd25519Verify(b *testing.B) {
	pub, priv := must2(ed25519.GenerateKey(rand.Reader))
	msg := []byte("header.payload")
	sig := ed25519.Sign(priv, msg)
	b.Run("EdDSA", func(b *testing.B) {
		for b.Loop() {
			if !ed25519Verify(pub, msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("EdDSA/crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("refused")
			}
		}
	})
}
