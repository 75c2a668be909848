package modn

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Every operation is checked against math/big on random odd moduli of many
// sizes, including ones with all-ones limbs and a 1-limb top.

func randomOdd(r *rand.Rand, bits int) *big.Int {
	n := new(big.Int)
	for i := 0; i < bits; i += 32 {
		n.Lsh(n, 32).Or(n, big.NewInt(int64(r.Uint32())))
	}
	n.Rsh(n, uint(n.BitLen()-bits))
	n.SetBit(n, bits-1, 1)
	return n.SetBit(n, 0, 1)
}

func randomBelow(r *rand.Rand, n *big.Int) *big.Int {
	b := make([]byte, len(n.Bytes())+8)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(b), n)
}

func moduli(r *rand.Rand) []*big.Int {
	var ns []*big.Int
	for _, bits := range []int{2, 3, 8, 63, 64, 65, 127, 128, 129, 255, 256, 384, 521, 1024, 2048, 2049} {
		ns = append(ns, randomOdd(r, bits))
	}
	allOnes := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	p25519 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	return append(ns, allOnes, p25519, big.NewInt(3))
}

func value(t *testing.T, m *Modulus, x Elem) *big.Int {
	t.Helper()
	return new(big.Int).SetBytes(m.Bytes(x))
}

func elem(t *testing.T, m *Modulus, x *big.Int) Elem {
	t.Helper()
	e, ok := m.FromBytes(x.Bytes())
	if !ok {
		t.Fatalf("FromBytes refused %v", x)
	}
	return e
}

func TestAgreesWithMathBig(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range moduli(r) {
		m := NewModulus(n.Bytes())
		if m == nil {
			t.Fatalf("NewModulus refused %v", n)
		}
		if m.BitLen() != n.BitLen() || m.Size() != (n.BitLen()+7)/8 {
			t.Fatalf("%v: BitLen %d, Size %d", n, m.BitLen(), m.Size())
		}
		for range 20 {
			a, b := randomBelow(r, n), randomBelow(r, n)
			x, y := elem(t, m, a), elem(t, m, b)
			check := func(op string, got Elem, want *big.Int) {
				t.Helper()
				if v := value(t, m, got); v.Cmp(want) != 0 {
					t.Fatalf("%s mod %v of %v, %v: %v, want %v", op, n, a, b, v, want)
				}
			}
			check("x", x, a)
			check("add", m.Add(x, y), new(big.Int).Mod(new(big.Int).Add(a, b), n))
			check("sub", m.Sub(x, y), new(big.Int).Mod(new(big.Int).Sub(a, b), n))
			check("mul", m.Mul(x, y), new(big.Int).Mod(new(big.Int).Mul(a, b), n))
			check("mul self", m.Mul(x, x), new(big.Int).Mod(new(big.Int).Mul(a, a), n))
			e := randomBelow(r, new(big.Int).Lsh(big.NewInt(1), 70))
			check("exp", m.Exp(x, e.Bytes()), new(big.Int).Exp(a, e, n))
			check("exp 0", m.Exp(x, nil), new(big.Int).Mod(big.NewInt(1), n))
			wide := randomBelow(r, new(big.Int).Lsh(big.NewInt(1), uint(2*n.BitLen()+13)))
			check("reduce", m.Reduce(wide.Bytes()), new(big.Int).Mod(wide, n))
			if m.Equal(x, y) != (a.Cmp(b) == 0) || m.IsZero(x) != (a.Sign() == 0) {
				t.Fatalf("Equal or IsZero wrong for %v, %v mod %v", a, b, n)
			}
			if !m.Equal(x, elem(t, m, a)) {
				t.Fatalf("Equal(x, x) is false")
			}
		}
		check0 := m.Sub(m.One(), m.One())
		if !m.IsZero(check0) || !m.Equal(check0, m.Zero()) || value(t, m, m.One()).Cmp(new(big.Int).Mod(big.NewInt(1), n)) != 0 {
			t.Fatalf("One or IsZero wrong mod %v", n)
		}
	}
}

func TestInverse(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, bits := range []int{2, 64, 256, 384, 521} {
		var n *big.Int
		for n = randomOdd(r, bits); !n.ProbablyPrime(20); n = randomOdd(r, bits) {
		}
		m := NewModulus(n.Bytes())
		for range 10 {
			a := randomBelow(r, n)
			got := value(t, m, m.Inverse(elem(t, m, a)))
			want := new(big.Int).ModInverse(a, n)
			if want == nil {
				want = new(big.Int)
			}
			if got.Cmp(want) != 0 {
				t.Fatalf("inverse of %v mod %v: %v, want %v", a, n, got, want)
			}
		}
	}
}

func TestFromBytesBounds(t *testing.T) {
	n := randomOdd(rand.New(rand.NewPCG(1, 1)), 200)
	m := NewModulus(n.Bytes())
	below := new(big.Int).Sub(n, big.NewInt(1))
	for _, c := range []struct {
		b  []byte
		ok bool
	}{
		{nil, true},
		{[]byte{0}, true},
		{below.Bytes(), true},
		{append(make([]byte, 40), below.Bytes()...), true}, // leading zeros
		{n.Bytes(), false},
		{new(big.Int).Add(n, big.NewInt(1)).Bytes(), false},
		{append([]byte{1}, make([]byte, 40)...), false},
	} {
		x, ok := m.FromBytes(c.b)
		if ok != c.ok {
			t.Errorf("FromBytes(%x): ok %v, want %v", c.b, ok, c.ok)
		}
		if ok && value(t, m, x).Cmp(new(big.Int).SetBytes(c.b)) != 0 {
			t.Errorf("FromBytes(%x) changed the value", c.b)
		}
	}
}

func TestNewModulusRefuses(t *testing.T) {
	for _, b := range [][]byte{nil, {0}, {0, 0}, {1}, {0, 1}, {2}, {4}, {1, 0}, {0xff, 0xfe}} {
		if m := NewModulus(b); m != nil {
			t.Errorf("NewModulus(%x) accepted", b)
		}
	}
	if m := NewModulus([]byte{0, 0, 3}); m == nil || m.BitLen() != 2 || !bytes.Equal(m.Bytes(m.One()), []byte{1}) {
		t.Errorf("NewModulus(00 00 03) is wrong")
	}
}
