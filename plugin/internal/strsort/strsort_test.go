package strsort

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAgreesWithSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		s := make([]string, n)
		for i := range s {
			b := make([]byte, r.IntN(4))
			for j := range b {
				b[j] = "ab\x00\xffé"[r.IntN(6)]
			}
			s[i] = string(b)
		}
		want := slices.Clone(s)
		slices.Sort(want)
		Strings(s)
		if !slices.Equal(s, want) {
			t.Fatalf("%q, want %q", s, want)
		}
	}
}

// A large map sorts in O(n log n): a crafted JSON object cannot stall the
// plugin.
func TestLarge(t *testing.T) {
	s := make([]string, 200000)
	for i := range s {
		s[i] = string(rune(len(s) - i))
	}
	Strings(s)
	if !slices.IsSorted(s) {
		t.Fatal("not sorted")
	}
}
