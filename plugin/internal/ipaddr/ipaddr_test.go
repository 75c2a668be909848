package ipaddr

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

var seeds = []string{
	"", "%", "%eth0", "1.2.3.4", "127.0.0.1", "127.255.255.255", "128.0.0.1", "0.0.0.0", "255.255.255.255",
	"256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4%x", "1.2.3.-4",
	"::", "::1", "::1%lo0", "::1%", "::2", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "::ffff:127.0.0.1%z",
	"::ffff:7f00:1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::127.0.0.1", "fe80::1%25en0", "fe80::1%en0",
	"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7",
	"1::2::3", ":1::", "1:", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
	"12345::", "fffff::", "FFFF::", "g::", "::ffff:1.2.3", "::ffff:01.2.3.4", "[::1]", "localhost", "1",
}

func check(t *testing.T, s string) {
	t.Helper()
	addr, err := netip.ParseAddr(s)
	ip, is4, ok := Parse(s)
	if ok != (err == nil) {
		t.Fatalf("Parse(%q): ok %v, netip error %v", s, ok, err)
	}
	if ok && (is4 != addr.Is4() || ip != addr.As16()) {
		t.Fatalf("Parse(%q) = %v, %v; netip %v (Is4 %v)", s, ip, is4, addr, addr.Is4())
	}
	if got, want := IsLoopback(s), err == nil && addr.Unmap().IsLoopback(); got != want {
		t.Fatalf("IsLoopback(%q) = %v, want %v", s, got, want)
	}
}

func TestAgreesWithNetip(t *testing.T) {
	for _, s := range seeds {
		check(t, s)
	}
	// Random strings over the alphabet of addresses.
	r := rand.New(rand.NewPCG(5, 6))
	const alphabet = "0123456789abcdefABCDEFg.:%z"
	for range 200000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		check(t, string(b))
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(check)
}
