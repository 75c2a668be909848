package sha2

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// Every length around the block and padding boundaries, and random
// contents, against crypto/sha256 and crypto/sha512.
func TestAgreesWithStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 600; n++ {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		if got, want := Sum256(data), sha256.Sum256(data); got != want {
			t.Fatalf("Sum256 of %d bytes: %x, want %x", n, got, want)
		}
		if got, want := Sum384(data), sha512.Sum384(data); got != want {
			t.Fatalf("Sum384 of %d bytes: %x, want %x", n, got, want)
		}
		if got, want := Sum512(data), sha512.Sum512(data); got != want {
			t.Fatalf("Sum512 of %d bytes: %x, want %x", n, got, want)
		}
	}
}

// The FIPS 180-4 example of "abc", independent of the standard library.
func TestKnownAnswers(t *testing.T) {
	abc := []byte("abc")
	d256, d384, d512 := Sum256(abc), Sum384(abc), Sum512(abc)
	for _, c := range []struct {
		got  []byte
		want string
	}{
		{d256[:], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{d384[:], "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
		{d512[:], "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	} {
		if want, _ := hex.DecodeString(c.want); !bytes.Equal(c.got, want) {
			t.Errorf("got %x, want %s", c.got, c.want)
		}
	}
}
