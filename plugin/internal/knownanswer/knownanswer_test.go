package knownanswer

import (
	"slices"
	"testing"

	"github.com/wasmlogin/wasmlogin/host/sigverify"
)

// idTokenAlgs are the algorithms package idtoken accepts; each needs a
// vector, or the plugin could never trust a host for it.
var idTokenAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// With Go's crypto, each valid signature verifies and each tampered one
// does not: the vectors themselves are right, so a host that disagrees is
// the one that is wrong.
func TestVectorsAgreeWithGoCrypto(t *testing.T) {
	var algs []string
	for _, v := range vectors {
		algs = append(algs, v.Alg)
		if ok, err := sigverify.Verify(v.Request(v.Valid)); !ok || err != nil {
			t.Errorf("%s: the valid signature does not verify (valid %v, error %v)", v.Alg, ok, err)
		}
		if ok, err := sigverify.Verify(v.Request(v.Tampered)); ok || err != nil {
			t.Errorf("%s: the tampered signature verifies, or is refused as a request (valid %v, error %v)", v.Alg, ok, err)
		}
		if v.Valid == v.Tampered {
			t.Errorf("%s: the tampered signature is the valid one", v.Alg)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(algs)), slices.Sorted(slices.Values(idTokenAlgs))) {
		t.Errorf("vectors for %v, want exactly one for each of %v", algs, idTokenAlgs)
	}
	for _, alg := range idTokenAlgs {
		if v, ok := For(alg); !ok || v.Alg != alg {
			t.Errorf("For(%q) = %+v, %v", alg, v, ok)
		}
	}
	if _, ok := For("HS256"); ok {
		t.Error("a vector for HS256, which the plugin never accepts")
	}
}
