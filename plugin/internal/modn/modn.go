// Package modn is arithmetic modulo an odd number, in Montgomery form: what
// the plugin needs to verify RSA, ECDSA and Ed25519 signatures.
//
// math/big is not used on purpose: it made up more than 150 kB of the Wasm
// plugin, most of it division, GCD and formatting code that verification
// does not need. Montgomery multiplication needs no division at all.
//
// Nothing here runs in constant time: verification handles only public
// values (keys, signed data, signatures). modn_test.go holds every
// operation to math/big.
package modn

import "math/bits"

// Modulus is an odd modulus n > 1 with its Montgomery constants.
type Modulus struct {
	n     []uint64 // little-endian 64-bit limbs; the top limb is not zero
	n0inv uint64   // -n⁻¹ mod 2⁶⁴
	rr    Elem     // R² mod n, where R = 2^(64·len(n)), to enter Montgomery form
}

// Elem is a residue modulo a Modulus in Montgomery form (x·R mod n), as
// many limbs as n. Only the Modulus that made an Elem may use it.
type Elem []uint64

// NewModulus reads n from big-endian bytes. It returns nil when n is even
// or less than 3, which Montgomery arithmetic cannot handle.
func NewModulus(b []byte) *Modulus {
	n := limbs(b)
	for len(n) > 0 && n[len(n)-1] == 0 {
		n = n[:len(n)-1]
	}
	if len(n) == 0 || n[0]&1 == 0 || len(n) == 1 && n[0] < 3 {
		return nil
	}
	m := &Modulus{n: n}
	// Newton's iteration doubles the correct low bits of an inverse, and
	// n·n ≡ 1 mod 8 gives three to start with: 3·2⁵ ≥ 64.
	inv := n[0]
	for range 5 {
		inv *= 2 - n[0]*inv
	}
	m.n0inv = -inv
	// R² mod n, by shifting 1 left 2·64·len(n) times.
	rr := make(Elem, len(n))
	rr[0] = 1
	for range 128 * len(n) {
		m.shiftIn(rr, 0)
	}
	m.rr = rr
	return m
}

// BitLen is the length of n in bits.
func (m *Modulus) BitLen() int {
	top := len(m.n) - 1
	return 64*top + bits.Len64(m.n[top])
}

// Size is the length of n in bytes.
func (m *Modulus) Size() int { return (m.BitLen() + 7) / 8 }

// FromBytes reads a big-endian value, which must be less than n.
func (m *Modulus) FromBytes(b []byte) (Elem, bool) {
	x := limbs(b)
	for len(x) > len(m.n) {
		if x[len(x)-1] != 0 {
			return nil, false
		}
		x = x[:len(x)-1]
	}
	x = append(x, make([]uint64, len(m.n)-len(x))...)
	if !less(x, m.n) {
		return nil, false
	}
	return m.Mul(x, m.rr), true
}

// Reduce reads a big-endian value of any size and reduces it mod n.
func (m *Modulus) Reduce(b []byte) Elem {
	x := make(Elem, len(m.n))
	for _, c := range b {
		for i := 7; i >= 0; i-- {
			m.shiftIn(x, uint64(c>>i&1))
		}
	}
	return m.Mul(x, m.rr)
}

// Bytes returns x as Size() big-endian bytes.
func (m *Modulus) Bytes(x Elem) []byte {
	one := make(Elem, len(m.n))
	one[0] = 1
	v := m.Mul(x, one) // leaves Montgomery form
	out := make([]byte, m.Size())
	for i := range out {
		out[len(out)-1-i] = byte(v[i/8] >> (8 * (i % 8)))
	}
	return out
}

// Zero returns 0.
func (m *Modulus) Zero() Elem { return make(Elem, len(m.n)) }

// One returns 1.
func (m *Modulus) One() Elem { return m.Reduce([]byte{1}) }

// IsZero reports whether x is 0.
func (m *Modulus) IsZero(x Elem) bool {
	for _, l := range x {
		if l != 0 {
			return false
		}
	}
	return true
}

// Equal reports whether x and y are the same residue.
func (m *Modulus) Equal(x, y Elem) bool {
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// Add returns x + y mod n.
func (m *Modulus) Add(x, y Elem) Elem {
	z := make(Elem, len(m.n))
	var c uint64
	for i := range z {
		z[i], c = bits.Add64(x[i], y[i], c)
	}
	if c != 0 || !less(z, m.n) {
		sub(z, m.n)
	}
	return z
}

// Sub returns x - y mod n.
func (m *Modulus) Sub(x, y Elem) Elem {
	z := make(Elem, len(m.n))
	var b uint64
	for i := range z {
		z[i], b = bits.Sub64(x[i], y[i], b)
	}
	if b != 0 {
		var c uint64
		for i := range z {
			z[i], c = bits.Add64(z[i], m.n[i], c)
		}
	}
	return z
}

// Mul returns x·y mod n (the Montgomery product x·y·R⁻¹ of the plain
// values, which keeps products in Montgomery form). It is the CIOS method
// of Koç, Acar and Kaliski, "Analyzing and comparing Montgomery
// multiplication algorithms" (1996).
func (m *Modulus) Mul(x, y Elem) Elem {
	k := len(m.n)
	t := make([]uint64, k+2)
	for i := 0; i < k; i++ {
		// t += x·y[i]
		var c uint64
		for j := 0; j < k; j++ {
			t[j], c = mulAdd(x[j], y[i], t[j], c)
		}
		var cc uint64
		t[k], cc = bits.Add64(t[k], c, 0)
		t[k+1] = cc
		// t = (t + q·n) / 2⁶⁴, with q chosen to clear the low limb.
		q := t[0] * m.n0inv
		_, c = mulAdd(q, m.n[0], t[0], 0)
		for j := 1; j < k; j++ {
			t[j-1], c = mulAdd(q, m.n[j], t[j], c)
		}
		t[k-1], cc = bits.Add64(t[k], c, 0)
		t[k] = t[k+1] + cc
	}
	// t < 2n: one subtraction at most.
	z := Elem(t[:k])
	if t[k] != 0 || !less(z, m.n) {
		sub(z, m.n)
	}
	return z
}

// Exp returns x^e mod n, e being big-endian bytes.
func (m *Modulus) Exp(x Elem, e []byte) Elem {
	z := m.One()
	for _, c := range e {
		for i := 7; i >= 0; i-- {
			z = m.Mul(z, z)
			if c>>i&1 == 1 {
				z = m.Mul(z, x)
			}
		}
	}
	return z
}

// Inverse returns x⁻¹ mod n by Fermat's little theorem, x^(n-2); n must be
// prime. The inverse of 0 comes out as 0.
func (m *Modulus) Inverse(x Elem) Elem {
	e := make([]uint64, len(m.n))
	copy(e, m.n)
	sub(e, []uint64{2})
	b := make([]byte, 8*len(e))
	for i := range b {
		b[len(b)-1-i] = byte(e[i/8] >> (8 * (i % 8)))
	}
	return m.Exp(x, b)
}

// shiftIn sets x to 2x + bit mod n, for x < n and bit 0 or 1.
func (m *Modulus) shiftIn(x Elem, bit uint64) {
	carry := bit
	for i := range x {
		x[i], carry = x[i]<<1|carry, x[i]>>63
	}
	if carry != 0 || !less(x, m.n) {
		sub(x, m.n)
	}
}

// mulAdd returns the low and high limbs of x·y + a + c, which cannot
// overflow 128 bits.
func mulAdd(x, y, a, c uint64) (lo, hi uint64) {
	hi, lo = bits.Mul64(x, y)
	var cc uint64
	lo, cc = bits.Add64(lo, a, 0)
	hi += cc
	lo, cc = bits.Add64(lo, c, 0)
	hi += cc
	return lo, hi
}

// less reports whether x < y, both of len(y) limbs.
func less(x, y []uint64) bool {
	for i := len(y) - 1; i >= 0; i-- {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

// sub sets x to x - y, ignoring the final borrow; y may be shorter.
func sub(x, y []uint64) {
	var b uint64
	for i := range x {
		var yi uint64
		if i < len(y) {
			yi = y[i]
		}
		x[i], b = bits.Sub64(x[i], yi, b)
	}
}

// limbs converts big-endian bytes to little-endian limbs.
func limbs(b []byte) []uint64 {
	x := make([]uint64, (len(b)+7)/8)
	for i := range b {
		x[i/8] |= uint64(b[len(b)-1-i]) << (8 * (i % 8))
	}
	return x
}
